package store

import "errors"

// mappedError is a driver error classified as ErrNotFound or ErrConflict.
// Its text is only the class, so that no driver message (a table, a
// constraint, an SQLSTATE) reaches a user; errors.Is and errors.As still
// find both the class and the driver error in its chain.
type mappedError struct {
	class  error
	driver error
}

func (e *mappedError) Error() string { return e.class.Error() }

// Unwrap returns the class and the driver error.
func (e *mappedError) Unwrap() []error { return []error{e.class, e.driver} }

// ConflictError is a write refused because it clashes with existing data,
// said in words its caller may be shown. It matches ErrConflict with
// errors.Is and unwraps to the error it explains.
type ConflictError struct {
	// Message says what clashed: "a user with this e-mail already exists".
	Message string
	// Err is the underlying error, for the logs.
	Err error
}

func (e *ConflictError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Unwrap returns the underlying error.
func (e *ConflictError) Unwrap() error { return e.Err }

// ConflictMessage returns what a conflict error may tell a client: its
// message when it says one, or a generic sentence.
func ConflictMessage(err error) string {
	var ce *ConflictError
	if errors.As(err, &ce) {
		return ce.Message
	}
	return "already exists or conflicts with existing data"
}
