package main

import (
	"context"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestAuditListShowsAndExportsTheLog lists the audit log as a table, a page
// at a time and filtered, and exports it as CSV with formulas defused.
func TestAuditListShowsAndExportsTheLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dsn := dsnOf(t, db)
		a, err := app.Open(context.Background(), app.Config{DB: dsn})
		if err != nil {
			t.Fatal(err)
		}
		defer closeApp(&env{stderr: io.Discard}, a)
		log := a.Audit
		at := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
		for i, e := range []auth.AuditEntry{
			{Actor: "ana@example.org", Action: "sign-in", Addr: "192.0.2.1", OK: true},
			{Actor: "bob@example.org", Action: "sign-in-failed", Addr: "192.0.2.2", Detail: "wrong password\n\x1b[31mred"},
			{Actor: "=cmd()", Action: "POST /api/v1/customers", Target: "id=C1", OK: true},
		} {
			e.At = at.Add(time.Duration(i) * time.Minute)
			if err := log.Record(context.Background(), e); err != nil {
				t.Fatal(err)
			}
		}
		r := vigie(t, dsn, "", "audit", "list", "--limit", "2")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "ID") || !strings.Contains(r.stdout, "next page: --after 2") {
			t.Fatalf("audit list --limit 2: %+v", r)
		}
		if l := lineOf(r.stdout, "2 "); !strings.Contains(l, "bob@example.org") || !strings.Contains(l, "NO") ||
			!strings.Contains(l, "wrong password  [31mred") {
			t.Fatalf("bob's line %q, want his failed sign-in on one line without escapes:\n%s", l, r.stdout)
		}
		r = vigie(t, dsn, "", "audit", "list", "--after", "2")
		if r.code != 0 || lineOf(r.stdout, "1 ") == "" || strings.Contains(r.stdout, "bob@") || strings.Contains(r.stdout, "next page") {
			t.Fatalf("audit list --after 2: %+v", r)
		}
		r = vigie(t, dsn, "", "audit", "list", "--csv", "--since", "2026-11-26T02:01:00Z")
		rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if r.code != 0 || err != nil || len(rows) != 3 || rows[1][2] != "'=cmd()" || rows[2][2] != "bob@example.org" {
			t.Fatalf("audit list --csv --since: %v %q %+v", err, rows, r)
		}
		for _, bad := range [][]string{
			{"list", "--since", "yesterday"}, {"list", "--limit", "5000"}, {"list", "extra"}, {"show"}, {},
		} {
			if r := vigie(t, dsn, "", append([]string{"audit"}, bad...)...); r.code != 2 {
				t.Errorf("audit %v: %+v, want a usage error", bad, r)
			}
		}
	})
}
