package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestContactCommands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dsn := dsnOf(t, db)
		hosts := filepath.Join(t.TempDir(), "customers.yaml")
		if err := os.WriteFile(hosts, []byte("customers:\n  - {id: C1, name: Alpha, email: alpha@example.org, language: en}\n  - {id: C2, name: Beta, email: beta@example.org}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if r := vigie(t, dsn, "", "import", hosts); r.code != 0 {
			t.Fatalf("import: %+v", r)
		}
		url := "--public-url=https://status.example.org"
		add := []string{"contact", "add", "--customer", "C1", "--email", "Lea@Alpha.example", "--name", "Léa", url}
		r := vigie(t, dsn, "", add...)
		if r.code != 1 || !strings.Contains(r.stderr, "the invitation cannot be mailed, nothing was changed: configure an e-mail channel for customers: vigie channel add") {
			t.Fatalf("add without a mail channel: %+v", r)
		}
		if r := vigie(t, dsn, "", "contact", "list", "--customer", "C1"); r.code != 0 || strings.Contains(r.stdout, "lea@") {
			t.Fatalf("a contact was kept without their invitation: %+v", r)
		}
		if r := vigie(t, dsn, "", "channel", "add", "mail", "--kind", "email", "--audience", "customers",
			"--config", "host=smtp.example.org", "--config", "from=status@example.org"); r.code != 0 {
			t.Fatalf("channel add: %+v", r)
		}
		for _, bad := range [][]string{
			{"contact", "add", "--customer", "C1", "--email", "lea@alpha.example"},
			{"contact", "add", "--customer", "C1", "--email", "lea@alpha.example", "--public-url", "status.example.org"},
			{"contact", "add", "--customer", "C1", "--email", "lea@alpha.example", "--lang", "de", url},
			{"contact", "add", "--email", "lea@alpha.example", url},
			{"contact", "list", "--customer", "C1", "--email", "lea@alpha.example"},
			{"contact", "remove", "--customer", "C1", "--email", "lea@alpha.example", "--name", "Léa"},
			{"contact", "rename"},
		} {
			if r := vigie(t, dsn, "", bad...); r.code != 2 {
				t.Errorf("%v: %+v, want a usage error", bad, r)
			}
		}
		if r := vigie(t, dsn, "", add...); r.code != 0 || r.stdout != "added contact lea@alpha.example of C1; invitation queued (good for 7 days)\n" {
			t.Fatalf("contact add: %+v", r)
		}
		r = vigie(t, dsn, "", "contact", "list", "--customer", "C1")
		if l := lineOf(r.stdout, "lea@alpha.example"); r.code != 0 || !strings.Contains(l, "Léa") || !strings.Contains(l, "en") || !strings.Contains(l, "invited") {
			t.Fatalf("contact list, Léa's line %q: %+v", l, r)
		}
		invite := []string{"contact", "invite", "--customer", "C1", "--email", "lea@alpha.example", url}
		if r := vigie(t, dsn, "", invite...); r.code != 0 || !strings.Contains(r.stdout, "invitation queued for lea@alpha.example") {
			t.Fatalf("contact invite: %+v", r)
		}
		if r := vigie(t, dsn, "", "contact", "invite", "--customer", "C2", "--email", "lea@alpha.example", url); r.code != 1 ||
			!strings.Contains(r.stderr, "lea@alpha.example is a contact of C1, not of C2") {
			t.Fatalf("inviting another customer's contact: %+v", r)
		}
		ctx := context.Background()
		// On PostgreSQL the commands' database is not db: look at theirs.
		theirs, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = theirs.Close() })
		msgs, err := notify.NewStore(theirs).Messages(ctx, notify.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 2 || msgs[0].Recipient.Address != "lea@alpha.example" || msgs[0].Recipient.Lang != "en" ||
			!strings.HasPrefix(msgs[1].Items[0].Link, "https://status.example.org/account/link/vcl_") {
			t.Fatalf("the invitations queued: %+v", msgs)
		}
		if r := vigie(t, dsn, "", "contact", "remove", "--customer", "C1", "--email", "lea@alpha.example"); r.code != 0 ||
			r.stdout != "removed contact lea@alpha.example of C1; their sessions are ended\n" {
			t.Fatalf("contact remove: %+v", r)
		}
		entries, err := auth.NewAudit(theirs, nil).List(ctx, auth.AuditFilter{Actor: "cli"})
		if err != nil {
			t.Fatal(err)
		}
		var done []string
		for i := len(entries) - 1; i >= 0; i-- {
			done = append(done, strings.TrimPrefix(entries[i].Action, "vigie contact ")+map[bool]string{true: "", false: "(refused)"}[entries[i].OK])
		}
		if got := strings.Join(done, " "); got != "add(refused) add invite invite(refused) remove" {
			t.Errorf("the audit log of the commands: %s", got)
		}
	})
}

// The hand-off secret is read from a file, at least 32 bytes, its final
// line break left out.
func TestTheHandOffSecretComesFromAFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := strings.Repeat("ab", 16)
	secret, err := readHandOffSecret(write("good", good+"\n"))
	if err != nil || string(secret) != good {
		t.Fatalf("a 32-byte secret and a line break: %q %v", secret, err)
	}
	r := vigie(t, "sqlite:"+filepath.Join(dir, "v.db"), "", "serve", "--handoff-secret-file", write("short", strings.Repeat("x", 31)+"\n"))
	if r.code != 2 || !strings.Contains(r.stderr, "holds 31 bytes, a hand-off secret needs at least 32") {
		t.Fatalf("a short secret: %+v", r)
	}
	if r := vigie(t, "sqlite:"+filepath.Join(dir, "v.db"), "", "serve", "--handoff-secret-file", filepath.Join(dir, "none")); r.code != 1 ||
		!strings.Contains(r.stderr, "--handoff-secret-file") {
		t.Fatalf("a missing file: %+v", r)
	}
}
