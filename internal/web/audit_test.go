package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// openSide opens a second App on a test server's database, to set up and
// read what the API does not show.
func openSide(t *testing.T, dsn string) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), app.Config{DB: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// tokenOf adds a user of role and returns a client with a token of theirs.
func tokenOf(t *testing.T, c *client, a *app.App, email string, role auth.Role) *client {
	t.Helper()
	ctx := context.Background()
	if _, err := a.Auth.AddUser(ctx, email, role, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	token, _, err := a.Auth.CreateToken(ctx, email, auth.TokenSpec{Name: "dash"})
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: c.base, token: token, dsn: c.dsn}
}

// auditSince returns the entries recorded after the one with id after,
// oldest first.
func auditSince(t *testing.T, a *app.App, after int64) []auth.AuditEntry {
	t.Helper()
	all, err := a.Audit.List(context.Background(), auth.AuditFilter{Limit: auth.MaxAuditLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out []auth.AuditEntry
	for _, e := range slices.Backward(all) {
		if e.ID > after {
			out = append(out, e)
		}
	}
	return out
}

// TestEveryStaffChangeIsAuditedOnce calls the real router with real tokens:
// each change writes exactly one entry naming who, what (method and route
// pattern), on what (path values), from where and whether it succeeded; a
// read writes none, a refused change is recorded as failed, and a request
// nobody is behind is not recorded.
func TestEveryStaffChangeIsAuditedOnce(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			admin := startServer(t, e)
			a := openSide(t, admin.dsn)
			viewer := tokenOf(t, admin, a, "vic@example.org", auth.RoleViewer)
			nobody := &client{t: t, base: admin.base, token: "vigie_nonsense"}
			steps := []struct {
				who          *client
				method, path string
				body         string
				status       int
				// actor "" expects no entry.
				actor, action, target string
				ok                    bool
			}{
				{admin, "POST", "/api/v1/customers", `{"id": "C1", "name": "Acme", "email": "it@acme.example"}`, 201,
					"ops@example.org (token test)", "POST /api/v1/customers", "", true},
				{admin, "PUT", "/api/v1/customers/C1", `{"id": "C1", "name": "Acme SA", "email": "it@acme.example"}`, 200,
					"ops@example.org (token test)", "PUT /api/v1/customers/{id}", "id=C1", true},
				{admin, "GET", "/api/v1/customers/C1", "", 200, "", "", "", false},
				{admin, "POST", "/api/v1/incidents/999/events", `{"text": "looking"}`, 404,
					"ops@example.org (token test)", "POST /api/v1/incidents/{id}/events", "id=999", false},
				{admin, "DELETE", "/api/v1/users/zed@example.org/tokens/ci", "", 404,
					"ops@example.org (token test)", "DELETE /api/v1/users/{email}/tokens/{name}", "email=zed@example.org, name=ci", false},
				{viewer, "DELETE", "/api/v1/customers/C1", "", 403,
					"vic@example.org (token dash)", "DELETE /api/v1/customers/{id}", "id=C1", false},
				{viewer, "GET", "/api/v1/customers", "", 200, "", "", "", false},
				{nobody, "POST", "/api/v1/customers", `{"id": "C2", "name": "Bob"}`, 401, "", "", "", false},
				{admin, "DELETE", "/api/v1/customers/C1", "", 204,
					"ops@example.org (token test)", "DELETE /api/v1/customers/{id}", "id=C1", true},
			}
			var last int64
			for _, s := range steps {
				name := fmt.Sprintf("%s %s as %s", s.method, s.path, s.actor)
				if status, body := s.who.json(s.method, s.path, s.body); status != s.status {
					t.Fatalf("%s: %d %v, want %d", name, status, body, s.status)
				}
				got := auditSince(t, a, last)
				if s.actor == "" {
					if len(got) != 0 {
						t.Errorf("%s: recorded %+v, want nothing", name, got)
					}
					continue
				}
				if len(got) != 1 {
					t.Fatalf("%s: %d entries %+v, want one", name, len(got), got)
				}
				en := got[0]
				last = en.ID
				if en.Actor != s.actor || en.Action != s.action || en.Target != s.target || en.OK != s.ok ||
					en.Addr != "127.0.0.1" || en.Detail != "" {
					t.Errorf("%s: recorded %+v, want actor %s, action %q, target %q, ok %v", name, en, s.actor, s.action, s.target, s.ok)
				}
				if strings.Contains(en.Detail, "Acme") || strings.Contains(en.Target, "Acme") {
					t.Errorf("%s: the body went into the log: %+v", name, en)
				}
			}
		})
	}
}

// TestTheAuditLogIsForAdminsOnly: viewers' and staff's tokens are refused
// the audit log in every form, admins' are not.
func TestTheAuditLogIsForAdminsOnly(t *testing.T) {
	admin := startServer(t, store.SQLite)
	a := openSide(t, admin.dsn)
	viewer := tokenOf(t, admin, a, "vic@example.org", auth.RoleViewer)
	staff := tokenOf(t, admin, a, "sam@example.org", auth.RoleStaff)
	for _, path := range []string{"/api/v1/audit", "/api/v1/audit?format=csv", "/api/v1/audit.csv"} {
		for _, c := range []*client{viewer, staff} {
			if status, body := c.do("GET", path, "", nil); status != http.StatusForbidden ||
				!strings.Contains(fmt.Sprint(body["message"]), `"audit:read"`) {
				t.Errorf("GET %s as a non-admin: %d %v, want 403 naming audit:read", path, status, body)
			}
		}
	}
	if status, body := admin.json("GET", "/api/v1/audit", ""); status != http.StatusOK || body["entries"] == nil {
		t.Fatalf("GET /api/v1/audit as an admin: %d %v", status, body)
	}
}

// TestTheAuditLogIsFilteredAndPaged lists the log through the API by actor,
// action and time, a page at a time, and refuses bad filters naming them.
func TestTheAuditLogIsFilteredAndPaged(t *testing.T) {
	c := startServer(t, store.SQLite)
	a := openSide(t, c.dsn)
	ctx := context.Background()
	base := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	for i := range 5 {
		actor := "ana@example.org"
		if i%2 == 1 {
			actor = "bob@example.org"
		}
		err := a.Audit.Record(ctx, auth.AuditEntry{At: base.Add(time.Duration(i) * time.Hour), Actor: actor,
			Action: "sign-in", Addr: "192.0.2.1", OK: true})
		if err != nil {
			t.Fatal(err)
		}
	}
	ids := func(body map[string]any) []string {
		var out []string
		for _, e := range body["entries"].([]any) {
			m := e.(map[string]any)
			out = append(out, fmt.Sprintf("%s@%s", m["actor"], m["at"]))
		}
		return out
	}
	status, body := c.json("GET", "/api/v1/audit?actor=ana@example.org&limit=2", "")
	if got := ids(body); status != 200 || !slices.Equal(got, []string{
		"ana@example.org@2026-11-26T06:00:00Z", "ana@example.org@2026-11-26T04:00:00Z"}) || body["next"] == "" {
		t.Fatalf("first page of ana's: %d %v", status, body)
	}
	status, body = c.json("GET", "/api/v1/audit?actor=ana@example.org&limit=2&after_id="+body["next"].(string), "")
	if got := ids(body); status != 200 || !slices.Equal(got, []string{"ana@example.org@2026-11-26T02:00:00Z"}) || body["next"] != "" {
		t.Fatalf("second page of ana's: %d %v", status, body)
	}
	status, body = c.json("GET", "/api/v1/audit?action=sign-in&since=2026-11-26T03:00:00Z&until=2026-11-26T05:00:00Z", "")
	if got := ids(body); status != 200 || !slices.Equal(got, []string{
		"ana@example.org@2026-11-26T04:00:00Z", "bob@example.org@2026-11-26T03:00:00Z"}) {
		t.Fatalf("since and until: %d %v", status, body)
	}
	for query, says := range map[string]string{
		"since=yesterday": "since: want an RFC 3339 time",
		"after_id=-3":     "after_id: want an entry id",
		"limit=5000":      "limit: want a number from 1 to 1000",
		"format=xml":      "format: want json or csv",
		"until=2026-11-26T01:00:00Z&since=2026-11-26T02:00:00Z": "until: must be after since",
		"who=ana": "unknown query parameter who",
	} {
		if status, body := c.json("GET", "/api/v1/audit?"+query, ""); status != http.StatusBadRequest ||
			!strings.Contains(fmt.Sprint(body["message"]), says) {
			t.Errorf("?%s: %d %v, want 400 saying %q", query, status, body, says)
		}
	}
}

// TestTheAuditLogExportsAsSafeCSV downloads the log as a CSV attachment,
// by both routes: a header row, fields with commas, quotes and line breaks
// kept whole, and cells a spreadsheet would run as formulas defused.
func TestTheAuditLogExportsAsSafeCSV(t *testing.T) {
	c := startServer(t, store.SQLite)
	a := openSide(t, c.dsn)
	at := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	err := a.Audit.Record(context.Background(), auth.AuditEntry{At: at, Actor: "=HYPERLINK(\"http://evil\")",
		Action: "sign-in-failed", Target: "+33 1 23", Addr: "192.0.2.7", Detail: "said \"hi\", then\nleft", OK: false})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/audit.csv", "/api/v1/audit?format=csv&actor=%3DHYPERLINK(%22http://evil%22)"} {
		req, _ := http.NewRequest("GET", c.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="vigie-audit-`) {
			t.Fatalf("GET %s: %d %v\n%s", path, resp.StatusCode, resp.Header, data)
		}
		rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
		if err != nil {
			t.Fatalf("GET %s: not CSV: %v\n%s", path, err, data)
		}
		want := [][]string{
			{"id", "at", "actor", "action", "target", "addr", "detail", "ok"},
			{rows[len(rows)-1][0], "2026-11-26T02:00:00Z", "'=HYPERLINK(\"http://evil\")", "sign-in-failed", "'+33 1 23",
				"192.0.2.7", "said \"hi\", then\nleft", "false"},
		}
		if len(rows) != 2 || !slices.Equal(rows[0], want[0]) || !slices.Equal(rows[1], want[1]) {
			t.Errorf("GET %s: rows\n%q\nwant\n%q", path, rows, want)
		}
	}
}
