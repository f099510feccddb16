package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Authenticate returns who the token whose secret is given acts as, or an
// error wrapping ErrUnauthorized for a bad, revoked or disabled user's token.
// A success is cached (see generation.go): argon2 runs at most once per
// cacheTTL per token, and a revocation made elsewhere shows within about
// generationCheck.
func (s *Service) Authenticate(ctx context.Context, secret string) (Principal, error) {
	lookup, ok := parseSecret(secret)
	if !ok {
		return Principal{}, fmt.Errorf("authenticate: %w", ErrUnauthorized)
	}
	key := sha256.Sum256([]byte(secret))
	now := s.timestamp()
	if e, ok := s.cache.get(key, now); ok {
		p, err := s.checkCached(ctx, key, lookup, e, now)
		if err != nil {
			return Principal{}, err
		}
		s.touch(ctx, p.TokenID, now)
		return p, nil
	}
	rev := s.cache.generation()
	r, err := s.readToken(ctx, `t.lookup = $1`, lookup)
	// An unknown lookup id returns at once, without a dummy hash: lookup ids
	// are not secret, so timing that reveals one exists gives nothing away.
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, fmt.Errorf("authenticate: %w", ErrUnauthorized)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	s.verifications.Add(1)
	match, _, err := verifySecret(secret, r.hash)
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate with token %d: %w", r.p.TokenID, err)
	}
	if !match || r.p.Disabled {
		return Principal{}, fmt.Errorf("authenticate: %w", ErrUnauthorized)
	}
	s.observeGeneration(r.gen, now)
	s.cache.put(key, cacheEntry{principal: r.p, tokenID: r.p.TokenID, gen: r.gen, checked: now, expires: now.Add(cacheTTL)}, rev)
	s.cache.seedLastUsed(r.p.TokenID, r.lastUsed)
	s.touch(ctx, r.p.TokenID, now)
	return r.p, nil
}

// checkCached returns the principal of a cached token, read again from the
// database, without argon2, when the auth generation moved since it was
// cached. When the generation cannot be read the entry is trusted for
// staleGrace after the database last confirmed it, and the error returned
// after that; when the re-read fails the error is returned at once, since
// something did change.
func (s *Service) checkCached(ctx context.Context, key [32]byte, lookup string, e cacheEntry, now time.Time) (Principal, error) {
	gen, okAt, err := s.generation(ctx, now)
	if err != nil {
		confirmed := e.checked
		if e.gen >= gen && okAt.After(confirmed) {
			confirmed = okAt
		}
		if now.Sub(confirmed) < staleGrace {
			return e.principal, nil
		}
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	if e.gen >= gen {
		return e.principal, nil
	}
	rev := s.cache.generation()
	s.revalidations.Add(1)
	// The lookup as well as the id: SQLite may give a revoked token's id to
	// the next token created.
	r, err := s.readToken(ctx, `t.id = $1 AND t.lookup = $2`, e.tokenID, lookup)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && r.p.Disabled) {
		s.cache.drop(key)
		return Principal{}, fmt.Errorf("authenticate: %w", ErrUnauthorized)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate with token %d: %w", e.tokenID, err)
	}
	s.cache.refresh(key, cacheEntry{principal: r.p, tokenID: r.p.TokenID, gen: r.gen, checked: now}, rev)
	return r.p, nil
}

// tokenRow is a token read with its user and the auth generation.
type tokenRow struct {
	p        Principal
	gen      int64
	hash     string
	lastUsed *time.Time
}

// readToken reads the token matching where (a fixed condition on t, taking
// args), joined with its user, and the auth generation, in one statement so
// that the generation is the one the rows were read at. No row returns
// sql.ErrNoRows unwrapped.
func (s *Service) readToken(ctx context.Context, where string, args ...any) (tokenRow, error) {
	var (
		r                           tokenRow
		tokenRole, scopes, userRole string
		lastUsed, disabled          sql.NullTime
	)
	err := s.db.QueryRowContext(ctx,
		`SELECT t.id, t.name, t.role, t.scopes, t.hash, t.last_used_at,
			u.id, u.email, u.role, u.created_at, u.timezone, u.disabled_at,
			(SELECT generation FROM auth_generation WHERE id = 1)
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE `+where, args...).Scan(
		&r.p.TokenID, &r.p.TokenName, &tokenRole, &scopes, &r.hash, &lastUsed,
		&r.p.ID, &r.p.Email, &userRole, &r.p.CreatedAt, &r.p.Timezone, &disabled,
		&r.gen)
	if errors.Is(err, sql.ErrNoRows) {
		return tokenRow{}, err
	}
	if err != nil {
		return tokenRow{}, s.db.MapError(err)
	}
	r.lastUsed = nullTime(lastUsed)
	u := &r.p.User
	u.CreatedAt = u.CreatedAt.UTC()
	u.Disabled = disabled.Valid
	if u.Role, err = ParseRole(userRole); err != nil {
		return tokenRow{}, fmt.Errorf("stored user %d has unknown role %q", u.ID, userRole)
	}
	r.p.Role = u.Role
	if tokenRole != "" {
		role, err := ParseRole(tokenRole)
		if err != nil {
			return tokenRow{}, fmt.Errorf("stored token %d has unknown role %q", r.p.TokenID, tokenRole)
		}
		r.p.Role = Weaker(u.Role, role)
	}
	if r.p.Scopes, err = decodeScopes(scopes); err != nil {
		return tokenRow{}, fmt.Errorf("stored token %d: %w", r.p.TokenID, err)
	}
	return r, nil
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
