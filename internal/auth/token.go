package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxTokenName is the longest token name, in characters.
const maxTokenName = 64

// normalizeTokenName trims a token name and checks it is printable and short.
func normalizeTokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", fmt.Errorf("%w: token name is empty", ErrInvalid)
	}
	if n := utf8.RuneCountInString(name); n > maxTokenName {
		return "", fmt.Errorf("%w: token name has %d characters, at most %d are allowed", ErrInvalid, n, maxTokenName)
	}
	if strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return "", fmt.Errorf("%w: token name %q has control characters", ErrInvalid, name)
	}
	return name, nil
}

// CreateToken creates an API token for a user and returns its secret, which
// is not stored and cannot be shown again. A name the user already has gives
// an error wrapping store.ErrConflict, an unknown user store.ErrNotFound.
func (s *Service) CreateToken(ctx context.Context, email, name string) (string, Token, error) {
	name, err := normalizeTokenName(name)
	if err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	u, _, err := s.userByEmail(ctx, email)
	if err != nil {
		return "", Token{}, fmt.Errorf("create token %q for %s: %w", name, normalizeEmail(email), err)
	}
	secret, lookup := newSecret()
	t := Token{UserID: u.ID, Name: name, CreatedAt: s.timestamp()}
	err = s.db.QueryRowContext(ctx,
		`INSERT INTO api_tokens (user_id, name, lookup, hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		u.ID, name, lookup, hashSecret(secret, s.tokenParams), t.CreatedAt).Scan(&t.ID)
	if err != nil {
		return "", Token{}, fmt.Errorf("create token %q for %s: %w", name, u.Email, s.db.MapError(err))
	}
	return secret, t, nil
}

// Authenticate returns the owner of the token whose secret is given, or
// ErrUnauthorized. A success is remembered for a minute in this Service, so
// a change of the owner's role may take that long to show.
func (s *Service) Authenticate(ctx context.Context, secret string) (User, error) {
	lookup, ok := parseSecret(secret)
	if !ok {
		return User{}, fmt.Errorf("authenticate: %w", ErrUnauthorized)
	}
	key := sha256.Sum256([]byte(secret))
	now := s.timestamp()
	if e, ok := s.cache.get(key, now); ok {
		s.touch(ctx, e.tokenID, now)
		return e.user, nil
	}
	gen := s.cache.generation()
	var (
		tokenID  int64
		hash     string
		lastUsed sql.NullTime
		u        User
		role     string
	)
	err := s.db.QueryRowContext(ctx,
		`SELECT t.id, t.hash, t.last_used_at, u.id, u.email, u.role, u.created_at, u.timezone
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.lookup = $1`,
		lookup).Scan(&tokenID, &hash, &lastUsed, &u.ID, &u.Email, &role, &u.CreatedAt, &u.Timezone)
	// An unknown lookup id returns at once, without a dummy hash: lookup ids
	// are not secret, so timing that reveals one exists gives nothing away.
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("authenticate: %w", ErrUnauthorized)
	}
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", s.db.MapError(err))
	}
	if u.Role, err = ParseRole(role); err != nil {
		return User{}, fmt.Errorf("authenticate: stored user %d has unknown role %q", u.ID, role)
	}
	u.CreatedAt = u.CreatedAt.UTC()
	match, _, err := verifySecret(secret, hash)
	if err != nil {
		return User{}, fmt.Errorf("authenticate with token %d: %w", tokenID, err)
	}
	if !match {
		return User{}, fmt.Errorf("authenticate: %w", ErrUnauthorized)
	}
	s.cache.put(key, cacheEntry{user: u, tokenID: tokenID, expires: now.Add(cacheTTL)}, gen)
	s.cache.seedLastUsed(tokenID, nullTime(lastUsed))
	s.touch(ctx, tokenID, now)
	return u, nil
}

// touch writes a token's last use when the stored one is a minute old or
// more. It is best effort: a failed write must not refuse a valid token, and
// the next call retries it.
func (s *Service) touch(ctx context.Context, tokenID int64, now time.Time) {
	if !s.cache.claimTouch(tokenID, now) {
		return
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, tokenID); err != nil {
		s.cache.releaseTouch(tokenID, now)
	}
}

// RevokeToken deletes a user's token by name; it stops working at once in
// this Service, and within a minute in other processes. An unknown user or
// token gives an error wrapping store.ErrNotFound.
func (s *Service) RevokeToken(ctx context.Context, email, name string) error {
	email, name = normalizeEmail(email), strings.TrimSpace(name)
	var id int64
	err := s.db.QueryRowContext(ctx,
		`DELETE FROM api_tokens WHERE name = $1 AND user_id = (SELECT id FROM users WHERE email = $2) RETURNING id`,
		name, email).Scan(&id)
	if err != nil {
		return fmt.Errorf("revoke token %q of %s: %w", name, email, s.db.MapError(err))
	}
	s.cache.forget(id)
	return nil
}

// Tokens lists a user's tokens by name, or returns an error wrapping
// store.ErrNotFound when there is no such user.
func (s *Service) Tokens(ctx context.Context, email string) ([]Token, error) {
	u, _, err := s.userByEmail(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("tokens of %s: %w", normalizeEmail(email), err)
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, user_id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY name`, u.ID)
	if err != nil {
		return nil, fmt.Errorf("tokens of %s: %w", u.Email, s.db.MapError(err))
	}
	defer func() { _ = rows.Close() }()
	tokens := []Token{}
	for rows.Next() {
		var (
			t        Token
			lastUsed sql.NullTime
		)
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &lastUsed); err != nil {
			return nil, fmt.Errorf("tokens of %s: %w", u.Email, err)
		}
		t.CreatedAt = t.CreatedAt.UTC()
		t.LastUsedAt = nullTime(lastUsed)
		tokens = append(tokens, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tokens of %s: %w", u.Email, err)
	}
	return tokens, nil
}
