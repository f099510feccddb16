// Package auth holds Vigie's staff users and their API tokens: passwords and
// token secrets are stored only as argon2id hashes, and successful token
// checks are cached briefly so that API calls do not pay argon2 each time.
package auth

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// ErrUnauthorized is returned for a bad, unknown or revoked token or password;
// it never says which.
var ErrUnauthorized = errors.New("unauthorized")

// ErrInvalid is wrapped by errors about input that can never be accepted (a
// malformed e-mail address, a short password, an unknown role, an empty
// token name), so that callers can tell them from internal failures.
var ErrInvalid = errors.New("invalid input")

// InvalidError is input that can never be accepted: Field names it and
// Message says what is wrong, describing only the input, so that it may be
// shown to whoever sent it. It matches ErrInvalid with errors.Is.
type InvalidError struct {
	Field, Message string
}

func (e *InvalidError) Error() string { return ErrInvalid.Error() + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// invalid returns an *InvalidError about field.
func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Role is what a staff user may do.
type Role string

// The staff roles.
const (
	RoleAdmin Role = "admin"
	RoleStaff Role = "staff"
)

// ErrLastAdmin is wrapped by errors refusing a change that would leave no
// enabled admin, since nobody could then manage users from the API.
var ErrLastAdmin = errors.New("no enabled admin would be left")

// ParseRole returns the role named s, or an error wrapping ErrInvalid.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleStaff, RoleViewer:
		return r, nil
	}
	return "", invalid("role", "role %q is not one of %q, %q, %q", s, RoleAdmin, RoleStaff, RoleViewer)
}

// User is a staff member who can sign in to the console and own API tokens.
type User struct {
	ID    int64
	Email string
	Role  Role
	// Timezone is the IANA zone times are shown in to this user.
	Timezone  string
	CreatedAt time.Time
	// Disabled users can neither sign in nor hold tokens.
	Disabled bool
}

// Token describes an API token; its secret is shown once, at creation.
type Token struct {
	ID     int64
	UserID int64
	Name   string
	// Role is the token's own role, "" when it follows its user's; the
	// token acts with the weaker of the two.
	Role Role
	// Scopes narrow the token; none means all its role allows.
	Scopes     []Scope
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// TokenSpec is what a new token is: its name, an optional role no stronger
// than its user's ("" follows the user's role), and optional scopes.
type TokenSpec struct {
	Name   string
	Role   Role
	Scopes []Scope
}

// Service manages users and tokens; it is safe for concurrent use.
type Service struct {
	db  *store.DB
	now func() time.Time

	// passwordParams and tokenParams are the costs of new hashes; stored
	// hashes carry their own, so changing these never locks anyone out.
	passwordParams params
	tokenParams    params

	dummyOnce sync.Once
	dummyHash string

	cache *tokenCache
	gen   genState

	// verifications counts argon2 token verifications, and revalidations
	// the re-reads of cached tokens after a change of rights, so that tests
	// can tell the two paths apart.
	verifications atomic.Int64
	revalidations atomic.Int64
}

// NewService returns a Service storing users and tokens in db.
func NewService(db *store.DB) *Service {
	return &Service{
		db:             db,
		now:            time.Now,
		passwordParams: passwordParams,
		tokenParams:    tokenParams,
		cache:          newTokenCache(),
	}
}

// timestamp returns the current time as stored: UTC, to the microsecond that
// both engines keep.
func (s *Service) timestamp() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}
