package main

import (
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// lineOf returns the line of out starting with prefix, or "".
func lineOf(out, prefix string) string {
	for line := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

func TestUserManagementCommands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dsn := dsnOf(t, db)
		for _, add := range [][]string{
			{"--email", "ops@example.org", "--role", "admin"},
			{"--email", "bob@example.org", "--role", "staff"},
			{"--email", "vic@example.org", "--role", "viewer"},
		} {
			if r := vigie(t, dsn, "", append([]string{"user", "add"}, add...)...); r.code != 0 {
				t.Fatalf("user add %v: %+v", add, r)
			}
		}
		r := vigie(t, dsn, "", "token", "create", "--user", "bob@example.org", "--name", "ci")
		if r.code != 0 {
			t.Fatalf("token create: %+v", r)
		}

		r = vigie(t, dsn, "", "user", "list")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "EMAIL") {
			t.Fatalf("user list: %+v", r)
		}
		if l := lineOf(r.stdout, "vic@example.org"); !strings.Contains(l, "viewer") || !strings.Contains(l, "enabled") {
			t.Fatalf("user list, viewer line %q:\n%s", l, r.stdout)
		}
		if i, j := strings.Index(r.stdout, "bob@"), strings.Index(r.stdout, "ops@"); i > j {
			t.Fatalf("user list not ordered by e-mail:\n%s", r.stdout)
		}

		steps := []struct {
			args []string
			code int
			says string
		}{
			{[]string{"disable", "--email", "bob@example.org"}, 0, "user bob@example.org disabled, and their tokens revoked"},
			{[]string{"enable", "--email", "bob@example.org"}, 0, "user bob@example.org enabled"},
			{[]string{"set-role", "--email", "bob@example.org", "--role", "viewer"}, 0, "user bob@example.org is now viewer"},
			{[]string{"set-role", "--email", "ops@example.org", "--role", "staff"}, 1, "ops@example.org is the only enabled admin"},
			{[]string{"disable", "--email", "ops@example.org"}, 1, "no enabled admin would be left"},
			{[]string{"remove", "--email", "ops@example.org"}, 1, "no enabled admin would be left"},
			{[]string{"remove", "--email", "nobody@example.org"}, 1, `remove user nobody@example.org: user "nobody@example.org" not found`},
			{[]string{"remove", "--email", "vic@example.org"}, 0, "user vic@example.org removed"},
			{[]string{"set-role", "--email", "bob@example.org"}, 2, "--role is required"},
			{[]string{"set-role", "--email", "bob@example.org", "--role", "root"}, 2, `"viewer"`},
			{[]string{"disable"}, 2, "--email is required"},
			{[]string{"disable", "--email", "bob@example.org", "--role", "admin"}, 2, "--role is only for"},
			{[]string{"frobnicate"}, 2, `unknown subcommand "frobnicate"`},
			{nil, 2, "add|list|disable|enable|set-role|remove"},
		}
		for _, s := range steps {
			r := vigie(t, dsn, "", append([]string{"user"}, s.args...)...)
			if r.code != s.code || !strings.Contains(r.stdout+r.stderr, s.says) {
				t.Errorf("user %v: code %d, stdout %q, stderr %q; want code %d saying %q",
					s.args, r.code, r.stdout, r.stderr, s.code, s.says)
			}
		}
		r = vigie(t, dsn, "", "token", "list", "--user", "bob@example.org")
		if r.code != 0 || strings.Contains(r.stdout, "ci") {
			t.Fatalf("bob's tokens after disable and enable, want none: %+v", r)
		}
		r = vigie(t, dsn, "", "user", "list")
		if l := lineOf(r.stdout, "bob@example.org"); !strings.Contains(l, "viewer") || strings.Contains(r.stdout, "vic@") {
			t.Fatalf("user list after changes:\n%s", r.stdout)
		}
	})
}

func TestTokenRoleAndScopeCommands(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	if r := vigie(t, dsn, "", "user", "add", "--email", "ops@example.org", "--role", "admin"); r.code != 0 {
		t.Fatal(r)
	}
	if r := vigie(t, dsn, "", "user", "add", "--email", "bob@example.org", "--role", "staff"); r.code != 0 {
		t.Fatal(r)
	}
	for _, args := range [][]string{
		{"--user", "ops@example.org", "--name", "am", "--scope", "alertmanager"},
		{"--user", "ops@example.org", "--name", "look", "--role", "viewer", "--scope", "read"},
		{"--user", "ops@example.org", "--name", "import", "--scope", "import, read"},
		{"--user", "ops@example.org", "--name", "plain"},
	} {
		if r := vigie(t, dsn, "", append([]string{"token", "create"}, args...)...); r.code != 0 {
			t.Fatalf("token create %v: %+v", args, r)
		}
	}
	r := vigie(t, dsn, "", "token", "list", "--user", "ops@example.org")
	if r.code != 0 || !strings.Contains(lineOf(r.stdout, "NAME"), "ROLE") || !strings.Contains(lineOf(r.stdout, "NAME"), "SCOPES") {
		t.Fatalf("token list: %+v", r)
	}
	want := map[string][]string{
		"am ":     {"admin (user's)", "alertmanager"},
		"look ":   {"viewer", "read"},
		"import ": {"admin (user's)", "read,import"},
		"plain ":  {"admin (user's)", "all"},
	}
	for prefix, fields := range want {
		l := lineOf(r.stdout, prefix)
		for _, f := range fields {
			if !strings.Contains(l, f) {
				t.Errorf("token list line %q does not show %q:\n%s", prefix, f, r.stdout)
			}
		}
	}
	refusals := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"create", "--user", "bob@example.org", "--name", "t", "--scope", "import"}, 1, "scope import would give a staff token nothing"},
		{[]string{"create", "--user", "bob@example.org", "--name", "t", "--role", "admin"}, 1, "may not exceed"},
		{[]string{"create", "--user", "bob@example.org", "--name", "t", "--scope", "write"}, 2, `scope "write"`},
		{[]string{"create", "--user", "bob@example.org", "--name", "t", "--role", "root"}, 2, `role "root"`},
		{[]string{"list", "--user", "bob@example.org", "--scope", "read"}, 2, "only for create"},
	}
	for _, s := range refusals {
		r := vigie(t, dsn, "", append([]string{"token"}, s.args...)...)
		if r.code != s.code || !strings.Contains(r.stderr, s.says) {
			t.Errorf("token %v: code %d, stderr %q; want code %d saying %q", s.args, r.code, r.stderr, s.code, s.says)
		}
	}
}
