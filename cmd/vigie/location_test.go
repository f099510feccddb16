package main

import (
	"os"
	"path/filepath"
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

func TestAgentCommands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dsn := dsnOf(t, db)
		host := filepath.Join(t.TempDir(), "host.yaml")
		if err := os.WriteFile(host, []byte("assets:\n  - {name: hv03, kind: hypervisor}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if r := vigie(t, dsn, "", "import", host); r.code != 0 {
			t.Fatalf("import: %+v", r)
		}
		if r := vigie(t, dsn, "", "agent", "add", "hv99"); r.code != 1 || !strings.Contains(r.stderr, `"hv99"`) || !strings.Contains(r.stderr, "not found") {
			t.Errorf("agent of an unknown asset: %+v", r)
		}
		r := vigie(t, dsn, "", "agent", "add", "hv03")
		token := strings.TrimSpace(r.stdout)
		if r.code != 0 || !strings.HasPrefix(token, "vagt_") || strings.Contains(token, "\n") || !strings.Contains(r.stderr, "shown once") {
			t.Fatalf("add: %+v", r)
		}
		if r := vigie(t, dsn, "", "agent", "add", "hv03"); r.code != 1 || !strings.Contains(r.stderr, "already has an agent") {
			t.Errorf("duplicate add: %+v", r)
		}
		r = vigie(t, dsn, "", "agent", "list")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if r.code != 0 || strings.Contains(r.stdout, "vagt_") || len(lines) != 2 || !strings.HasPrefix(lines[1], "hv03") ||
			!strings.Contains(lines[1], "never") {
			t.Fatalf("list:\n%+v", r)
		}
		r = vigie(t, dsn, "", "agent", "rotate", "hv03")
		if fresh := strings.TrimSpace(r.stdout); r.code != 0 || !strings.HasPrefix(fresh, "vagt_") || fresh == token {
			t.Fatalf("rotate: %+v", r)
		}
		if r := vigie(t, dsn, "", "agent", "remove", "hv03"); r.code != 0 || !strings.Contains(r.stdout, "removed") {
			t.Fatalf("remove: %+v", r)
		}
		for _, sub := range []string{"rotate", "remove"} {
			if r := vigie(t, dsn, "", "agent", sub, "hv03"); r.code != 1 || !strings.Contains(r.stderr, "not found") {
				t.Errorf("%s without an agent: %+v", sub, r)
			}
		}
		if r := vigie(t, dsn, "", "agent", "list"); r.code != 0 || strings.Contains(r.stdout, "hv03") {
			t.Errorf("list after remove: %+v", r)
		}
	})
}
