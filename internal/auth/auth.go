// Package auth holds Vigie's staff users and their API tokens: passwords and
// token secrets are stored only as argon2id hashes, and successful token
// checks are cached briefly so that API calls do not pay argon2 each time.
package auth

import (
	"errors"
	"fmt"
	"sync"
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

// Role is what a staff user may do.
type Role string

// The staff roles.
const (
	RoleAdmin Role = "admin"
	RoleStaff Role = "staff"
)

// ParseRole returns the role named s, or an error wrapping ErrInvalid.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleStaff:
		return r, nil
	}
	return "", fmt.Errorf("%w: role %q is not one of %q, %q", ErrInvalid, s, RoleAdmin, RoleStaff)
}

// User is a staff member who can sign in to the console and own API tokens.
type User struct {
	ID    int64
	Email string
	Role  Role
	// Timezone is the IANA zone times are shown in to this user.
	Timezone  string
	CreatedAt time.Time
}

// Token describes an API token; its secret is shown once, at creation.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
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
