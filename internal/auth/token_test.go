package auth

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestTokenAuthenticatesItsOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		ana := mustAddUser(t, s, "ana@example.org", RoleAdmin)
		secret, tok, err := s.CreateToken(ctx, "Ana@example.org", TokenSpec{Name: " deploy bot "})
		if err != nil {
			t.Fatal(err)
		}
		want := Token{ID: tok.ID, UserID: ana.ID, Name: "deploy bot", CreatedAt: storedUTC(start)}
		if !sameToken(tok, want) || tok.ID == 0 {
			t.Fatalf("CreateToken = %+v, want %+v", tok, want)
		}
		if !strings.HasPrefix(secret, "vigie_") {
			t.Fatalf("secret %q does not start with vigie_", secret)
		}
		for i := range 2 { // the second call is answered from the cache
			got, err := s.Authenticate(ctx, secret)
			if err != nil || got.User != ana || got.Role != RoleAdmin || got.TokenID != tok.ID || got.TokenName != "deploy bot" {
				t.Fatalf("Authenticate #%d = %+v, %v; want %+v", i+1, got, err, ana)
			}
		}
		tokens, err := s.Tokens(ctx, "ana@example.org")
		if err != nil {
			t.Fatal(err)
		}
		used := storedUTC(start)
		want.LastUsedAt = &used
		if len(tokens) != 1 || !sameToken(tokens[0], want) {
			t.Fatalf("Tokens = %+v, want [%+v]", tokens, want)
		}
	})
}

func TestAuthenticateRefusesBadSecrets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		secret, _, err := s.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		lookup, _ := parseSecret(secret)
		other, _ := newSecret()
		tests := []struct{ name, secret string }{
			{"right lookup, wrong random part", "vigie_" + lookup + other[len("vigie_")+16:]},
			{"unknown lookup", other},
			{"empty", ""},
			{"truncated", secret[:len(secret)-1]},
			{"password instead", "correct horse battery"},
			{"upper-cased", strings.ToUpper(secret)},
		}
		for _, tt := range tests {
			u, err := s.Authenticate(ctx, tt.secret)
			if !errors.Is(err, ErrUnauthorized) || u.User != (User{}) || u.TokenID != 0 {
				t.Errorf("%s: Authenticate = %+v, %v; want ErrUnauthorized", tt.name, u, err)
			}
		}
		if _, err := s.Authenticate(ctx, secret); err != nil {
			t.Fatalf("the right secret after wrong ones: %v", err)
		}
	})
}

func TestMalformedSecretIsRefusedWithoutTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := newTestService(db)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(context.Background(), "vigie_not-a-token"); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("malformed secret with the database closed = %v, want ErrUnauthorized", err)
		}
		// A well-formed secret does reach the database, which is closed.
		wellFormed, _ := newSecret()
		if _, err := s.Authenticate(context.Background(), wellFormed); err == nil || errors.Is(err, ErrUnauthorized) {
			t.Fatalf("well-formed secret with the database closed = %v, want a database error", err)
		}
	})
}

func TestRevokedTokenIsRefusedAtOnceEvenWhenCached(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		secret, _, err := s.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		keep, _, err := s.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "keep"})
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range []string{secret, keep} {
			if _, err := s.Authenticate(ctx, sec); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(s.cache.entries); n != 2 {
			t.Fatalf("%d cached successes, want 2", n)
		}
		if err := s.RevokeToken(ctx, "ana@example.org", "ci"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("revoked token = %v, want ErrUnauthorized", err)
		}
		if _, err := s.Authenticate(ctx, keep); err != nil {
			t.Fatalf("other token after revocation: %v", err)
		}
		if err := s.RevokeToken(ctx, "ana@example.org", "ci"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoking twice = %v, want ErrNotFound", err)
		}
		if err := s.RevokeToken(ctx, "zoe@example.org", "keep"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoking another user's token name = %v, want ErrNotFound", err)
		}
		tokens, err := s.Tokens(ctx, "ana@example.org")
		if err != nil || len(tokens) != 1 || tokens[0].Name != "keep" {
			t.Fatalf("Tokens after revocation = %+v, %v; want only keep", tokens, err)
		}
	})
}

func TestSuccessIsCachedForAMinuteWithoutArgon2(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestService(db)
		ana := mustAddUser(t, s, "ana@example.org", RoleAdmin)
		secret, _, err := s.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if got, err := s.Authenticate(ctx, secret); err != nil || got.User != ana {
				t.Fatalf("Authenticate = %+v, %v; want %+v", got, err, ana)
			}
			clock.Add(29 * time.Second) // 0, 29 and 58 s: cached
		}
		if n := s.verifications.Load(); n != 1 {
			t.Fatalf("%d argon2 verifications within a minute, want 1", n)
		}
		clock.Add(2 * time.Second)
		if _, err := s.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if n := s.verifications.Load(); n != 2 {
			t.Fatalf("%d argon2 verifications after a minute, want 2: the cache did not expire", n)
		}
	})
}

func TestCachedTokenOutlivesADatabaseBlipOnlyBriefly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestService(db)
		ana := mustAddUser(t, s, "ana@example.org", RoleAdmin)
		secret, _, err := s.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		// The generation cannot be read, but the database confirmed the token
		// less than staleGrace ago.
		clock.Add(staleGrace - time.Second)
		if got, err := s.Authenticate(ctx, secret); err != nil || got.User != ana {
			t.Fatalf("Authenticate during a blip = %+v, %v; want %+v", got, err, ana)
		}
		clock.Add(time.Second)
		_, err = s.Authenticate(ctx, secret)
		if err == nil || errors.Is(err, ErrUnauthorized) {
			t.Fatalf("Authenticate %v after the last confirmation with the database down = %v, want a database error",
				staleGrace, err)
		}
	})
}

func TestLastUsedIsWrittenAtMostOncePerMinute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		secret, _, err := s.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		other := NewService(db) // another process, sharing the database
		other.now, other.tokenParams = clock.Now, lightParams
		steps := []struct {
			after time.Duration
			s     *Service
			want  time.Duration // last use expected, from start
		}{
			{0, s, 0},
			{30 * time.Second, s, 0},                // cached
			{31 * time.Second, s, 61 * time.Second}, // cache expired, a minute passed
			{10 * time.Second, s, 61 * time.Second},
			{20 * time.Second, other, 61 * time.Second}, // fresh process reads the stored use
			{50 * time.Second, other, 141 * time.Second},
		}
		for i, step := range steps {
			clock.Add(step.after)
			if _, err := step.s.Authenticate(ctx, secret); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			tokens, err := s.Tokens(ctx, "ana@example.org")
			if err != nil {
				t.Fatal(err)
			}
			want := storedUTC(start.Add(step.want))
			if got := tokens[0].LastUsedAt; got == nil || !got.Equal(want) {
				t.Fatalf("step %d: last used %v, want %v", i, got, want)
			}
		}
	})
}

func TestCreateTokenRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		mustAddUser(t, s, "bob@example.org", RoleStaff)
		if _, _, err := s.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "ci"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateToken(ctx, "bob@example.org", TokenSpec{Name: "ci"}); err != nil {
			t.Fatalf("same name for another user: %v", err)
		}
		tests := []struct {
			name, email, token string
			want               error
		}{
			{"duplicate name", "ana@example.org", "ci", store.ErrConflict},
			{"duplicate name with spaces", "ana@example.org", " ci ", store.ErrConflict},
			{"unknown user", "zoe@example.org", "ci", store.ErrNotFound},
			{"empty name", "ana@example.org", "  ", ErrInvalid},
			{"control character", "ana@example.org", "c\ni", ErrInvalid},
			{"long name", "ana@example.org", strings.Repeat("x", 65), ErrInvalid},
		}
		for _, tt := range tests {
			secret, _, err := s.CreateToken(ctx, tt.email, TokenSpec{Name: tt.token})
			if !errors.Is(err, tt.want) || secret != "" {
				t.Errorf("%s: CreateToken = %q, %v; want %v", tt.name, secret, err, tt.want)
			}
		}
		if _, err := s.Tokens(ctx, "zoe@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Tokens(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestStoredHashesAreNotTheSecrets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		secret, _, err := s.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		var password, hash, lookup string
		if err := db.QueryRowContext(ctx, `SELECT password_hash FROM users`).Scan(&password); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT hash, lookup FROM api_tokens`).Scan(&hash, &lookup); err != nil {
			t.Fatal(err)
		}
		// vigie_<lookup>_<random>: the random part may itself hold "_".
		random := strings.SplitN(secret, "_", 3)[2]
		checks := []struct{ what, stored, secret string }{
			{"password hash", password, "correct horse battery"},
			{"token hash", hash, secret},
			{"token hash", hash, random},
			{"token lookup", lookup, random},
		}
		for _, c := range checks {
			if strings.Contains(c.stored, c.secret) {
				t.Errorf("%s %q contains the secret", c.what, c.stored)
			}
		}
		for _, h := range []string{password, hash} {
			if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
				t.Errorf("stored hash %q is not argon2id in PHC form", h)
			}
		}
		if want, _ := parseSecret(secret); lookup != want {
			t.Errorf("stored lookup %q, want %q from the secret", lookup, want)
		}
	})
}

// sameToken compares tokens, looking through LastUsedAt.
func sameToken(a, b Token) bool {
	if (a.LastUsedAt == nil) != (b.LastUsedAt == nil) {
		return false
	}
	if a.LastUsedAt != nil && !a.LastUsedAt.Equal(*b.LastUsedAt) {
		return false
	}
	return a.ID == b.ID && a.UserID == b.UserID && a.Name == b.Name && a.Role == b.Role &&
		slices.Equal(a.Scopes, b.Scopes) && a.CreatedAt.Equal(b.CreatedAt)
}
