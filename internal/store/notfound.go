package store

import (
	"errors"
	"fmt"
)

// NotFoundError says which thing was asked for and does not exist; it
// matches ErrNotFound with errors.Is. Its text names only what the caller
// asked for, so it may be shown to them.
type NotFoundError struct {
	// What is the kind of thing: "asset", "check", "incident".
	What string
	// Key names it as the caller did.
	Key string
	// Of names what it belongs to, when its name is only unique there:
	// the user of a token.
	Of string
}

// NotFound returns the error for a missing what named key.
func NotFound(what string, key any) error {
	return &NotFoundError{What: what, Key: fmt.Sprint(key)}
}

// NotFoundOf returns the error for a missing what named key among the
// things of of: "no token named "laptop" for ops@example.org".
func NotFoundOf(what string, key any, of string) error {
	return &NotFoundError{What: what, Key: fmt.Sprint(key), Of: of}
}

func (e *NotFoundError) Error() string {
	if e.Of != "" {
		return fmt.Sprintf("no %s named %q for %s", e.What, e.Key, e.Of)
	}
	return fmt.Sprintf("%s %q not found", e.What, e.Key)
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// NotFoundMessage returns what a missing-thing error may tell a client: the
// thing it names, or a plain "not found".
func NotFoundMessage(err error) string {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return nf.Error()
	}
	return "not found"
}
