package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// listedTickets returns the ids of the tickets a list page shows, in order.
func listedTickets(body string) []int64 {
	var out []int64
	for _, m := range regexp.MustCompile(`<td class="inc-id"><a href="/staff/tickets/(\d+)">`).FindAllStringSubmatch(body, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, n)
	}
	return out
}

// openTicket opens a ticket from a customer's contact, a second after the
// last, and returns its id.
func (s *incSite) openTicket(t *testing.T, customer, asset, subject string, files ...support.Upload) int64 {
	t.Helper()
	s.tick(time.Second)
	th, err := s.tickets.Open(context.Background(), support.NewTicket{Customer: customer, Asset: asset, Subject: subject, Body: "Help, please.",
		Files: files, By: support.Actor{Kind: support.ByCustomer, Name: customer}})
	if err != nil {
		t.Fatal(err)
	}
	return th.Ticket.ID
}

// TestConsoleTicketListFiltersPagesAndMarks: the list shows the last
// changed first, and each filter (status, assignee, customer, asset,
// linked incident) exactly the tickets it should; a ticket written before
// its incident was detected is marked "customer first"; pages of 50 follow
// one another with the filters kept; a bad filter is a 400 naming it.
func TestConsoleTicketListFiltersPagesAndMarks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newIncSite(t, db)
		const me = "ana@host.example"
		b := site.staffBrowser(t, me, auth.RoleStaff)
		site.addStaff(t, "bob@host.example", auth.RoleStaff)

		bakery := site.openTicket(t, "C2", "bob-bakery", "Bakery site slow") // before the incident
		site.tick(5 * time.Minute)
		inc := site.open(t, "hv01 down", "hv01")
		if _, err := site.tickets.Follow(ctx, 10); err != nil {
			t.Fatal(err)
		}
		blog := site.openTicket(t, "C1", "alice-blog", "Blog down") // linked as it opens
		dan := site.openTicket(t, "C4", "dan-site", "Mail question")
		invoice := site.openTicket(t, "C1", "", "Invoice")
		actor := support.Actor{Kind: support.ByStaff, ID: me}
		mine, bobs, resolved := me, "bob@host.example", support.Resolved
		site.tick(time.Minute)
		for _, c := range []struct {
			id int64
			c  support.Change
		}{{dan, support.Change{Assignee: &mine}}, {invoice, support.Change{Assignee: &bobs, Status: &resolved}}} {
			if _, err := site.tickets.Change(ctx, c.id, actor, c.c); err != nil {
				t.Fatal(err)
			}
		}
		site.tick(time.Minute) // the bakery's ticket moves last: it comes first
		if _, err := site.tickets.Note(ctx, bakery, actor, "Looking.", nil); err != nil {
			t.Fatal(err)
		}

		inc1 := strconv.FormatInt(inc.ID, 10)
		for _, c := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{bakery, invoice, dan, blog}},
			{"?status=all&assignee=anyone", []int64{bakery, invoice, dan, blog}},
			{"?status=open", []int64{bakery, dan, blog}},
			{"?status=resolved", []int64{invoice}},
			{"?status=closed", nil},
			{"?assignee=me", []int64{dan}},
			{"?assignee=unassigned", []int64{bakery, blog}},
			{"?customer=C1", []int64{invoice, blog}},
			{"?customer=C1&status=open", []int64{blog}},
			{"?asset=dan-site", []int64{dan}},
			{"?incident=" + inc1, []int64{bakery, blog}},
			{"?incident=" + inc1 + "&assignee=me", nil},
		} {
			resp, body := b.get("/staff/tickets" + c.query)
			if got := listedTickets(body); resp.StatusCode != http.StatusOK || !slices.Equal(got, c.want) {
				t.Errorf("%q: %d %v, want %v\n%s", c.query, resp.StatusCode, got, c.want, excerpt(body))
			}
		}

		_, body := b.get("/staff/tickets")
		rows := strings.Split(body, "<tr class=")
		for _, want := range []string{`href="/staff/incidents/` + inc1 + `"`, "Bakery site slow", "bob-bakery", "C1", me, bobs} {
			if !strings.Contains(body, want) {
				t.Errorf("list: no %q in\n%s", want, excerpt(body))
			}
		}
		for _, row := range rows[1:] {
			first := strings.Contains(row, "customer first")
			if want := strings.Contains(row, `href="/staff/tickets/`+strconv.FormatInt(bakery, 10)+`"`); first != want {
				t.Errorf("customer-first mark %v on row\n%s", first, row)
			}
		}

		for query, name := range map[string]string{"?status=pending": "status", "?assignee=bob": "assignee",
			"?incident=x": "incident", "?page=0": "page"} {
			resp, body := b.get("/staff/tickets" + query)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, name+":") {
				t.Errorf("%s: %d, want 400 naming %s\n%s", query, resp.StatusCode, name, excerpt(body))
			}
		}

		// Pages: 52 of C3's tickets, 50 then 2, the filter kept.
		var many []int64
		for i := range 52 {
			many = append(many, site.openTicket(t, "C3", "carol-site", "Question "+strconv.Itoa(i)))
		}
		slices.Reverse(many)
		resp, body := b.get("/staff/tickets?customer=C3")
		next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(body)
		if got := listedTickets(body); resp.StatusCode != http.StatusOK || !slices.Equal(got, many[:50]) || next == nil {
			t.Fatalf("first page: %d %v, next %v", resp.StatusCode, got, next)
		}
		resp, body = b.get(strings.ReplaceAll(next[1], "&amp;", "&"))
		if got := listedTickets(body); resp.StatusCode != http.StatusOK || !slices.Equal(got, many[50:]) || strings.Contains(body, `rel="next"`) ||
			!strings.Contains(body, `rel="prev"`) {
			t.Fatalf("second page %s: %d %v", next[1], resp.StatusCode, got)
		}
	})
}

// TestConsoleTicketAssigneeAndPriorityAsThePATCH: through the ticket
// page's forms a staff member takes the ticket, gives it to another, to no
// one, and sets its priority; each is what PATCH /api/v1/tickets/{id} does
// (the same change, noted in the thread the same way), audited; an
// assignee who cannot take tickets or an unknown priority is refused naming
// the field, nothing changed; a viewer gets no form and a 403.
func TestConsoleTicketAssigneeAndPriorityAsThePATCH(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newIncSite(t, db)
		const me, bob, vic = "ana@host.example", "bob@host.example", "vic@host.example"
		b := site.staffBrowser(t, me, auth.RoleStaff)
		site.addStaff(t, bob, auth.RoleStaff)
		viewer := site.staffBrowser(t, vic, auth.RoleViewer)
		id := site.openTicket(t, "C1", "alice-blog", "Blog down")
		twin := site.openTicket(t, "C1", "alice-blog", "Blog down too") // changed directly, as PATCH does
		page := "/staff/tickets/" + strconv.FormatInt(id, 10)

		resp, body := b.get(page)
		for _, want := range []string{`action="` + page + `/assignee"`, `action="` + page + `/priority"`, `<option value="` + bob + `"`,
			`<option value="` + me + `"`, `id="take"`, `<option value="urgent"`} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("ticket page: %d, no %q in\n%s", resp.StatusCode, want, excerpt(body))
			}
		}
		if strings.Contains(body, `<option value="`+vic+`"`) {
			t.Error("a viewer is offered as assignee")
		}

		notes := func(id int64) []string {
			t.Helper()
			th, err := site.tickets.Thread(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range th.Messages {
				if m.Internal {
					out = append(out, m.Author+": "+m.Body)
				}
			}
			return out
		}
		steps := []struct {
			path   string
			form   url.Values
			done   string
			change support.Change
		}{
			{"/assignee", url.Values{"take": {"1"}}, "ticket-assignee", support.Change{Assignee: ptr(me)}},
			{"/assignee", url.Values{"assignee": {bob}}, "ticket-assignee", support.Change{Assignee: ptr(bob)}},
			{"/assignee", url.Values{"assignee": {""}}, "ticket-assignee", support.Change{Assignee: ptr("")}},
			{"/priority", url.Values{"priority": {"urgent"}}, "ticket-priority", support.Change{Priority: ptr(support.Urgent)}},
		}
		for _, s := range steps {
			resp, body := b.post(page+s.path, s.form)
			wantRedirect(t, s.path+" "+s.form.Encode(), resp, body, page, s.done)
			if _, err := site.tickets.Change(ctx, twin, support.Actor{Kind: support.ByStaff, ID: me}, s.change); err != nil {
				t.Fatal(err)
			}
			got, err := site.tickets.Ticket(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			want, err := site.tickets.Ticket(ctx, twin)
			if err != nil {
				t.Fatal(err)
			}
			if got.Assignee != want.Assignee || got.Priority != want.Priority || got.Status != want.Status {
				t.Errorf("%s %s: ticket %+v, PATCH gives %+v", s.path, s.form.Encode(), got, want)
			}
		}
		if got, want := notes(id), notes(twin); !slices.Equal(got, want) || len(got) != 4 {
			t.Errorf("thread notes %q, PATCH notes %q", got, want)
		}
		_, body = b.get(page + "?done=ticket-priority")
		if !strings.Contains(body, "Priority changed.") {
			t.Errorf("no confirmation in\n%s", excerpt(body))
		}

		before, err := site.tickets.Ticket(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			path string
			form url.Values
			name string
		}{{"/assignee", url.Values{"assignee": {vic}}, "assignee"}, {"/assignee", url.Values{"assignee": {"nobody@example.org"}}, "assignee"},
			{"/priority", url.Values{"priority": {"asap"}}, "priority"}, {"/priority", nil, "priority"}} {
			resp, body := b.post(page+c.path, c.form)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="problem"`) || !strings.Contains(body, c.name) {
				t.Errorf("%s %s: %d, want 422 naming %s\n%s", c.path, c.form.Encode(), resp.StatusCode, c.name, excerpt(body))
			}
		}
		for _, c := range []url.Values{{"take": {"1"}}, {"priority": {"low"}}} {
			path := page + "/assignee"
			if c.Has("priority") {
				path = page + "/priority"
			}
			if resp, _ := viewer.post(path, c); resp.StatusCode != http.StatusForbidden {
				t.Errorf("viewer %s: %d, want 403", path, resp.StatusCode)
			}
		}
		if after, err := site.tickets.Ticket(ctx, id); err != nil || after.Assignee != before.Assignee || after.Priority != before.Priority ||
			!after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("refused changes changed the ticket: %+v, was %+v (%v)", after, before, err)
		}
		if _, body := viewer.get(page); strings.Contains(body, page+"/assignee") || strings.Contains(body, page+"/priority") {
			t.Error("a viewer is shown the forms")
		}

		var audited []string
		for _, e := range site.audited(t) {
			if strings.Contains(e.Target, page) || strings.Contains(e.Detail, page) || strings.Contains(e.Action, "ticket") {
				audited = append(audited, e.Actor+" "+e.Action+" "+e.Target+" "+strconv.FormatBool(e.OK))
			}
		}
		if n := len(audited); n < len(steps) {
			t.Errorf("%d ticket changes audited, want at least %d: %q", n, len(steps), audited)
		}
		for _, a := range audited[:len(steps)] {
			if !strings.HasPrefix(a, me+" ") || !strings.HasSuffix(a, " true") {
				t.Errorf("audit entry %q", a)
			}
		}
	})
}

// TestConsoleTicketAttachmentDownloads: the ticket page links its files to
// the console's download, which sends them as the API does (attachment,
// nosniff, sandboxed) to staff who read tickets, and to no one else; a
// file of another ticket is a 404.
func TestConsoleTicketAttachmentDownloads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newIncSite(t, db)
		png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...)
		id := site.openTicket(t, "C1", "alice-blog", "Blog down", support.Upload{Name: "écran;1 (2).png", Data: png})
		other := site.openTicket(t, "C2", "bob-bakery", "Other")
		th, err := site.tickets.Thread(ctx, id)
		if err != nil || len(th.Messages) == 0 || len(th.Messages[0].Attachments) != 1 {
			t.Fatalf("thread %+v %v", th, err)
		}
		file := th.Messages[0].Attachments[0].ID
		link := "/staff/tickets/" + strconv.FormatInt(id, 10) + "/attachments/" + file
		viewer := site.staffBrowser(t, "vic@host.example", auth.RoleViewer)

		if _, body := viewer.get("/staff/tickets/" + strconv.FormatInt(id, 10)); !strings.Contains(body, `href="`+link+`"`) {
			t.Fatalf("no link to %s in\n%s", link, excerpt(body))
		}
		resp, body := viewer.get(link)
		h := resp.Header
		if resp.StatusCode != http.StatusOK || !bytes.Equal([]byte(body), png) || h.Get("Content-Type") != "image/png" ||
			h.Get("Content-Disposition") != `attachment; filename="_cran_1 (2).png"; filename*=UTF-8''%C3%A9cran%3B1%20%282%29.png` ||
			h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("download: %d %v", resp.StatusCode, h)
		}
		if resp, _ := viewer.get("/staff/tickets/" + strconv.FormatInt(other, 10) + "/attachments/" + file); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another ticket's file: %d, want 404", resp.StatusCode)
		}
		anon := newBrowser(t, site.base)
		if resp, body := anon.get(link); resp.StatusCode == http.StatusOK || resp.Header.Get("Content-Disposition") != "" || bytes.Contains([]byte(body), png) {
			t.Errorf("signed out: %d %v", resp.StatusCode, resp.Header)
		}
	})
}

func ptr[T any](v T) *T { return &v }
