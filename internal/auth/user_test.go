package auth

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestAddUserThenSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		added, err := s.AddUser(ctx, " Ana@Example.org", RoleAdmin, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		want := User{ID: added.ID, Email: "ana@example.org", Role: RoleAdmin, Timezone: DefaultTimezone, CreatedAt: storedUTC(start)}
		if added != want || added.ID == 0 {
			t.Fatalf("AddUser = %+v, want %+v", added, want)
		}
		for _, email := range []string{"ana@example.org", "ANA@example.ORG"} {
			got, err := s.CheckPassword(ctx, email, "correct horse battery")
			if err != nil {
				t.Fatalf("CheckPassword(%s): %v", email, err)
			}
			if got != want {
				t.Errorf("CheckPassword(%s) = %+v, want %+v", email, got, want)
			}
		}
		got, err := s.User(ctx, "ana@example.org")
		if err != nil || got != want {
			t.Fatalf("User = %+v, %v; want %+v", got, err, want)
		}
	})
}

func TestCheckPasswordRefusesWithoutSayingWhy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleStaff)
		if _, err := s.AddUser(ctx, "bob@example.org", RoleStaff, "bob's own password"); err != nil {
			t.Fatal(err)
		}
		tests := []struct{ name, email, password string }{
			{"wrong password", "ana@example.org", "correct horse battery!"},
			{"another user's password", "ana@example.org", "bob's own password"},
			{"empty password", "ana@example.org", ""},
			{"unknown user", "zoe@example.org", "correct horse battery"},
			{"not an address", "zoe", "correct horse battery"},
		}
		var messages []string
		for _, tt := range tests {
			u, err := s.CheckPassword(ctx, tt.email, tt.password)
			if !errors.Is(err, ErrUnauthorized) || u != (User{}) {
				t.Errorf("%s: CheckPassword = %+v, %v; want ErrUnauthorized", tt.name, u, err)
				continue
			}
			messages = append(messages, err.Error())
		}
		for _, m := range messages[1:] {
			if m != messages[0] {
				t.Errorf("refusals differ: %q and %q", messages[0], m)
			}
		}
	})
}

func TestAddUserRefusesDuplicateEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleStaff)
		for _, email := range []string{"ana@example.org", "Ana@Example.org"} {
			_, err := s.AddUser(context.Background(), email, RoleAdmin, "another long password")
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("AddUser(%s) again = %v, want ErrConflict", email, err)
			}
		}
	})
}

func TestAddUserRefusesInvalidInput(t *testing.T) {
	tests := []struct {
		name, email string
		role        Role
		password    string
		want        string
	}{
		{"short password", "ana@example.org", RoleStaff, "eleven char",
			"add user ana@example.org: invalid input: password has 11 characters, it needs at least 12"},
		{"short password in runes", "ana@example.org", RoleStaff, "ééééééééééé",
			"add user ana@example.org: invalid input: password has 11 characters, it needs at least 12"},
		{"empty password", "ana@example.org", RoleStaff, "",
			"add user ana@example.org: invalid input: password has 0 characters, it needs at least 12"},
		{"no domain", "ana", RoleStaff, "correct horse battery",
			`add user: invalid input: e-mail "ana" is not a plain address like name@example.org`},
		{"display name", "Ana <ana@example.org>", RoleStaff, "correct horse battery",
			`add user: invalid input: e-mail "ana <ana@example.org>" is not a plain address like name@example.org`},
		{"empty email", "", RoleStaff, "correct horse battery",
			`add user: invalid input: e-mail "" is not a plain address like name@example.org`},
		{"unknown role", "ana@example.org", Role("root"), "correct horse battery",
			`add user ana@example.org: invalid input: role "root" is not one of "admin", "staff", "viewer"`},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		for _, tt := range tests {
			_, err := s.AddUser(ctx, tt.email, tt.role, tt.password)
			if !errors.Is(err, ErrInvalid) || err.Error() != tt.want {
				t.Errorf("%s: AddUser = %v, want %q", tt.name, err, tt.want)
			}
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("users after refusals = %d, %v; want 0", n, err)
		}
	})
}

func TestUnknownUserIsNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := newTestService(db)
		if _, err := s.User(context.Background(), "zoe@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("User(unknown) = %v, want ErrNotFound", err)
		}
		if _, err := s.UserByID(context.Background(), 999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("UserByID(unknown) = %v, want ErrNotFound", err)
		}
		u := mustAddUser(t, s, "ana@example.org", RoleAdmin)
		if got, err := s.UserByID(context.Background(), u.ID); err != nil || got.Email != "ana@example.org" || got.Role != RoleAdmin {
			t.Fatalf("UserByID(%d) = %+v, %v", u.ID, got, err)
		}
	})
}

func TestCheckPasswordUpgradesOldHashes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleStaff)
		s.passwordParams = params{memory: 128, time: 2, threads: 1, saltLen: 16, keyLen: 32}
		if _, err := s.CheckPassword(ctx, "ana@example.org", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		var hash string
		if err := db.QueryRowContext(ctx, `SELECT password_hash FROM users`).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if want := "$argon2id$v=19$m=128,t=2,p=1$"; !strings.HasPrefix(hash, want) {
			t.Fatalf("hash after sign-in %q, want it to start with %q", hash, want)
		}
		if _, err := s.CheckPassword(ctx, "ana@example.org", "correct horse battery"); err != nil {
			t.Fatalf("sign-in after upgrade: %v", err)
		}
	})
}

func TestNewServiceHashesWithRecommendedParameters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewService(db)
		if _, err := s.AddUser(ctx, "ana@example.org", RoleAdmin, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckPassword(ctx, "ana@example.org", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		secret, _, err := s.CreateToken(ctx, "ana@example.org", TokenSpec{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
		var password, token string
		if err := db.QueryRowContext(ctx, `SELECT password_hash FROM users`).Scan(&password); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT hash FROM api_tokens`).Scan(&token); err != nil {
			t.Fatal(err)
		}
		if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(password, want) {
			t.Errorf("password hash %q, want it to start with %q", password, want)
		}
		if want := "$argon2id$v=19$m=8192,t=1,p=1$"; !strings.HasPrefix(token, want) {
			t.Errorf("token hash %q, want it to start with %q", token, want)
		}
	})
}

func TestGeneratePassword(t *testing.T) {
	a, b := GeneratePassword(), GeneratePassword()
	if a == b {
		t.Fatalf("two generated passwords are equal: %q", a)
	}
	if len(a) < 20 || url.QueryEscape(a) != a || url.PathEscape(a) != a {
		t.Fatalf("GeneratePassword() = %q, want 20+ URL-safe characters", a)
	}
	if err := validatePassword(a); err != nil {
		t.Fatalf("generated password refused: %v", err)
	}
}

func TestParseRole(t *testing.T) {
	tests := []struct {
		in   string
		want Role
		ok   bool
	}{
		{"admin", RoleAdmin, true},
		{"staff", RoleStaff, true},
		{"Admin", "", false},
		{"", "", false},
		{"customer", "", false},
	}
	for _, tt := range tests {
		got, err := ParseRole(tt.in)
		if got != tt.want || (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestUsersHaveATimeZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		if _, err := s.AddUser(ctx, "luc@example.org", RoleStaff, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTimezone(ctx, "luc@example.org", "America/Montreal"); err != nil {
			t.Fatal(err)
		}
		u, err := s.User(ctx, "luc@example.org")
		if err != nil || u.Timezone != "America/Montreal" {
			t.Fatalf("user %+v %v", u, err)
		}
		if err := s.SetTimezone(ctx, "luc@example.org", "Mars/Olympus"); !errors.Is(err, ErrInvalid) {
			t.Fatalf("bad zone: %v", err)
		}
		if err := s.SetTimezone(ctx, "nobody@example.org", "Europe/Paris"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
	})
}
