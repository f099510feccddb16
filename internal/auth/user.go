package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigie/vigie/internal/store"
)

// MinPasswordLength is the fewest characters a password may have.
const MinPasswordLength = 12

// GeneratePassword returns a random URL-safe password of 26 characters
// (128 bits), for accounts created from the command line.
func GeneratePassword() string {
	return rand.Text()
}

// normalizeEmail makes "Ana@Example.org " and "ana@example.org" the same
// account: nobody expects the case of an address to matter when signing in.
func normalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

func validateEmail(email string) error {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email {
		return invalid("email", "e-mail %q is not a plain address like name@example.org", email)
	}
	return nil
}

func validatePassword(password string) error {
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		return invalid("password", "password has %d characters, it needs at least %d", n, MinPasswordLength)
	}
	return nil
}

// AddUser creates a staff user. The e-mail address is stored lower-cased; an
// address already in use gives an error wrapping store.ErrConflict, and bad
// input one wrapping ErrInvalid.
func (s *Service) AddUser(ctx context.Context, email string, role Role, password string) (User, error) {
	email = normalizeEmail(email)
	if err := validateEmail(email); err != nil {
		return User{}, fmt.Errorf("add user: %w", err)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return User{}, fmt.Errorf("add user %s: %w", email, err)
	}
	if err := validatePassword(password); err != nil {
		return User{}, fmt.Errorf("add user %s: %w", email, err)
	}
	u := User{Email: email, Role: role, CreatedAt: s.timestamp(), Timezone: DefaultTimezone}
	hash := hashSecret(password, s.passwordParams)
	err := s.db.QueryRowContext(ctx,
		`INSERT INTO users (email, role, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		u.Email, string(u.Role), hash, u.CreatedAt).Scan(&u.ID)
	if err = s.db.MapError(err); errors.Is(err, store.ErrConflict) {
		err = &store.ConflictError{Message: "a user with this e-mail already exists", Err: err}
	}
	if err != nil {
		return User{}, fmt.Errorf("add user %s: %w", email, err)
	}
	return u, nil
}

// User returns the user with the given e-mail address, or an error wrapping
// store.ErrNotFound.
func (s *Service) User(ctx context.Context, email string) (User, error) {
	u, _, err := userByEmail(ctx, s.db, email)
	if err != nil {
		return User{}, fmt.Errorf("read user: %w", err)
	}
	return u, nil
}

// CheckPassword returns the user when password is theirs, and ErrUnauthorized
// when it is not or when there is no such user. Both cases cost one password
// hash, so that timing does not tell which addresses have accounts.
func (s *Service) CheckPassword(ctx context.Context, email, password string) (User, error) {
	u, hash, err := userByEmail(ctx, s.db, email)
	if errors.Is(err, store.ErrNotFound) {
		_, _, _ = verifySecret(password, s.dummyPasswordHash())
		return User{}, fmt.Errorf("check password: %w", ErrUnauthorized)
	}
	if err != nil {
		return User{}, fmt.Errorf("check password: %w", err)
	}
	ok, p, err := verifySecret(password, hash)
	if err != nil {
		return User{}, fmt.Errorf("check password of user %d: %w", u.ID, err)
	}
	// A disabled user is refused like a wrong password, after the same hash.
	if !ok || u.Disabled {
		return User{}, fmt.Errorf("check password: %w", ErrUnauthorized)
	}
	if p != s.passwordParams {
		s.rehashPassword(ctx, u.ID, hash, password)
	}
	return u, nil
}

// rehashPassword brings a stored hash to the current parameters, now that the
// password is known. It is best effort: the sign-in already succeeded, and
// the next one will try again.
func (s *Service) rehashPassword(ctx context.Context, userID int64, old, password string) {
	// Matching the old hash keeps a concurrent password change from being undone.
	_, _ = s.db.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3`,
		hashSecret(password, s.passwordParams), userID, old)
}

// dummyPasswordHash returns a hash with the current password parameters, of a
// password nobody knows, to verify against when the user does not exist.
func (s *Service) dummyPasswordHash() string {
	s.dummyOnce.Do(func() {
		s.dummyHash = hashSecret(rand.Text(), s.passwordParams)
	})
	return s.dummyHash
}

// queryRower is what both *store.DB and *sql.Tx offer for reading one row.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// userColumns are the columns scanned by scanUser, with the password hash.
const userColumns = `id, email, role, created_at, timezone, disabled_at, password_hash`

// scanUser reads one row of userColumns.
func scanUser(scan func(dest ...any) error) (User, string, error) {
	var (
		u        User
		role     string
		hash     string
		disabled sql.NullTime
	)
	if err := scan(&u.ID, &u.Email, &role, &u.CreatedAt, &u.Timezone, &disabled, &hash); err != nil {
		return User{}, "", err
	}
	r, err := ParseRole(role)
	if err != nil {
		return User{}, "", fmt.Errorf("stored user %d has unknown role %q", u.ID, role)
	}
	u.Role, u.Disabled, u.CreatedAt = r, disabled.Valid, u.CreatedAt.UTC()
	return u, hash, nil
}

// userByEmail returns a user and their password hash, or an error wrapping
// store.ErrNotFound.
func userByEmail(ctx context.Context, q queryRower, email string) (User, string, error) {
	u, hash, err := scanUser(q.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE email = $1`, normalizeEmail(email)).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", store.NotFound("user", normalizeEmail(email))
	}
	if err != nil {
		return User{}, "", err
	}
	return u, hash, nil
}

// UserByID returns the user with the given id (a staff session's
// subject), or an error wrapping store.ErrNotFound.
func (s *Service) UserByID(ctx context.Context, id int64) (User, error) {
	u, _, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("read user: %w", store.NotFound("user", strconv.FormatInt(id, 10)))
	}
	if err != nil {
		return User{}, fmt.Errorf("read user %d: %w", id, err)
	}
	return u, nil
}

// nullTime converts a nullable column to an optional UTC time.
func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// DefaultTimezone is a new user's zone.
const DefaultTimezone = "Europe/Paris"

// SetTimezone sets the IANA zone times are shown in to a user.
func (s *Service) SetTimezone(ctx context.Context, email, zone string) error {
	if loc, err := time.LoadLocation(zone); err != nil || zone == "" || loc == time.Local || zone == "Local" {
		return fmt.Errorf("set time zone of %s: %w", email, invalid("timezone", "unknown time zone %q", zone))
	}
	res, err := s.db.ExecContext(ctx, `UPDATE users SET timezone = $1 WHERE email = $2`, zone, normalizeEmail(email))
	if err != nil {
		return fmt.Errorf("set time zone of %s: %w", email, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.NotFound("user", email)
	}
	return nil
}
