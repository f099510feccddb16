package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigie/vigie/internal/store"
)

// maxTokenName is the longest token name, in characters.
const maxTokenName = 64

// normalizeTokenName trims a token name and checks it is printable and short.
func normalizeTokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", invalid("name", "token name is empty")
	}
	if n := utf8.RuneCountInString(name); n > maxTokenName {
		return "", invalid("name", "token name has %d characters, at most %d are allowed", n, maxTokenName)
	}
	if strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return "", invalid("name", "token name %q has control characters", name)
	}
	return name, nil
}

// normalizeScopes checks scopes and returns them once each, in the order of
// Scopes.
func normalizeScopes(scopes []Scope) ([]Scope, error) {
	var out []Scope
	for _, sc := range scopes {
		parsed, err := ParseScope(string(sc))
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, parsed) {
			out = append(out, parsed)
		}
	}
	slices.SortFunc(out, func(a, b Scope) int { return slices.Index(Scopes, a) - slices.Index(Scopes, b) })
	return out, nil
}

// scopeUsable reports whether a token of the given role could do anything
// with the scope.
func scopeUsable(role Role, sc Scope) bool {
	return slices.ContainsFunc(scopePermissions[sc], func(p Permission) bool { return RoleAllows(role, p) })
}

// encodeScopes and decodeScopes convert scopes to and from their column.
func encodeScopes(scopes []Scope) string {
	parts := make([]string, len(scopes))
	for i, sc := range scopes {
		parts[i] = string(sc)
	}
	return strings.Join(parts, ",")
}

func decodeScopes(s string) ([]Scope, error) {
	if s == "" {
		return nil, nil
	}
	var scopes []Scope
	for part := range strings.SplitSeq(s, ",") {
		sc := Scope(part)
		if _, ok := scopePermissions[sc]; !ok {
			// Ignoring a scope would widen the token: refuse it instead.
			return nil, fmt.Errorf("unknown scope %q", part)
		}
		scopes = append(scopes, sc)
	}
	return scopes, nil
}

// CreateToken creates an API token for a user and returns its secret, which
// is not stored and cannot be shown again. The token's role defaults to the
// user's (and then follows it) and may not exceed it; a scope the token's
// role cannot use at all is refused, as are disabled users, with errors
// wrapping ErrInvalid. A name the user already has gives an error wrapping
// store.ErrConflict, an unknown user store.ErrNotFound.
func (s *Service) CreateToken(ctx context.Context, email string, spec TokenSpec) (string, Token, error) {
	name, err := normalizeTokenName(spec.Name)
	if err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	email = normalizeEmail(email)
	what := fmt.Sprintf("create token %q for %s", name, email)
	scopes, err := normalizeScopes(spec.Scopes)
	if err != nil {
		return "", Token{}, fmt.Errorf("%s: %w", what, err)
	}
	if spec.Role != "" {
		if _, err := ParseRole(string(spec.Role)); err != nil {
			return "", Token{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	secret, lookup := newSecret()
	hash := hashSecret(secret, s.tokenParams)
	t := Token{Name: name, Role: spec.Role, Scopes: scopes, CreatedAt: s.timestamp()}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		// Locked so that a user disabled meanwhile cannot end up with a token.
		if err := lockGeneration(ctx, tx); err != nil {
			return err
		}
		u, _, err := userByEmail(ctx, tx, email)
		if err != nil {
			return err
		}
		if u.Disabled {
			return invalid("user", "the user is disabled")
		}
		role := u.Role
		if spec.Role != "" {
			if Weaker(spec.Role, u.Role) != spec.Role {
				return invalid("role", "a token's role may not exceed its user's, and %s is %s, not %s",
					u.Email, u.Role, spec.Role)
			}
			role = spec.Role
		}
		for _, sc := range scopes {
			if !scopeUsable(role, sc) {
				return invalid("scopes", "scope %s would give a %s token nothing: %s may not %s",
					sc, role, role, strings.Join(permissionNames(scopePermissions[sc]), ", "))
			}
		}
		t.UserID = u.ID
		return tx.QueryRowContext(ctx,
			`INSERT INTO api_tokens (user_id, name, lookup, hash, created_at, role, scopes)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			u.ID, name, lookup, hash, t.CreatedAt, string(spec.Role), encodeScopes(scopes)).Scan(&t.ID)
	})
	if errors.Is(err, store.ErrConflict) && !errors.Is(err, ErrInvalid) {
		err = &store.ConflictError{Message: "this user already has a token with this name", Err: err}
	}
	if err != nil {
		return "", Token{}, fmt.Errorf("%s: %w", what, err)
	}
	return secret, t, nil
}

// permissionNames returns the names of permissions, for messages.
func permissionNames(perms []Permission) []string {
	names := make([]string, len(perms))
	for i, p := range perms {
		names[i] = string(p)
	}
	return names
}

// RevokeToken deletes a user's token by name; it stops working at once in
// this Service, and within about generationCheck in other processes. An
// unknown user or token gives an error wrapping store.ErrNotFound.
func (s *Service) RevokeToken(ctx context.Context, email, name string) error {
	email, name = normalizeEmail(email), strings.TrimSpace(name)
	var id int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := bumpGeneration(ctx, tx); err != nil {
			return err
		}
		u, _, err := userByEmail(ctx, tx, email)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx,
			`DELETE FROM api_tokens WHERE name = $1 AND user_id = $2 RETURNING id`, name, u.ID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return store.NotFoundOf("token", name, email)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	s.cache.forget(id)
	s.generationChanged()
	return nil
}

// Tokens lists a user's tokens by name, or returns an error wrapping
// store.ErrNotFound when there is no such user.
func (s *Service) Tokens(ctx context.Context, email string) ([]Token, error) {
	u, _, err := userByEmail(ctx, s.db, email)
	if err != nil {
		return nil, fmt.Errorf("tokens of %s: %w", normalizeEmail(email), err)
	}
	tokens := []Token{}
	err = store.Each(ctx, s.db, "tokens of "+u.Email,
		`SELECT id, user_id, name, role, scopes, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY name`,
		[]any{u.ID}, func(rows *sql.Rows) error {
			var (
				t            Token
				role, scopes string
				lastUsed     sql.NullTime
			)
			if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &role, &scopes, &t.CreatedAt, &lastUsed); err != nil {
				return err
			}
			t.Role = Role(role)
			if t.Scopes, err = decodeScopes(scopes); err != nil {
				return fmt.Errorf("token %d: %w", t.ID, err)
			}
			t.CreatedAt = t.CreatedAt.UTC()
			t.LastUsedAt = nullTime(lastUsed)
			tokens = append(tokens, t)
			return nil
		})
	if err != nil {
		return nil, s.db.MapError(err)
	}
	return tokens, nil
}
