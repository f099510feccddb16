package main

import (
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestLocationCommands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dsn := dsnOf(t, db)
		r := vigie(t, dsn, "", "location", "add", "paris")
		token := strings.TrimSpace(r.stdout)
		if r.code != 0 || !strings.HasPrefix(token, "vloc_") || strings.Contains(token, "\n") {
			t.Fatalf("add: %+v", r)
		}
		if !strings.Contains(r.stderr, "shown once") {
			t.Errorf("add does not tell to keep the token: %q", r.stderr)
		}
		if r := vigie(t, dsn, "", "location", "add", "paris"); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
			t.Errorf("duplicate add: %+v", r)
		}
		if r := vigie(t, dsn, "", "location", "add", "--db", dsn, "montreal"); r.code != 0 {
			t.Fatalf("add with --db after the subcommand: %+v", r)
		}

		r = vigie(t, dsn, "", "location", "list")
		if r.code != 0 || strings.Contains(r.stdout, token) || strings.Contains(r.stdout, "vloc_") {
			t.Fatalf("list shows a token or failed: %+v", r)
		}
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "LAST SEEN") ||
			!strings.HasPrefix(lines[2], "paris") || !strings.Contains(lines[2], "never") || !strings.HasSuffix(lines[2], "active") {
			t.Fatalf("list:\n%s", r.stdout)
		}

		r = vigie(t, dsn, "", "location", "rotate", "paris")
		if fresh := strings.TrimSpace(r.stdout); r.code != 0 || !strings.HasPrefix(fresh, "vloc_") || fresh == token {
			t.Fatalf("rotate: %+v", r)
		}

		if r := vigie(t, dsn, "", "location", "revoke", "paris"); r.code != 0 || !strings.Contains(r.stdout, `location "paris" revoked`) {
			t.Fatalf("revoke: %+v", r)
		}
		r = vigie(t, dsn, "", "location", "list")
		if !strings.Contains(r.stdout, "revoked") || !strings.Contains(r.stdout, "montreal") {
			t.Fatalf("list after revoke:\n%s", r.stdout)
		}

		for _, sub := range []string{"rotate", "revoke"} {
			r := vigie(t, dsn, "", "location", sub, "nowhere")
			if r.code != 1 || !strings.Contains(r.stderr, `"nowhere"`) || !strings.Contains(r.stderr, "not found") {
				t.Errorf("%s of an unknown location: %+v", sub, r)
			}
		}
	})
}

func TestLocationCommandRefusesBadInput(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"location", "add", "local"}, "reserved for the server's built-in probe"},
		{[]string{"location", "add", "Paris"}, "must be a lower-case letter"},
		{[]string{"location", "add"}, "want one location NAME"},
		{[]string{"location", "add", "a", "b"}, "want one location NAME"},
		{[]string{"location", "list", "paris"}, "unexpected argument"},
		{[]string{"location", "frob"}, "want 'vigie location add|list|rotate|revoke"},
		{[]string{"location"}, "want 'vigie location add|list|rotate|revoke"},
	} {
		r := vigie(t, dsn, "", tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("vigie %s: %+v, want exit 2 saying %q", strings.Join(tc.args, " "), r, tc.msg)
		}
	}
	if r := vigie(t, dsn, "", "location", "add", "--help"); r.code != 0 || !strings.Contains(r.stdout, "Usage: vigie location add") {
		t.Errorf("location add --help: %+v", r)
	}
}
