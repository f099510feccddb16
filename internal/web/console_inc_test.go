package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// TestConsoleIncidentActionsChangeTheIncidentAsTheAPIWould: through the
// page's forms a staff member acknowledges, takes the lead and the
// communication, changes status and severity, holds, adds a note, posts a
// public update and resolves the linked tickets; each answer is a 303 back
// to the page with its confirmation, and the incident changes as the API's
// PATCH would have changed it, on the timeline under their name. A move the
// rules refuse shows the page again naming the field, nothing changed.
func TestConsoleIncidentActionsChangeTheIncidentAsTheAPIWould(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newIncSite(t, db)
		inc := site.open(t, "hv01 down", "hv01")
		other := site.open(t, "Alarm on alice-blog", "alice-blog")
		other.Status, other.MergedInto = incident.Merged, inc.ID
		if err := site.d.Incidents.Update(ctx, &other); err != nil {
			t.Fatal(err)
		}
		th, err := site.tickets.Open(ctx, support.NewTicket{Customer: "C1", Asset: "alice-blog", Subject: "Blog down", Body: "Since 01:45",
			By: support.Actor{Kind: support.ByCustomer, ID: "alice@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		const me = "ana@host.example"
		b := site.staffBrowser(t, me, auth.RoleStaff)
		page := "/staff/incidents/" + strconv.FormatInt(inc.ID, 10)

		resp, body := b.get("/staff/incidents")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="`+page+`"`) || !strings.Contains(body, "hv01 down") {
			t.Fatalf("list: %d\n%s", resp.StatusCode, excerpt(body))
		}
		resp, body = b.get(page)
		for _, want := range []string{`href="/staff/incidents/` + strconv.FormatInt(other.ID, 10) + `"`, `href="/staff/tickets/` + strconv.FormatInt(th.Ticket.ID, 10) + `"`,
			"Blog down", "alice-blog", "Alice Ateliers", `action="` + page + `/acknowledge"`} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("incident page: %d, want %q in\n%s", resp.StatusCode, want, excerpt(body))
			}
		}

		steps := []struct {
			path string
			form url.Values
			done string
			ok   func(i incident.Incident) bool
		}{
			{"acknowledge", nil, "acknowledge", func(i incident.Incident) bool { return i.AcknowledgedAt != nil }},
			{"lead", nil, "lead", func(i incident.Incident) bool { return i.Lead == me }},
			{"communication", nil, "communication", func(i incident.Incident) bool { return i.Comms == me }},
			{"status", url.Values{"status": {"identified"}}, "status", func(i incident.Incident) bool { return i.Status == incident.Identified }},
			{"severity", url.Values{"severity": {"critical"}}, "severity", func(i incident.Incident) bool { return i.Severity == incident.Critical }},
			{"hold", nil, "hold", func(i incident.Incident) bool { return i.Hold }},
			{"hold", url.Values{"release": {"1"}}, "hold-off", func(i incident.Incident) bool { return !i.Hold }},
			{"hold", nil, "hold", func(i incident.Incident) bool { return i.Hold }},
			{"notes", url.Values{"text": {"Rebooting hv01 from the console"}}, "note", func(incident.Incident) bool { return true }},
			{"updates", url.Values{"status": {"monitoring"}, "message_fr": {"Corrigé, sous surveillance."}, "message_en": {"Fixed, monitoring."}},
				"update", func(i incident.Incident) bool { return i.Status == incident.Monitoring }},
			{"tickets/resolve", nil, "tickets", func(incident.Incident) bool { return true }},
		}
		for _, s := range steps {
			resp, body := b.post(page+"/"+s.path, s.form)
			wantRedirect(t, s.path, resp, body, page, s.done)
			if got := site.incident(t, inc.ID); !s.ok(got) {
				t.Fatalf("after %s: %+v", s.path, got)
			}
			if _, body := b.get(resp.Header.Get("Location")); !strings.Contains(body, `id="done"`) {
				t.Fatalf("after %s: no confirmation\n%s", s.path, excerpt(body))
			}
		}
		events, err := site.d.Incidents.Events(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var mine []string
		for _, e := range events {
			if e.Author == me {
				mine = append(mine, string(e.Type)+": "+e.Text)
			}
		}
		for _, want := range []string{"role-changed: lead: " + me, "role-changed: communication: " + me, "status-changed: status: investigating → identified",
			"note: Rebooting hv01 from the console", "status-changed: status: identified → monitoring"} {
			if !slices.Contains(mine, want) {
				t.Errorf("the timeline lacks %q under %s: %q", want, me, mine)
			}
		}
		updates, err := site.d.Incidents.PublicUpdates(ctx, []int64{inc.ID})
		if err != nil || len(updates[inc.ID]) != 1 || updates[inc.ID][0].MessageEN != "Fixed, monitoring." || updates[inc.ID][0].Author != me {
			t.Fatalf("public updates: %+v %v", updates[inc.ID], err)
		}
		if tk, err := site.tickets.Ticket(ctx, th.Ticket.ID); err != nil || tk.Status != support.Resolved {
			t.Fatalf("linked ticket after resolving: %+v %v", tk, err)
		}
		var audited []string
		for _, e := range site.audited(t) {
			if e.Actor == me && e.OK {
				audited = append(audited, e.Action)
			}
		}
		if !slices.Contains(audited, "POST /staff/incidents/{id}/acknowledge") || !slices.Contains(audited, "POST /staff/incidents/{id}/updates") {
			t.Errorf("the audit log of %s: %q", me, audited)
		}

		before := site.incident(t, inc.ID)
		for _, bad := range []struct {
			path  string
			form  url.Values
			field string
		}{
			{"status", url.Values{"status": {"investigating"}}, "status: cannot move from monitoring to investigating"},
			{"severity", url.Values{"severity": {"apocalyptic"}}, "severity: want critical, major or minor"},
			{"updates", url.Values{"status": {"monitoring"}}, "message_fr: required"},
			{"notes", url.Values{"text": {""}}, "text: required"},
		} {
			resp, body := b.post(page+"/"+bad.path, bad.form)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="problem"`) || !strings.Contains(body, bad.field) {
				t.Errorf("%s %v: %d, want 422 naming %q\n%s", bad.path, bad.form, resp.StatusCode, bad.field, excerpt(body))
			}
		}
		if after := site.incident(t, inc.ID); after.Status != before.Status || after.Severity != before.Severity {
			t.Fatalf("a refused change changed the incident: %+v", after)
		}
		if resp, _ := b.get("/staff/incidents/99999"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown incident: %d", resp.StatusCode)
		}
		if resp, _ := b.get("/staff/incidents?state=merged-ish"); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad state filter: %d", resp.StatusCode)
		}
	})
}

// TestConsoleUpdatePreviewSendsNothing: previewing a public update shows
// what each channel would carry in French and English (the e-mail's text,
// the Mastodon status) and a button to send exactly that; nothing is
// stored and the incident does not move until it is sent.
func TestConsoleUpdatePreviewSendsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newIncSite(t, db)
		inc := site.open(t, "hv01 down", "hv01")
		b := site.staffBrowser(t, "ana@host.example", auth.RoleStaff)
		page := "/staff/incidents/" + strconv.FormatInt(inc.ID, 10)
		form := url.Values{"status": {"identified"}, "message_fr": {"Panne d'alimentation <b>trouvée</b>."}, "message_en": {"Power failure found."}}
		resp, body := b.post(page+"/updates/preview", form)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("preview: %d\n%s", resp.StatusCode, excerpt(body))
		}
		for _, want := range []string{`id="channels"`, "Courriel : Panne d&#39;alimentation &lt;b&gt;trouvée&lt;/b&gt;.", "E-mail: Power failure found.",
			"Pouet : Panne d&#39;alimentation", "Toot: Power failure found.", `action="` + page + `/updates"`,
			`name="message_en" value="Power failure found."`, `name="status" value="identified"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the preview lacks %q", want)
			}
		}
		if strings.Contains(body, "not this") {
			t.Error("the Mastodon preview shows the e-mail text, not the status")
		}
		if got := site.previewed(); len(got) != 1 || got[0] != [3]string{"identified", "Panne d'alimentation <b>trouvée</b>.", "Power failure found."} {
			t.Fatalf("previews asked: %q", got)
		}
		updates, err := site.d.Incidents.PublicUpdates(ctx, []int64{inc.ID})
		if err != nil || len(updates[inc.ID]) != 0 {
			t.Fatalf("a preview stored an update: %+v %v", updates[inc.ID], err)
		}
		if got := site.incident(t, inc.ID); got.Status != incident.Investigating {
			t.Fatalf("a preview moved the incident to %s", got.Status)
		}
		// A preview of what posting would refuse says so, and asks nothing.
		resp, body = b.post(page+"/updates/preview", url.Values{"status": {"identified"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "message_fr: required") || len(site.previewed()) != 1 {
			t.Fatalf("empty preview: %d, %d previews\n%s", resp.StatusCode, len(site.previewed()), excerpt(body))
		}
		resp, body = b.post(page+"/updates", form)
		wantRedirect(t, "send", resp, body, page, "update")
		if got := site.incident(t, inc.ID); got.Status != incident.Identified {
			t.Fatalf("sent update: incident %s", got.Status)
		}
	})
}

// TestConsoleAffectedCustomersFilterAndCSV: the page lists the customers
// and sites the incident reaches, the filter keeps those matching by id,
// name or site, and the CSV has one row per site with formula-like cells
// defused.
func TestConsoleAffectedCustomersFilterAndCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site := newIncSite(t, db)
		inc := site.open(t, "hv01 down", "hv01")
		b := site.staffBrowser(t, "ana@host.example", auth.RoleViewer)
		page := "/staff/incidents/" + strconv.FormatInt(inc.ID, 10)
		_, body := b.get(page)
		for _, want := range []string{"alice-blog, alice-shop", "bob-bakery", "carol-site", "3 of 3 customers"} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(body, "dan-site") {
			t.Error("the page lists a site outside the incident's scope")
		}
		_, body = b.get(page + "?q=SHOP")
		if !strings.Contains(body, "1 of 3 customers") || !strings.Contains(body, "Alice Ateliers") || strings.Contains(body, "bob-bakery") ||
			!strings.Contains(body, `href="`+page+`/affected.csv?q=SHOP"`) {
			t.Fatalf("filtered by a site:\n%s", excerpt(body))
		}
		resp, body := b.get(page + "/affected.csv")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("CSV: %d %v", resp.StatusCode, resp.Header)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("the CSV does not parse: %v\n%s", err, body)
		}
		want := [][]string{{"customer", "customer_name", "site"}, {"C1", "Alice Ateliers", "alice-blog"}, {"C1", "Alice Ateliers", "alice-shop"},
			{"C2", "Bob Bakery", "bob-bakery"}, {"C3", `'=HYPERLINK("http://evil.example")`, "carol-site"}}
		if !slices.EqualFunc(rows, want, slices.Equal) {
			t.Fatalf("CSV rows:\n%q\nwant\n%q", rows, want)
		}
		_, body = b.get(page + "/affected.csv?q=bob")
		if rows, err := csv.NewReader(strings.NewReader(body)).ReadAll(); err != nil || len(rows) != 2 || rows[1][2] != "bob-bakery" {
			t.Fatalf("filtered CSV: %q %v", rows, err)
		}
	})
}

// TestConsoleIncidentFormsNeedTokenAndRole: a form without its token is
// refused, and so is every action of a read-only viewer, who sees the page
// without its forms; nothing changes.
func TestConsoleIncidentFormsNeedTokenAndRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newIncSite(t, db)
		inc := site.open(t, "hv01 down", "hv01")
		page := "/staff/incidents/" + strconv.FormatInt(inc.ID, 10)
		staff := site.staffBrowser(t, "ana@host.example", auth.RoleStaff)
		for _, csrf := range []string{"", "forged"} {
			if resp, _ := staff.post(page+"/acknowledge", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("acknowledge with token %q: %d, want 403", csrf, resp.StatusCode)
			}
		}
		viewer := site.staffBrowser(t, "vic@host.example", auth.RoleViewer)
		resp, body := viewer.get(page)
		if resp.StatusCode != http.StatusOK || strings.Contains(body, `action="`+page+`/acknowledge"`) || strings.Contains(body, `id="update"`) {
			t.Fatalf("viewer's page: %d, with forms\n%s", resp.StatusCode, excerpt(body))
		}
		for _, p := range []string{"acknowledge", "lead", "communication", "status", "severity", "hold", "notes", "updates", "updates/preview",
			"tickets/resolve", "postmortem", "postmortem/state"} {
			form := url.Values{"status": {"identified"}, "severity": {"minor"}, "text": {"x"}, "message_en": {"x"}, "state": {"in_review"}}
			if resp, _ := viewer.post(page+"/"+p, form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("viewer POST %s: %d, want 403", p, resp.StatusCode)
			}
		}
		got := site.incident(t, inc.ID)
		if got.AcknowledgedAt != nil || got.Lead != "" || got.Status != incident.Investigating || got.Severity != incident.Major || got.Hold {
			t.Fatalf("refused requests changed the incident: %+v", got)
		}
		if events, err := site.d.Incidents.Events(ctx, inc.ID); err != nil || len(events) != 1 {
			t.Fatalf("refused requests wrote the timeline: %+v %v", events, err)
		}
		if len(site.previewed()) != 0 {
			t.Fatal("a refused preview was asked")
		}
	})
}
