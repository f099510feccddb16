package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// pmForm is the editor's form with every section from pm, and rows of
// action items.
func pmForm(pm incident.PostMortem, actions ...incident.ActionItem) url.Values {
	f := url.Values{}
	for _, fl := range pmFields {
		f.Set(fl.name, *fl.at(&pm))
	}
	for _, a := range actions {
		f.Add("action_title", a.Title)
		f.Add("action_owner", a.Owner)
		f.Add("action_type", string(a.Type))
		f.Add("action_due", a.Due)
		f.Add("action_status", string(a.Status))
	}
	return f
}

// TestConsolePostMortemEditorPreviewsReviewsAndPublishes: the editor drafts
// the post-mortem from the timeline; a preview renders the Markdown as the
// API's HTML does (raw HTML left out) and saves nothing; saving keeps the
// sections and action items; review, then publication, refused while the
// root cause is empty (naming it), then allowed; once published it can be
// made public, and no longer edited.
func TestConsolePostMortemEditorPreviewsReviewsAndPublishes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newIncSite(t, db)
		inc := site.open(t, "hv01 down", "hv01")
		b := site.staffBrowser(t, "ana@host.example", auth.RoleStaff)
		path := "/staff/incidents/" + strconv.FormatInt(inc.ID, 10) + "/postmortem"
		resp, body := b.get(path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="root_cause"`) || !strings.Contains(body, `id="to-review"`) {
			t.Fatalf("editor: %d\n%s", resp.StatusCode, excerpt(body))
		}
		stored := func() incident.PostMortem {
			t.Helper()
			pm, err := site.d.PostMortems.Get(ctx, inc.ID, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			return pm
		}
		drafted := stored()
		if drafted.Timeline == "" {
			t.Fatal("the post-mortem was not drafted from the timeline")
		}
		pm := drafted
		pm.Summary = "The **power supply** of hv01 failed. <script>alert(1)</script>"
		action := incident.ActionItem{Title: "Second PSU", Owner: "ana", Type: incident.ActionPrevent, Due: "2027-01-15", Status: incident.ActionOpen}
		form := pmForm(pm, action, incident.ActionItem{Type: incident.ActionPrevent, Status: incident.ActionOpen})
		form.Set("do", "preview")
		resp, body = b.post(path, form)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="pm-preview"`) || !strings.Contains(body, "<strong>power supply</strong>") ||
			!strings.Contains(body, "<td>Second PSU</td>") || strings.Contains(body, "<script>alert(1)") {
			t.Fatalf("preview: %d\n%s", resp.StatusCode, excerpt(body))
		}
		if got := stored(); got.Summary != drafted.Summary || len(got.Actions) != 0 {
			t.Fatalf("the preview saved: %+v", got)
		}

		form.Set("do", "save")
		resp, body = b.post(path, form)
		wantRedirect(t, "save", resp, body, path, "saved")
		if resp, body := b.get(resp.Header.Get("Location")); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="done"`) {
			t.Fatalf("after saving: %d\n%s", resp.StatusCode, excerpt(body))
		}
		if got := stored(); got.Summary != pm.Summary || len(got.Actions) != 1 || got.Actions[0] != action {
			t.Fatalf("saved: %+v", got)
		}
		bad := pmForm(pm, incident.ActionItem{Title: "Undated", Type: incident.ActionPrevent, Due: "soon", Status: incident.ActionOpen})
		if resp, body := b.post(path, bad); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "actions[0].due") ||
			!strings.Contains(body, "Undated") {
			t.Fatalf("bad action: %d\n%s", resp.StatusCode, excerpt(body))
		}
		if got := stored(); len(got.Actions) != 1 || got.Actions[0] != action {
			t.Fatalf("a refused save changed the post-mortem: %+v", got.Actions)
		}

		state := func(v url.Values) (*http.Response, string) { return b.post(path+"/state", v) }
		resp, body = state(url.Values{"state": {"in_review"}})
		wantRedirect(t, "review", resp, body, path, "state")
		resp, body = state(url.Values{"state": {"published"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "root_cause: required before publishing") {
			t.Fatalf("publishing without a root cause: %d\n%s", resp.StatusCode, excerpt(body))
		}
		if got := stored(); got.State != incident.PMInReview {
			t.Fatalf("refused publication: state %s", got.State)
		}
		pm = stored()
		pm.RootCause, pm.Resolution = "A worn power supply.", "Replaced it; hv01 rebooted."
		resp, body = b.post(path, pmForm(pm, pm.Actions...))
		wantRedirect(t, "save in review", resp, body, path, "saved")
		resp, body = state(url.Values{"state": {"published"}})
		wantRedirect(t, "publish", resp, body, path, "state")
		resp, body = state(url.Values{"public": {"true"}})
		wantRedirect(t, "make public", resp, body, path, "public")
		if got := stored(); got.State != incident.PMPublished || !got.Public || got.RootCause != pm.RootCause {
			t.Fatalf("published: %+v", got)
		}
		_, body = b.get(path)
		if strings.Contains(body, `id="pm-save"`) || strings.Contains(body, `name="summary"`) || !strings.Contains(body, "<p>A worn power supply.</p>") {
			t.Fatalf("a published post-mortem is offered for editing, or not shown:\n%s", excerpt(body))
		}
		pm.Summary = "Changed after publication"
		if resp, body := b.post(path, pmForm(pm, pm.Actions...)); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "published") {
			t.Fatalf("editing a published post-mortem: %d\n%s", resp.StatusCode, excerpt(body))
		}
		if resp, body := state(url.Values{"state": {"archived"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "state: want draft") {
			t.Fatalf("unknown state: %d\n%s", resp.StatusCode, excerpt(body))
		}
	})
}

// TestConsoleTicketPageAnswersNotesAndMoves: the staff page of a linked
// ticket shows its thread, answers it (the ticket then waits on the
// customer), adds a staff note, changes its status, and names the field of
// a refused change.
func TestConsoleTicketPageAnswersNotesAndMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newIncSite(t, db)
		inc := site.open(t, "hv01 down", "hv01")
		th, err := site.tickets.Open(ctx, support.NewTicket{Customer: "C1", Asset: "alice-blog", Subject: "Blog down", Body: "Since 01:45",
			By: support.Actor{Kind: support.ByCustomer, ID: "alice@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		b := site.staffBrowser(t, "ana@host.example", auth.RoleStaff)
		path := "/staff/tickets/" + strconv.FormatInt(th.Ticket.ID, 10)
		resp, body := b.get(path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Since 01:45") || !strings.Contains(body, `href="/staff/incidents/`+strconv.FormatInt(inc.ID, 10)+`"`) {
			t.Fatalf("ticket page: %d\n%s", resp.StatusCode, excerpt(body))
		}
		resp, body = b.post(path+"/replies", url.Values{"body": {"We are on it."}})
		wantRedirect(t, "reply", resp, body, path, "reply")
		if resp, body := b.get(resp.Header.Get("Location")); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="done"`) {
			t.Fatalf("after answering: %d\n%s", resp.StatusCode, excerpt(body))
		}
		resp, body = b.post(path+"/replies", url.Values{"body": {"PSU ordered"}, "internal": {"1"}})
		wantRedirect(t, "note", resp, body, path, "reply")
		resp, body = b.post(path+"/status", url.Values{"status": {"resolved"}})
		wantRedirect(t, "status", resp, body, path, "ticket-status")
		full, err := site.tickets.Thread(ctx, th.Ticket.ID)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, m := range full.Messages {
			texts = append(texts, m.Author+"|"+strconv.FormatBool(m.Internal)+"|"+m.Body)
		}
		joined := strings.Join(texts, "\n")
		if full.Ticket.Status != support.Resolved || !strings.Contains(joined, "ana@host.example|false|We are on it.") ||
			!strings.Contains(joined, "ana@host.example|true|PSU ordered") {
			t.Fatalf("thread after the page's actions: %s\n%s", full.Ticket.Status, joined)
		}
		resp, body = b.post(path+"/status", url.Values{"status": {"waiting"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "status: cannot move from resolved to waiting") {
			t.Fatalf("refused move: %d\n%s", resp.StatusCode, excerpt(body))
		}
		viewer := site.staffBrowser(t, "vic@host.example", auth.RoleViewer)
		if resp, _ := viewer.post(path+"/replies", url.Values{"body": {"hi"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer's answer: %d", resp.StatusCode)
		}
	})
}
