package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigie/vigie/internal/account"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/browsertest"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// custHost gives Café Crème (C1) two sites on a shared VM, Bob (C2) one,
// and Empty Shelf (C3) nothing.
const custHost = `customers:
  - {id: C1, name: Café Crème, email: c1@example.org, language: fr, timezone: Europe/Paris}
  - {id: C2, name: Bob Bakery, email: bob@example.org, language: en, timezone: America/Montreal}
  - {id: C3, name: Empty Shelf, email: c3@example.org, language: en}
assets:
  - {name: hv1, kind: hypervisor}
  - {name: vm1, kind: vm, depends_on: [hv1]}
  - {name: blog.cafe-creme.fr, kind: site, owner: C1, depends_on: [vm1], url: "https://blog.cafe-creme.fr/"}
  - {name: shop.cafe-creme.fr, kind: site, owner: C1, depends_on: [vm1], url: "https://shop.cafe-creme.fr/"}
  - {name: bob-bakery.example, kind: site, owner: C2, depends_on: [hv1], url: "https://bob-bakery.example/"}
components:
  - {name: Hébergement mutualisé, name_en: Shared hosting, covers: {kind: vm}}
`

// custSite is the console over custHost with everything the customer
// page shows: an open incident on vm1, a maintenance of vm1 to come, a
// ticket of C1's, the status page with private URLs, opt-outs, and
// contacts whose invitations go out by a customers' e-mail channel (none
// without mail).
type custSite struct {
	*staffSite
	incident int64
	window   string
	ticket   int64
}

func newCustSite(t *testing.T, db *store.DB, mail bool) *custSite {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	clock := fixedClock(&now)
	sessions := auth.NewSessions(db)
	sessions.Now = clock
	d := sessionDeps(t, db, Deps{Now: clock, Sessions: sessions, PublicName: "Nuage Coop", PublicURL: "https://status.example.org"}, custHost)
	d.NotifyPrefs = notify.NewPrefs(db, clock)
	d.StatusTokens = status.NewTokenStore(db)
	d.StatusTokens.Now = clock
	d.Notify = notify.NewStore(db)
	d.Notify.Now = clock
	if mail {
		ch := notify.Channel{ID: "mail", Kind: notify.KindEmail, Audiences: []notify.Audience{notify.AudienceCustomers}, Enabled: true,
			Config: map[string]string{"host": "smtp.example.org", "from": "status@example.org"}}
		if err := d.Notify.AddChannel(ctx, &ch); err != nil {
			t.Fatal(err)
		}
	}
	d.Accounts = &account.Mailer{DB: db, Auth: d.Auth, Inventory: d.Inventory, Notify: d.Notify, Texts: d.Texts,
		PublicURL: "https://status.example.org", Host: "Nuage Coop", Now: clock}
	d.Support = support.NewStore(db, support.Options{Incidents: d.Incidents, Maintenance: d.Maintenance, Inventory: d.Inventory,
		Auth: d.Auth, Texts: d.Texts, Attachments: t.TempDir(), Now: clock})
	s := &custSite{}
	s.incident = areaOpenIncident(t, &d, "vm1", incident.CauseOutage, now.Add(-15*time.Minute))
	d.Maintenance.Now = func() time.Time { return now.Add(-48 * time.Hour) }
	win := incident.Window{Title: "Mise à jour de hv1", TitleEN: "hv1 update", Assets: []string{"hv1"},
		Start: now.Add(48 * time.Hour).Format("2006-01-02T15:04"), End: now.Add(49 * time.Hour).Format("2006-01-02T15:04"), Zone: "UTC"}
	if err := d.Maintenance.Create(ctx, &win, "ops@example.org"); err != nil {
		t.Fatal(err)
	}
	s.window = win.ID
	th, err := d.Support.Open(ctx, support.NewTicket{Customer: "C1", Subject: "Blog slow", Body: "Since this morning.",
		By: support.Actor{Kind: support.ByCustomer, ID: "c1@example.org", Name: "Café"}})
	if err != nil {
		t.Fatal(err)
	}
	s.ticket = th.Ticket.ID
	d.Status = status.NewPublisher(status.PublisherOptions{Source: areaStatusSource{&d}, Tokens: d.StatusTokens, Now: d.Now,
		Build:  func(in *status.Input, customer string) *status.Page { return status.Build(in, customer, d.Texts) },
		Render: func(p *status.Page) (*status.Site, error) { return status.NewSite(p.Version, p.Generated), nil }})
	s.staffSite = &staffSite{d: d, base: serveSessions(t, d, nil), now: &now}
	return s
}

// roleBrowser signs a staff member of role in, past the second step.
func (s *staffSite) roleBrowser(t *testing.T, email string, role auth.Role) *browser {
	t.Helper()
	u := s.addStaff(t, email, role)
	b := newBrowser(t, s.base)
	b.signIn(s.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPasswordTOTP)
	b.setCookie(langCookie, "en")
	return b
}

// wantDone checks an action answered by sending the browser back to the
// customer's page, saying what was done.
func wantDone(t *testing.T, what string, resp *http.Response, page, done string) {
	t.Helper()
	want := "/staff/customers/C1?done=" + done
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), want) {
		t.Fatalf("%s: %d to %q, want 303 to %s\n%s", what, resp.StatusCode, resp.Header.Get("Location"), want, page)
	}
}

// customerOf reads a customer from the inventory.
func (s *custSite) customerOf(t *testing.T, id string) inventory.Customer {
	t.Helper()
	c, err := s.d.Inventory.Customer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// contactsOf lists a customer's contacts' addresses.
func (s *custSite) contactsOf(t *testing.T, id string) []string {
	t.Helper()
	list, err := s.d.Auth.Contacts(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range list {
		out = append(out, c.Email)
	}
	return out
}

// invitations counts the mails queued for address.
func (s *custSite) invitations(t *testing.T, address string) int {
	t.Helper()
	all, err := s.d.Notify.Messages(context.Background(), notify.ListFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range all {
		if m.Recipient.Address == address && m.Topic == notify.TopicDirect {
			n++
		}
	}
	return n
}

// optOutsOf lists a customer's opt-outs as "channel/topic".
func (s *custSite) optOutsOf(t *testing.T, id string) string {
	t.Helper()
	list, err := s.d.NotifyPrefs.OptOuts(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range list {
		out = append(out, o.Channel+"/"+o.Topic)
	}
	return strings.Join(out, ",")
}

var statusURLShown = regexp.MustCompile(`<code class="adm-secret" id="secret">https://status\.example\.org/c/([^/<]+)/</code>`)

// TestCustomerPageShowsTheCustomerAndDoesWhatTheAPIDoes: an admin's page
// of a customer shows their details, assets with their state, the open
// incident and the maintenance touching them and their ticket; the edit,
// contacts, status URL, opt-out and delete forms do what the API's routes
// do (checked in the services), bad input names the field and changes
// nothing, and the URL's secret is shown on the answer to its POST only.
func TestCustomerPageShowsTheCustomerAndDoesWhatTheAPIDoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newCustSite(t, db, true)
		b := site.roleBrowser(t, "root@host.example", auth.RoleAdmin)

		resp, page := b.get("/staff/customers/C1")
		for _, want := range []string{"Café Crème", "c1@example.org", "Europe/Paris", `href="/staff/inventory?owner=C1"`,
			`href="/staff/assets/blog.cafe-creme.fr"`, `href="/staff/assets/shop.cafe-creme.fr"`,
			`href="/staff/incidents/` + strconv.FormatInt(site.incident, 10) + `"`, `href="/staff/maintenance/` + site.window + `"`, "hv1 update",
			`href="/staff/tickets/` + strconv.FormatInt(site.ticket, 10) + `"`, "Blog slow", "They get every message."} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, want) {
				t.Fatalf("C1's page: %d, lacks %q\n%s", resp.StatusCode, want, page)
			}
		}
		if strings.Contains(page, "bob-bakery.example") {
			t.Fatal("C1's page shows Bob's site")
		}
		// The inventory's search and a customer's assets link to the page,
		// and so does an asset's owner.
		for _, path := range []string{"/staff/inventory?q=Caf", "/staff/inventory?owner=C1", "/staff/assets/blog.cafe-creme.fr"} {
			if _, page := b.get(path); !strings.Contains(page, `href="/staff/customers/C1"`) {
				t.Fatalf("%s does not link to C1's page\n%s", path, page)
			}
		}
		if resp, _ := b.get("/staff/customers/C404"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("an unknown customer: %d", resp.StatusCode)
		}

		// Details, as PUT /api/v1/customers/C1.
		before := site.customerOf(t, "C1")
		for _, c := range []struct {
			field string
			form  url.Values
		}{
			{"timezone", url.Values{"name": {"X"}, "email": {"x@example.org"}, "language": {"en"}, "timezone": {"Mars/Olympus"}}},
			{"email", url.Values{"name": {"X"}, "email": {"not an address"}, "language": {"en"}, "timezone": {"UTC"}}},
			{"language", url.Values{"name": {"X"}, "email": {"x@example.org"}, "language": {"de"}, "timezone": {"UTC"}}},
			{"name", url.Values{"name": {" "}, "email": {"x@example.org"}, "language": {"en"}, "timezone": {"UTC"}}},
		} {
			resp, page := b.post("/staff/customers/C1", c.form)
			wantRefused(t, "details with a bad "+c.field, resp, page, http.StatusUnprocessableEntity, c.field)
			if !strings.Contains(page, `value="x@example.org"`) && c.field != "email" {
				t.Fatalf("the refused form is not shown as sent\n%s", page)
			}
			if got := site.customerOf(t, "C1"); got != before {
				t.Fatalf("a refused edit changed the customer: %+v", got)
			}
		}
		resp, page = b.post("/staff/customers/C1", url.Values{"name": {"Café Crème SARL"}, "email": {"compta@cafe-creme.fr"}, "language": {"en"}, "timezone": {"America/Montreal"}})
		wantDone(t, "edit", resp, page, "saved")
		if got := site.customerOf(t, "C1"); got != (inventory.Customer{ID: "C1", Name: "Café Crème SARL", Email: "compta@cafe-creme.fr", Language: "en", Timezone: "America/Montreal"}) {
			t.Fatalf("after the edit: %+v", got)
		}

		// Contacts, as POST …/contacts, …/invite and DELETE.
		for _, c := range []struct {
			field string
			form  url.Values
		}{
			{"email", url.Values{"email": {" "}, "name": {"Léa"}}},
			{"language", url.Values{"email": {"lea@example.org"}, "language": {"de"}}},
			{"timezone", url.Values{"email": {"lea@example.org"}, "language": {"fr"}, "timezone": {"Mars/Olympus"}}},
		} {
			resp, page := b.post("/staff/customers/C1/contacts", c.form)
			wantRefused(t, "a contact with a bad "+c.field, resp, page, http.StatusUnprocessableEntity, c.field)
		}
		if got := site.contactsOf(t, "C1"); len(got) != 0 || site.invitations(t, "lea@example.org") != 0 {
			t.Fatalf("refused contacts were added: %v", got)
		}
		resp, page = b.post("/staff/customers/C1/contacts", url.Values{"email": {"Lea@Example.org"}, "name": {"Léa"}, "language": {"fr"}, "timezone": {"Europe/Paris"}})
		wantDone(t, "add a contact", resp, page, "invited")
		if got := site.contactsOf(t, "C1"); len(got) != 1 || got[0] != "lea@example.org" || site.invitations(t, "lea@example.org") != 1 {
			t.Fatalf("after adding Léa: %v, %d mails", got, site.invitations(t, "lea@example.org"))
		}
		resp, page = b.post("/staff/customers/C1/contacts", url.Values{"email": {"lea@example.org"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(page, `id="problem"`) {
			t.Fatalf("Léa again: %d\n%s", resp.StatusCode, page)
		}
		contacts, err := site.d.Auth.Contacts(ctx, "C1")
		if err != nil {
			t.Fatal(err)
		}
		lea := strconv.FormatInt(contacts[0].ID, 10)
		_, page = b.get("/staff/customers/C1")
		if !strings.Contains(page, `action="/staff/customers/C1/contacts/`+lea+`/invite"`) || !strings.Contains(page, "Léa") {
			t.Fatalf("the page does not list Léa with her actions\n%s", page)
		}
		if resp, _ := b.post("/staff/customers/C2/contacts/"+lea+"/invite", nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("re-invite Léa through Bob: %d", resp.StatusCode)
		}
		site.tick(time.Minute)
		resp, page = b.post("/staff/customers/C1/contacts/"+lea+"/invite", nil)
		wantDone(t, "re-invite", resp, page, "reinvited")
		if n := site.invitations(t, "lea@example.org"); n != 2 {
			t.Fatalf("after re-inviting Léa: %d mails", n)
		}
		resp, page = b.post("/staff/customers/C1/contacts/"+lea+"/remove", nil)
		wantDone(t, "remove", resp, page, "removed")
		if got := site.contactsOf(t, "C1"); len(got) != 0 {
			t.Fatalf("after removing Léa: %v", got)
		}

		// The private status URL, as POST, GET and DELETE …/status-url.
		if _, err := site.d.StatusTokens.Get(ctx, "C1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a URL before any: %v", err)
		}
		issue := func() string {
			t.Helper()
			resp, page := b.post("/staff/customers/C1/status-url", nil)
			shownSecret(t, "issue a status URL", resp, page, http.StatusCreated)
			m := statusURLShown.FindStringSubmatch(page)
			if m == nil || !strings.Contains(page, m[0][len(`<code class="adm-secret" id="secret">`):len(m[0])-len("</code>")]+"feed.atom") {
				t.Fatalf("the URL shown\n%s", page)
			}
			tokens, err := site.d.StatusTokens.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if who, ok := tokens.Customer(m[1]); !ok || who != "C1" {
				t.Fatalf("the URL shown is %q's (%v)", who, ok)
			}
			return m[1]
		}
		first := issue()
		_, page = b.get("/staff/customers/C1")
		if strings.Contains(page, first) || !strings.Contains(page, `action="/staff/customers/C1/status-url/revoke"`) {
			t.Fatalf("after issuing: the secret shown again, or no revoke form\n%s", page)
		}
		second := issue()
		if tokens, err := site.d.StatusTokens.Load(ctx); err != nil || second == first {
			t.Fatalf("rotation: %v", err)
		} else if _, ok := tokens.Customer(first); ok {
			t.Fatal("the old URL still works after a new one")
		}
		resp, page = b.post("/staff/customers/C1/status-url/revoke", nil)
		wantDone(t, "revoke", resp, page, "url-revoked")
		if _, err := site.d.StatusTokens.Get(ctx, "C1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a URL after revoking: %v", err)
		}
		for _, e := range site.audited(t) {
			if strings.Contains(e.Detail+e.Target, first) || strings.Contains(e.Detail+e.Target, second) {
				t.Fatalf("a status URL secret in the audit log: %+v", e)
			}
		}

		// Opt-outs, as PUT …/notifications.
		for _, c := range []struct {
			field string
			form  url.Values
		}{
			{"topic", url.Values{"channel": {"email"}, "topic": {"weather"}, "stop": {"yes"}}},
			{"channel", url.Values{"channel": {"pigeon"}, "topic": {"incident"}, "stop": {"yes"}}},
			{"stop", url.Values{"channel": {"email"}, "topic": {"incident"}}},
		} {
			resp, page := b.post("/staff/customers/C1/notifications", c.form)
			wantRefused(t, "an opt-out with a bad "+c.field, resp, page, http.StatusUnprocessableEntity, c.field)
		}
		if got := site.optOutsOf(t, "C1"); got != "" {
			t.Fatalf("refused opt-outs were kept: %s", got)
		}
		resp, page = b.post("/staff/customers/C1/notifications", url.Values{"channel": {"email"}, "topic": {"maintenance"}, "stop": {"yes"}})
		wantDone(t, "stop", resp, page, "notifications")
		if got := site.optOutsOf(t, "C1"); got != "email/maintenance" {
			t.Fatalf("after stopping: %q", got)
		}
		if _, page = b.get("/staff/customers/C1"); !strings.Contains(page, "Stopped: maintenance on email") {
			t.Fatalf("the page does not show the opt-out\n%s", page)
		}
		resp, page = b.post("/staff/customers/C1/notifications", url.Values{"channel": {"email"}, "topic": {"maintenance"}, "stop": {"no"}})
		wantDone(t, "let again", resp, page, "notifications")
		if got := site.optOutsOf(t, "C1"); got != "" {
			t.Fatalf("after letting again: %q", got)
		}

		// Delete, as DELETE /api/v1/customers/{id}: refused while assets
		// are theirs, and without the box ticked.
		resp, page = b.post("/staff/customers/C3/delete", nil)
		wantRefused(t, "delete unconfirmed", resp, page, http.StatusUnprocessableEntity, "confirm")
		resp, page = b.post("/staff/customers/C1/delete", url.Values{"confirm": {"yes"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(page, `id="problem"`) {
			t.Fatalf("delete a customer with assets: %d\n%s", resp.StatusCode, page)
		}
		site.customerOf(t, "C1")
		site.customerOf(t, "C3")
		resp, _ = b.post("/staff/customers/C3/delete", url.Values{"confirm": {"yes"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/inventory" {
			t.Fatalf("delete C3: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, err := site.d.Inventory.Customer(ctx, "C3"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("C3 after deletion: %v", err)
		}

		// Every change is in the audit log, with what came of it.
		var invited bool
		for _, e := range site.audited(t) {
			if e.Action == "POST /staff/customers/{id}/contacts" && e.Target == "id=C1" && e.OK && e.Detail == "contact lea@example.org: invitation queued" {
				invited = true
			}
		}
		if !invited {
			t.Fatalf("no audit entry of Léa's invitation: %+v", site.audited(t))
		}
	})
}

// TestCustomerPageAddsNoContactWithoutACustomersMailChannel: without an
// e-mail channel for customers, adding a contact is refused as the API
// refuses it (409, saying why) and nobody is created.
func TestCustomerPageAddsNoContactWithoutACustomersMailChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site := newCustSite(t, db, false)
		b := site.roleBrowser(t, "root@host.example", auth.RoleAdmin)
		resp, page := b.post("/staff/customers/C1/contacts", url.Values{"email": {"lea@example.org"}, "name": {"Léa"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(page, `id="problem"`) || !strings.Contains(page, "nothing was changed: the invitation cannot be mailed") {
			t.Fatalf("no mail channel: %d\n%s", resp.StatusCode, page)
		}
		if got := site.contactsOf(t, "C1"); len(got) != 0 {
			t.Fatalf("a contact was created: %v", got)
		}
	})
}

// TestCustomerPageRefusesWhatTheRoleMayNotDo: a viewer and a staff member
// read the page, without its forms, and each action answers them 403 and
// changes nothing (contacts are for admins, as in the API, and the rest
// needs the inventory permission).
func TestCustomerPageRefusesWhatTheRoleMayNotDo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newCustSite(t, db, true)
		if _, err := site.d.StatusTokens.Issue(ctx, "C1"); err != nil {
			t.Fatal(err)
		}
		lea, err := site.d.Accounts.Invite(ctx, auth.Contact{Customer: "C1", Email: "lea@example.org", Lang: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(lea.ID, 10)
		before := site.customerOf(t, "C1")
		for _, role := range []auth.Role{auth.RoleViewer, auth.RoleStaff} {
			b := site.roleBrowser(t, string(role)+"@host.example", role)
			resp, page := b.get("/staff/customers/C1")
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, "lea@example.org") || strings.Contains(page, `<form method="post" action="/staff/customers/`) {
				t.Fatalf("%s: the page %d, or forms they may not send\n%s", role, resp.StatusCode, page)
			}
			for path, form := range map[string]url.Values{
				"/staff/customers/C1":                            {"name": {"X"}, "email": {"x@example.org"}, "language": {"en"}, "timezone": {"UTC"}},
				"/staff/customers/C3/delete":                     {"confirm": {"yes"}},
				"/staff/customers/C1/contacts":                   {"email": {"bob@example.org"}},
				"/staff/customers/C1/contacts/" + id + "/invite": nil,
				"/staff/customers/C1/contacts/" + id + "/remove": nil,
				"/staff/customers/C1/status-url":                 nil,
				"/staff/customers/C1/status-url/revoke":          nil,
				"/staff/customers/C1/notifications":              {"channel": {"*"}, "topic": {"*"}, "stop": {"yes"}},
			} {
				if resp, _ := b.post(path, form); resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s: POST %s answered %d, want 403", role, path, resp.StatusCode)
				}
			}
		}
		if got := site.customerOf(t, "C1"); got != before {
			t.Fatalf("the customer changed: %+v", got)
		}
		site.customerOf(t, "C3")
		if got := site.contactsOf(t, "C1"); len(got) != 1 || site.invitations(t, "lea@example.org") != 1 {
			t.Fatalf("the contacts changed: %v", got)
		}
		if _, err := site.d.StatusTokens.Get(ctx, "C1"); err != nil {
			t.Fatalf("the status URL changed: %v", err)
		}
		if got := site.optOutsOf(t, "C1"); got != "" {
			t.Fatalf("opt-outs changed: %q", got)
		}
		refused := 0
		for _, e := range site.audited(t) {
			if strings.HasPrefix(e.Action, "POST /staff/customers/") && !e.OK {
				refused++
			}
		}
		if refused != 16 {
			t.Fatalf("%d refused actions in the audit log, want 16", refused)
		}
	})
}

// TestStaffOpensACustomerAddsAContactAndIssuesAStatusURLInChromium: in a
// real browser, an admin signs in with password and TOTP, finds a
// customer by typing part of their name in the inventory's search, opens
// their page, adds a contact and issues a private status URL, shown once.
// With VIGIE_SCREENSHOTS set, each page is saved there, the customer's
// page also at a phone's width.
func TestStaffOpensACustomerAddsAContactAndIssuesAStatusURLInChromium(t *testing.T) {
	site := newCustSite(t, storetest.Open(t, store.SQLite), true)
	browser := browsertest.New(t, 120*time.Second)
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			ctx := context.Background()
			email := "admin-" + lang + "@host.example"
			site.addStaff(t, email, auth.RoleAdmin)
			secret, _ := site.enrol(t, email)
			tab := browsertest.Tab(t, browser)
			shots := screenshots(t, tab, lang)
			step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				if err := chromedp.Do(tab, actions...); err != nil {
					text, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 1500) : ""`))
					t.Fatalf("%s: %v\n%s", what, err, text)
				}
			}
			step("sign in", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(site.base+"/staff/signin?lang="+lang+"&next=/staff/inventory"),
				chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), staffPassword),
				chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/totp"]`)))
			step("type the code", chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, secret)), chromedp.Submit(chromedp.CSS("#code")),
				chromedp.WaitVisible(chromedp.CSS("#inv-q")))
			step("search the customer as one types", chromedp.SendKeys(chromedp.CSS("#inv-q"), "Café"),
				chromedp.WaitVisible(chromedp.CSS(`#inv-results a[href="/staff/customers/C1"]`)))
			shots("customer-search")
			step("open their page", chromedp.Click(chromedp.CSS(`#inv-results a[href="/staff/customers/C1"]`)),
				chromedp.WaitVisible(chromedp.CSS("#contact-form")))
			shots("customer")

			contact := "lea-" + lang + "@example.org"
			step("add a contact", chromedp.SendKeys(chromedp.CSS("#c-email"), contact), chromedp.SendKeys(chromedp.CSS("#c-name"), "Léa"),
				chromedp.Submit(chromedp.CSS("#c-email")), chromedp.WaitVisible(chromedp.CSS("main .card.ok")))
			shots("customer-contact-added")
			if got := site.contactsOf(t, "C1"); !strings.Contains(strings.Join(got, " "), contact) || site.invitations(t, contact) != 1 {
				t.Fatalf("after adding %s: %v", contact, got)
			}

			step("issue a status URL", chromedp.Click(chromedp.CSS(`form[action="/staff/customers/C1/status-url"] button`)),
				chromedp.WaitVisible(chromedp.CSS("#secret")))
			shots("customer-status-url")
			shown, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#secret")))
			m := regexp.MustCompile(`^https://status\.example\.org/c/([^/]+)/$`).FindStringSubmatch(strings.TrimSpace(shown))
			if err != nil || m == nil {
				t.Fatalf("the URL shown: %q %v", shown, err)
			}
			tokens, err := site.d.StatusTokens.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if who, ok := tokens.Customer(m[1]); !ok || who != "C1" {
				t.Fatalf("the URL shown is %q's (%v)", who, ok)
			}
			step("back to the page at a phone's width", chromedp.EmulateViewport(390, 844), chromedp.Navigate(site.base+"/staff/customers/C1"),
				chromedp.WaitVisible(chromedp.CSS("#contact-form")))
			shots("customer-phone")
			wide, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
			if err != nil || wide > 0 {
				t.Fatalf("at a phone's width the page is %d px too wide (%v)", wide, err)
			}
		})
	}
}
