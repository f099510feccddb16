package web

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

const supportHost = `customers:
  - {id: C1, name: Alice Ateliers, email: alice@example.org, language: fr, timezone: Europe/Paris}
  - {id: C2, name: Bob Bakery, email: bob@example.org, language: en}
assets:
  - {name: hv01, kind: hypervisor}
  - {name: alice-blog, kind: site, owner: C1, depends_on: [hv01]}
  - {name: bob-bakery, kind: site, owner: C2}
`

// supportServer serves the web layer with tickets over db and returns its
// address (every request as the admin ops@example.org) and the stores.
func supportServer(t *testing.T, db *store.DB, now *time.Time) (string, *support.Store) {
	t.Helper()
	ctx := context.Background()
	inv := inventory.NewService(db, nil)
	if _, err := inv.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(supportHost)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := inv.LoadGraph(ctx); err != nil {
		t.Fatal(err)
	}
	texts, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	a := auth.NewService(db)
	incs := incident.NewStore(db)
	incs.SetOutbox(support.NewTriggers(db))
	st := support.NewStore(db, support.Options{Incidents: incs, Maintenance: incident.NewMaintenanceStore(db), Inventory: inv,
		Auth: a, Texts: texts, Attachments: t.TempDir(), Now: fixedClock(now)})
	base := serveAPI(t, db, Deps{Inventory: inv, Auth: a, Incidents: incs, Support: st, Now: fixedClock(now)}, "")
	return base, st
}

// TestTheTicketsAPIListsShowsAnswersAndChanges drives the staff API over
// a real server: filters, the thread with notes, answers, changes refused
// by field, resolving with an incident, figures and attachments.
func TestTheTicketsAPIListsShowsAnswersAndChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 1, 50, 0, 0, time.UTC)
		base, st := supportServer(t, db, &now)
		alice := support.Actor{Kind: support.ByCustomer, ID: "alice@example.org"}
		png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...)
		first, err := st.Open(ctx, support.NewTicket{Customer: "C1", Asset: "alice-blog", Subject: "Blog down", Body: "Since 01:45",
			By: alice, Files: []support.Upload{{Name: "écran;1 (2).png", Data: png}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Open(ctx, support.NewTicket{Customer: "C2", Subject: "Invoice", Body: "Where is it?",
			By: support.Actor{Kind: support.ByCustomer, ID: "bob@example.org"}}); err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(first.Ticket.ID, 10)
		tickets := func(query string) []any {
			t.Helper()
			code, out := call(t, "GET", base+"/api/v1/tickets"+query, "")
			if code != http.StatusOK {
				t.Fatalf("list %s: %d %v", query, code, out)
			}
			return out["tickets"].([]any)
		}
		if n := len(tickets("")); n != 2 {
			t.Errorf("%d tickets, want 2", n)
		}
		if got := tickets("?customer=C1&status=open,waiting"); len(got) != 1 || got[0].(map[string]any)["subject"] != "Blog down" {
			t.Errorf("C1's open tickets: %v", got)
		}
		if code, out := call(t, "GET", base+"/api/v1/tickets?status=pending", ""); code != http.StatusBadRequest {
			t.Errorf("status=pending: %d %v", code, out)
		}
		if code, out := call(t, "POST", base+"/api/v1/tickets/"+id+"/notes", `{"body": "old PHP"}`); code != http.StatusCreated || out["internal"] != true {
			t.Errorf("note: %d %v", code, out)
		}
		if code, out := call(t, "POST", base+"/api/v1/tickets/"+id+"/replies", `{"body": "On it."}`); code != http.StatusCreated {
			t.Errorf("reply: %d %v", code, out)
		}
		for _, c := range []struct {
			body, field string
			code        int
		}{{`{"status": "nope"}`, "status", 422}, {`{"priority": "asap"}`, "priority", 422},
			{`{"assignee": "nobody@example.org"}`, "assignee", 422}, {`{"status": "open", "body": "x"}`, "body", 400}} {
			code, out := call(t, "PATCH", base+"/api/v1/tickets/"+id, c.body)
			fields, _ := out["fields"].([]any)
			if code != c.code || len(fields) != 1 || fields[0].(map[string]any)["field"] != c.field {
				t.Errorf("PATCH %s: %d %v", c.body, code, out)
			}
		}
		code, out := call(t, "PATCH", base+"/api/v1/tickets/"+id, `{"priority": "urgent", "assignee": "ops@example.org"}`)
		if code != http.StatusOK || out["priority"] != "urgent" || out["assignee"] != "ops@example.org" || out["status"] != "waiting" {
			t.Errorf("PATCH: %d %v", code, out)
		}
		if got := tickets("?assignee=none"); len(got) != 1 {
			t.Errorf("unassigned: %v", got)
		}
		code, out = call(t, "GET", base+"/api/v1/tickets/"+id, "")
		msgs, _ := out["messages"].([]any)
		if code != http.StatusOK || len(msgs) != 4 || msgs[1].(map[string]any)["body"] != "old PHP" {
			t.Fatalf("thread: %d %v", code, out)
		}
		att := msgs[0].(map[string]any)["attachments"].([]any)[0].(map[string]any)["id"].(string)
		resp := get(t, base+"/api/v1/tickets/"+id+"/attachments/"+att)
		data, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(data) != string(png) || resp.Header.Get("Content-Type") != "image/png" ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="_cran_1 (2).png"; filename*=UTF-8''%C3%A9cran%3B1%20%282%29.png` {
			t.Errorf("attachment: %d %q %v", resp.StatusCode, data, resp.Header)
		}
		if resp := get(t, base+"/api/v1/tickets/999/attachments/"+att); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the attachment through another ticket: %d", resp.StatusCode)
		}
	})
}

// TestTheTicketsAPIResolvesAnIncidentsTicketsAndCountsCustomerFirst: a
// ticket written before the incident's detection is linked to it, the
// incident says a customer told us first, staff resolve its tickets
// together, and the figures count it.
func TestTheTicketsAPIResolvesAnIncidentsTicketsAndCountsCustomerFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 1, 50, 0, 0, time.UTC)
		base, st := supportServer(t, db, &now)
		for _, c := range []string{"C1", "C2"} {
			if _, err := st.Open(ctx, support.NewTicket{Customer: c, Subject: "Hello", Body: "A question",
				Asset: map[string]string{"C1": "alice-blog"}[c], By: support.Actor{Kind: support.ByCustomer, Name: c}}); err != nil {
				t.Fatal(err)
			}
		}
		tickets := func(query string) []any {
			t.Helper()
			code, out := call(t, "GET", base+"/api/v1/tickets"+query, "")
			if code != http.StatusOK {
				t.Fatalf("list %s: %d %v", query, code, out)
			}
			return out["tickets"].([]any)
		}
		// An incident detected after Alice wrote: her ticket is linked, she
		// told us first, and staff resolve its tickets together.
		now = now.Add(30 * time.Minute)
		code, out := call(t, "POST", base+"/api/v1/incidents", `{"root_assets": ["hv01"]}`)
		if code != http.StatusCreated {
			t.Fatalf("open incident: %d %v", code, out)
		}
		inc := strconv.FormatInt(int64(out["id"].(float64)), 10)
		if _, err := st.Follow(ctx, 10); err != nil {
			t.Fatal(err)
		}
		if got := tickets("?incident=" + inc); len(got) != 1 {
			t.Errorf("tickets of incident %s: %v", inc, got)
		}
		code, out = call(t, "GET", base+"/api/v1/incidents/"+inc, "")
		if shown, _ := out["incident"].(map[string]any); code != http.StatusOK || shown["customer_first"] != true ||
			shown["first_customer_contact_at"] != "2026-12-07T01:50:00Z" {
			t.Errorf("incident: %d %v", code, out)
		}
		code, out = call(t, "POST", base+"/api/v1/incidents/"+inc+"/tickets/resolve", "")
		if done, _ := out["resolved"].([]any); code != http.StatusOK || len(done) != 1 || done[0].(map[string]any)["status"] != "resolved" {
			t.Errorf("resolve together: %d %v", code, out)
		}
		code, out = call(t, "GET", base+"/api/v1/support/stats?from=2026-12-07T00:00:00Z&to=2026-12-08T00:00:00Z", "")
		if code != http.StatusOK || out["customer_first"] != 1.0 || out["opened"] != 2.0 || out["linked"] != 1.0 ||
			out["by_status"].(map[string]any)["resolved"] != 1.0 {
			t.Errorf("stats: %d %v", code, out)
		}
		if code, out := call(t, "GET", base+"/api/v1/support/stats?from=yesterday", ""); code != http.StatusBadRequest {
			t.Errorf("stats from=yesterday: %d %v", code, out)
		}
	})
}

func get(t *testing.T, url string) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
