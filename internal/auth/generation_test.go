package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestChangesElsewhereAreSeenWithinASecond runs two Services on one database,
// as two servers would: B takes rights away from a token A has cached. A may
// go on accepting it until its clock has moved generationCheck (it reads the
// auth generation at most once per generationCheck), and must not once its
// clock has moved a second.
func TestChangesElsewhereAreSeenWithinASecond(t *testing.T) {
	tests := []struct {
		name   string
		change func(ctx context.Context, b *Service) error
		// role is what the token acts as after the change, "" for refused.
		role Role
	}{
		{"revoke the token", func(ctx context.Context, b *Service) error {
			if err := b.RevokeToken(ctx, "ana@example.org", "ci"); err != nil {
				return err
			}
			// SQLite may give the revoked token's id to the next one.
			_, _, err := b.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "next"})
			return err
		}, ""},
		{"disable the user", func(ctx context.Context, b *Service) error {
			return b.DisableUser(ctx, "ana@example.org")
		}, ""},
		{"remove the user", func(ctx context.Context, b *Service) error {
			return b.RemoveUser(ctx, "ana@example.org")
		}, ""},
		{"demote the user", func(ctx context.Context, b *Service) error {
			return b.SetRole(ctx, "ana@example.org", RoleStaff)
		}, RoleStaff},
		{"make the user a viewer", func(ctx context.Context, b *Service) error {
			return b.SetRole(ctx, "ana@example.org", RoleViewer)
		}, RoleViewer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				a, clock := newTestService(db)
				b, _ := newTestService(db)
				mustAddUser(t, a, "root@example.org", RoleAdmin)
				mustAddUser(t, a, "ana@example.org", RoleAdmin)
				secret, _, err := a.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "ci"})
				if err != nil {
					t.Fatal(err)
				}
				if p, err := a.Authenticate(ctx, secret); err != nil || p.Role != RoleAdmin {
					t.Fatalf("Authenticate before = %+v, %v", p, err)
				}
				if err := tt.change(ctx, b); err != nil {
					t.Fatal(err)
				}
				// At the same instant A answers from its cache: this window is
				// the price of reading the generation once per generationCheck.
				if p, err := a.Authenticate(ctx, secret); err != nil || p.Role != RoleAdmin {
					t.Fatalf("Authenticate at once = %+v, %v; want the cached admin", p, err)
				}
				clock.Add(time.Second)
				p, err := a.Authenticate(ctx, secret)
				switch {
				case tt.role == "" && !errors.Is(err, ErrUnauthorized):
					t.Fatalf("Authenticate a second after the change = %+v, %v; want ErrUnauthorized", p, err)
				case tt.role != "" && (err != nil || p.Role != tt.role || p.User.Role != tt.role):
					t.Fatalf("Authenticate a second after the change = %+v, %v; want role %s", p, err, tt.role)
				}
				if n := a.verifications.Load(); n != 1 {
					t.Errorf("%d argon2 verifications, want 1: seeing the change must not hash again", n)
				}
				if tt.role == "" {
					// Refusals are not cached as successes.
					clock.Add(generationCheck)
					if _, err := a.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthorized) {
						t.Fatalf("Authenticate later = %v, want ErrUnauthorized", err)
					}
				}
			})
		})
	}
}

// TestUnrelatedRevocationCostsNoArgon2 proves that a change of rights made
// elsewhere makes cached tokens be read again, not hashed again.
func TestUnrelatedRevocationCostsNoArgon2(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, clock := newTestService(db)
		b, _ := newTestService(db)
		mustAddUser(t, a, "ana@example.org", RoleAdmin)
		mustAddUser(t, a, "bob@example.org", RoleStaff)
		var secrets []string
		for _, name := range []string{"ci", "deploy"} {
			secret, _, err := a.CreateToken(ctx, "ana@example.org", TokenSpec{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, secret)
		}
		if _, _, err := b.CreateToken(ctx, "bob@example.org", TokenSpec{Name: "ci"}); err != nil {
			t.Fatal(err)
		}
		authenticate := func(step string) {
			t.Helper()
			for _, secret := range secrets {
				if p, err := a.Authenticate(ctx, secret); err != nil || p.Role != RoleAdmin {
					t.Fatalf("%s: Authenticate = %+v, %v", step, p, err)
				}
			}
		}
		authenticate("first")
		if err := b.RevokeToken(ctx, "bob@example.org", "ci"); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Second)
		authenticate("after bob's token was revoked")
		if v, r := a.verifications.Load(), a.revalidations.Load(); v != 2 || r != 2 {
			t.Fatalf("%d argon2 verifications and %d re-reads, want 2 and 2", v, r)
		}
		// Re-read entries carry the new generation: no more re-reads.
		clock.Add(generationCheck)
		authenticate("a second later")
		if v, r := a.verifications.Load(), a.revalidations.Load(); v != 2 || r != 2 {
			t.Fatalf("%d argon2 verifications and %d re-reads, want still 2 and 2", v, r)
		}
	})
}

// TestChangesHereAreSeenAtOnce: the Service making a change does not wait
// for its next generation read.
func TestChangesHereAreSeenAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "root@example.org", RoleAdmin)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		secret, _, err := s.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRole(ctx, "ana@example.org", RoleViewer); err != nil {
			t.Fatal(err)
		}
		if p, err := s.Authenticate(ctx, secret); err != nil || p.Role != RoleViewer {
			t.Fatalf("Authenticate after SetRole here = %+v, %v; want a viewer", p, err)
		}
		if err := s.DisableUser(ctx, "ana@example.org"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("Authenticate after DisableUser here = %v, want ErrUnauthorized", err)
		}
	})
}

// TestGenerationIsReadOncePerCheck: requests within generationCheck share
// one read, and a database that cannot answer is not asked on every call.
func TestGenerationIsReadOncePerCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestService(db)
		v, _, err := s.generation(ctx, clock.Now())
		if err != nil || v != 0 {
			t.Fatalf("generation = %d, %v; want 0", v, err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE auth_generation SET generation = 7`); err != nil {
			t.Fatal(err)
		}
		clock.Add(generationCheck - time.Nanosecond)
		if v, _, _ := s.generation(ctx, clock.Now()); v != 0 {
			t.Fatalf("generation read again within generationCheck: %d", v)
		}
		clock.Add(time.Nanosecond)
		if v, _, _ := s.generation(ctx, clock.Now()); v != 7 {
			t.Fatalf("generation after generationCheck = %d, want 7", v)
		}
	})
}
