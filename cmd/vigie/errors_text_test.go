package main

import (
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// What a command prints when it fails is a sentence about the user's
// input, never the database driver's words.
func TestCommandErrorsCarryNoDriverText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dsn := dsnOf(t, db)
		if r := vigie(t, dsn, "", "user", "add", "--email", "ops@example.org", "--role", "admin"); r.code != 0 {
			t.Fatalf("user add: %+v", r)
		}
		cases := []struct {
			args []string
			want string
		}{
			{[]string{"user", "add", "--email", "ops@example.org", "--role", "staff"},
				"vigie user: add user ops@example.org: a user with this e-mail already exists\n"},
			{[]string{"token", "revoke", "--user", "ops@example.org", "--name", "laptop"},
				"vigie token: revoke token: no token named \"laptop\" for ops@example.org\n"},
		}
		for _, c := range cases {
			r := vigie(t, dsn, "", c.args...)
			if r.code != 1 || r.stderr != c.want {
				t.Errorf("vigie %s: code %d, stderr %q, want 1 and %q", strings.Join(c.args, " "), r.code, r.stderr, c.want)
			}
		}
	})
	dir := t.TempDir()
	r := vigie(t, "", "", "migrate", "--db", "sqlite:"+dir)
	if want := "vigie migrate: database sqlite:" + dir + ": is a directory, not a database file\n"; r.code != 1 || r.stderr != want {
		t.Errorf("--db on a folder: code %d, stderr %q, want %q", r.code, r.stderr, want)
	}
}
