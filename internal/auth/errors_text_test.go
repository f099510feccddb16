package auth

import (
	"context"
	"errors"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// The errors of users and tokens are shown as they are by the command line
// and the API: they say what is wrong in words, never in the driver's.
func TestUserAndTokenErrorsSpeakPlainly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		if _, err := s.AddUser(ctx, "ops@example.org", RoleAdmin, "correct horse battery staple"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateToken(ctx, "ops@example.org", TokenSpec{Name: "ci"}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			err   error
			class error
			want  string
		}{
			{"revoke an unknown token", s.RevokeToken(ctx, "ops@example.org", "laptop"), store.ErrNotFound,
				`revoke token: no token named "laptop" for ops@example.org`},
			{"revoke for an unknown user", s.RevokeToken(ctx, "zoe@example.org", "ci"), store.ErrNotFound,
				`revoke token: user "zoe@example.org" not found`},
			{"add a user twice", second(s.AddUser(ctx, "OPS@example.org", RoleStaff, "correct horse battery staple")), store.ErrConflict,
				"add user ops@example.org: a user with this e-mail already exists"},
			{"create a token twice", third(s.CreateToken(ctx, "ops@example.org", TokenSpec{Name: "ci"})), store.ErrConflict,
				`create token "ci" for ops@example.org: this user already has a token with this name`},
		}
		for _, c := range cases {
			if c.err == nil || c.err.Error() != c.want || !errors.Is(c.err, c.class) {
				t.Errorf("%s: %v, want %q wrapping %v", c.name, c.err, c.want, c.class)
			}
		}
		if msg := store.ConflictMessage(cases[2].err); msg != "a user with this e-mail already exists" {
			t.Errorf("conflict message for clients = %q", msg)
		}
		if msg := store.NotFoundMessage(cases[0].err); msg != `no token named "laptop" for ops@example.org` {
			t.Errorf("not-found message for clients = %q", msg)
		}
	})
}

func second[T any](_ T, err error) error { return err }

func third[T, U any](_ T, _ U, err error) error { return err }
