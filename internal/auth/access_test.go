package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestDisablingAUserKillsTheirTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		mustAddUser(t, s, "bob@example.org", RoleStaff)
		secret, _, err := s.CreateToken(ctx, "bob@example.org", TokenSpec{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		keep, _, err := s.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if err := s.DisableUser(ctx, "Bob@example.org"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("disabled user's token = %v, want ErrUnauthorized", err)
		}
		if _, err := s.CheckPassword(ctx, "bob@example.org", "correct horse battery"); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("disabled user's password = %v, want ErrUnauthorized", err)
		}
		if _, _, err := s.CreateToken(ctx, "bob@example.org", TokenSpec{Name: "new"}); !errors.Is(err, ErrInvalid) ||
			!strings.Contains(err.Error(), "disabled") {
			t.Fatalf("token for a disabled user = %v, want ErrInvalid saying disabled", err)
		}
		if tokens, err := s.Tokens(ctx, "bob@example.org"); err != nil || len(tokens) != 0 {
			t.Fatalf("tokens of a disabled user = %+v, %v; want none", tokens, err)
		}
		if _, err := s.Authenticate(ctx, keep); err != nil {
			t.Fatalf("another user's token after the disable: %v", err)
		}
		users, err := s.Users(ctx)
		if err != nil || len(users) != 2 || users[0].Disabled || !users[1].Disabled {
			t.Fatalf("Users = %+v, %v; want ana enabled and bob disabled", users, err)
		}
		if err := s.DisableUser(ctx, "bob@example.org"); err != nil {
			t.Fatalf("disabling twice: %v", err)
		}

		if err := s.EnableUser(ctx, "bob@example.org"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("old token after re-enabling = %v, want ErrUnauthorized: enabling must not revive tokens", err)
		}
		if _, err := s.CheckPassword(ctx, "bob@example.org", "correct horse battery"); err != nil {
			t.Fatalf("password after re-enabling: %v", err)
		}
		if _, _, err := s.CreateToken(ctx, "bob@example.org", TokenSpec{Name: "new"}); err != nil {
			t.Fatalf("token after re-enabling: %v", err)
		}
	})
}

func TestLastEnabledAdminIsKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		mustAddUser(t, s, "zoe@example.org", RoleAdmin)
		mustAddUser(t, s, "bob@example.org", RoleStaff)
		if err := s.DisableUser(ctx, "zoe@example.org"); err != nil {
			t.Fatal(err)
		}
		// zoe is an admin but disabled: ana is the only one enabled.
		refusals := []struct {
			name string
			do   func() error
		}{
			{"demote", func() error { return s.SetRole(ctx, "ana@example.org", RoleStaff) }},
			{"make viewer", func() error { return s.SetRole(ctx, "ana@example.org", RoleViewer) }},
			{"disable", func() error { return s.DisableUser(ctx, "ana@example.org") }},
			{"remove", func() error { return s.RemoveUser(ctx, "ana@example.org") }},
		}
		for _, r := range refusals {
			err := r.do()
			if !errors.Is(err, ErrLastAdmin) || !strings.Contains(err.Error(), "ana@example.org") {
				t.Errorf("%s the last enabled admin = %v, want ErrLastAdmin naming ana", r.name, err)
			}
		}
		if u, err := s.User(ctx, "ana@example.org"); err != nil || u.Role != RoleAdmin || u.Disabled {
			t.Fatalf("ana after refusals = %+v, %v; want an enabled admin", u, err)
		}
		// Changes that keep an admin are allowed.
		if err := s.SetRole(ctx, "ana@example.org", RoleAdmin); err != nil {
			t.Errorf("re-setting admin: %v", err)
		}
		if err := s.SetRole(ctx, "bob@example.org", RoleViewer); err != nil {
			t.Errorf("making a staff member a viewer: %v", err)
		}
		if err := s.EnableUser(ctx, "zoe@example.org"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRole(ctx, "ana@example.org", RoleStaff); err != nil {
			t.Fatalf("demoting ana with zoe enabled: %v", err)
		}
		if err := s.RemoveUser(ctx, "zoe@example.org"); !errors.Is(err, ErrLastAdmin) {
			t.Fatalf("removing zoe, now the only admin = %v, want ErrLastAdmin", err)
		}
		if err := s.RemoveUser(ctx, "bob@example.org"); err != nil {
			t.Fatal(err)
		}
		users, err := s.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range users {
			got = append(got, u.Email+":"+string(u.Role))
		}
		if want := []string{"ana@example.org:staff", "zoe@example.org:admin"}; !slices.Equal(got, want) {
			t.Fatalf("Users = %v, want %v", got, want)
		}
	})
}

func TestUserChangesRefuseUnknownUsersAndRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		changes := map[string]func(email string) error{
			"set role": func(e string) error { return s.SetRole(ctx, e, RoleStaff) },
			"disable":  func(e string) error { return s.DisableUser(ctx, e) },
			"enable":   func(e string) error { return s.EnableUser(ctx, e) },
			"remove":   func(e string) error { return s.RemoveUser(ctx, e) },
		}
		for name, change := range changes {
			err := change("nobody@example.org")
			if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "nobody@example.org") {
				t.Errorf("%s an unknown user = %v, want ErrNotFound naming them", name, err)
			}
		}
		if err := s.SetRole(ctx, "ana@example.org", "root"); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetRole(root) = %v, want ErrInvalid", err)
		}
	})
}

func TestTokenRolesAndScopes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		mustAddUser(t, s, "bob@example.org", RoleStaff)
		mustAddUser(t, s, "vic@example.org", RoleViewer)
		refusals := []struct {
			name, email string
			spec        TokenSpec
			says        string
		}{
			{"staff token with scope import", "bob@example.org",
				TokenSpec{Name: "t", Scopes: []Scope{ScopeImport}}, "scope import would give a staff token nothing"},
			{"admin user, staff token, scope import", "ana@example.org",
				TokenSpec{Name: "t", Role: RoleStaff, Scopes: []Scope{ScopeRead, ScopeImport}}, "scope import"},
			{"viewer with scope alertmanager", "vic@example.org",
				TokenSpec{Name: "t", Scopes: []Scope{ScopeAlertmanager}}, "scope alertmanager"},
			{"staff user, admin token", "bob@example.org",
				TokenSpec{Name: "t", Role: RoleAdmin}, "may not exceed"},
			{"viewer user, staff token", "vic@example.org",
				TokenSpec{Name: "t", Role: RoleStaff}, "may not exceed"},
			{"unknown role", "ana@example.org", TokenSpec{Name: "t", Role: "root"}, `role "root"`},
			{"unknown scope", "ana@example.org", TokenSpec{Name: "t", Scopes: []Scope{"write"}}, `scope "write"`},
		}
		for _, r := range refusals {
			secret, _, err := s.CreateToken(ctx, r.email, r.spec)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(fmt.Sprint(err), r.says) || secret != "" {
				t.Errorf("%s: CreateToken = %q, %v; want ErrInvalid saying %q", r.name, secret, err, r.says)
			}
		}

		tests := []struct {
			email     string
			spec      TokenSpec
			role      Role
			scopes    []Scope
			can, cant Permission
		}{
			{"ana@example.org", TokenSpec{Name: "import", Scopes: []Scope{ScopeImport, ScopeRead, ScopeImport}},
				RoleAdmin, []Scope{ScopeRead, ScopeImport}, PermImport, PermUsers},
			{"ana@example.org", TokenSpec{Name: "look", Role: RoleViewer, Scopes: []Scope{ScopeRead}},
				RoleViewer, []Scope{ScopeRead}, PermRead, PermIncidents},
			{"ana@example.org", TokenSpec{Name: "am", Role: RoleStaff, Scopes: []Scope{ScopeAlertmanager}},
				RoleStaff, []Scope{ScopeAlertmanager}, PermAlerts, PermRead},
			{"bob@example.org", TokenSpec{Name: "same", Role: RoleStaff}, RoleStaff, nil, PermIncidents, PermInventory},
			{"vic@example.org", TokenSpec{Name: "plain"}, RoleViewer, nil, PermRead, PermAlerts},
		}
		for _, tt := range tests {
			secret, tok, err := s.CreateToken(ctx, tt.email, tt.spec)
			if err != nil {
				t.Fatalf("%s: %v", tt.spec.Name, err)
			}
			if tok.Role != tt.spec.Role || !slices.Equal(tok.Scopes, tt.scopes) {
				t.Errorf("%s: CreateToken = %+v, want role %q and scopes %v", tt.spec.Name, tok, tt.spec.Role, tt.scopes)
			}
			tokens, err := s.Tokens(ctx, tt.email)
			i := slices.IndexFunc(tokens, func(t Token) bool { return t.Name == tt.spec.Name })
			if err != nil || i < 0 || !sameToken(tokens[i], tok) {
				t.Errorf("%s: Tokens = %+v, %v; want %+v among them", tt.spec.Name, tokens, err, tok)
			}
			p, err := s.Authenticate(ctx, secret)
			if err != nil || p.Role != tt.role || !slices.Equal(p.Scopes, tt.scopes) || !p.Can(tt.can) || p.Can(tt.cant) {
				t.Errorf("%s: Authenticate = %+v, %v; want role %s, scopes %v, able to %s and not %s",
					tt.spec.Name, p, err, tt.role, tt.scopes, tt.can, tt.cant)
			}
		}
	})
}

func TestTokenRoleFollowsOrCapsTheUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		mustAddUser(t, s, "bob@example.org", RoleStaff)
		follows, _, err := s.CreateToken(ctx, "bob@example.org", TokenSpec{Name: "follows"})
		if err != nil {
			t.Fatal(err)
		}
		capped, _, err := s.CreateToken(ctx, "bob@example.org", TokenSpec{Name: "capped", Role: RoleStaff})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetRole(ctx, "bob@example.org", RoleAdmin); err != nil {
			t.Fatal(err)
		}
		for secret, want := range map[string]Role{follows: RoleAdmin, capped: RoleStaff} {
			if p, err := s.Authenticate(ctx, secret); err != nil || p.Role != want {
				t.Errorf("after promotion: Authenticate = %+v, %v; want %s", p, err, want)
			}
		}
		if err := s.SetRole(ctx, "bob@example.org", RoleViewer); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{follows, capped} {
			if p, err := s.Authenticate(ctx, secret); err != nil || p.Role != RoleViewer {
				t.Errorf("after demotion: Authenticate = %+v, %v; want viewer", p, err)
			}
		}
	})
}
