package web

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
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

// ticketSite serves the session routes with tickets over db and returns
// its address, the deps and the ticket store.
func ticketSite(t *testing.T, db *store.DB) (string, Deps, *support.Store) {
	t.Helper()
	d := sessionDeps(t, db, Deps{}, supportHost)
	d.Incidents.SetOutbox(support.NewTriggers(db))
	d.Support = support.NewStore(db, support.Options{Incidents: d.Incidents, Maintenance: d.Maintenance, Inventory: d.Inventory,
		Auth: d.Auth, Texts: d.Texts, Attachments: t.TempDir(), PublicURL: "https://vigie.example.org"})
	return serveSessions(t, d, nil), d, d.Support
}

// contactBrowser signs a new contact of customer in, in lang.
func contactBrowser(t *testing.T, base string, d Deps, customer, email, lang string) *browser {
	t.Helper()
	c, err := d.Auth.AddContact(context.Background(), auth.Contact{Customer: customer, Email: email, Name: email, Lang: lang, Zone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, base)
	b.signIn(d.Sessions, auth.SubjectContact, auth.ContactSubject(c.ID), auth.LevelPassword)
	return b
}

// postFiles sends a multipart form with files, as a same-origin browser.
func (b *browser) postFiles(path string, fields map[string]string, files map[string][]byte) (*http.Response, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if _, ok := fields["csrf"]; !ok {
		_ = mw.WriteField("csrf", b.csrf())
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("files", name)
		if err != nil {
			b.t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.base+path, &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

var pngFile = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 40)...)

// TestACustomerWritesAndFollowsTheirTicketOnTheirPages goes through the
// pages as a customer: the asset step, the form, a refused file, the
// thread without staff's notes, a reply and a download.
func TestACustomerWritesAndFollowsTheirTicketOnTheirPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base, d, st := ticketSite(t, db)
		alice := contactBrowser(t, base, d, "C1", "alice@example.org", "fr")
		if resp, body := alice.get("/account/tickets"); resp.StatusCode != http.StatusOK || !strings.Contains(html.UnescapeString(body), "Vous n'avez encore envoyé aucune demande") {
			t.Fatalf("empty list: %d\n%s", resp.StatusCode, body)
		}
		resp, body := alice.get("/account/tickets/new")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<option value="alice-blog">`) || strings.Contains(body, "bob-bakery") {
			t.Fatalf("asset step: %d\n%s", resp.StatusCode, body)
		}
		if resp, _ := alice.get("/account/tickets/new?asset=bob-bakery"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("another's asset: %d", resp.StatusCode)
		}
		if resp, body := alice.get("/account/tickets/new?asset=alice-blog"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="subject"`) {
			t.Fatalf("form step: %d\n%s", resp.StatusCode, body)
		}
		fields := map[string]string{"asset": "alice-blog", "subject": "Blog en panne", "body": "Erreur 502 depuis 01:45"}
		resp, body = alice.postFiles("/account/tickets", fields, map[string][]byte{"logo.svg": []byte("<svg onload=alert(1)>")})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Une pièce jointe a été refusée") || !strings.Contains(body, "Erreur 502 depuis 01:45") {
			t.Fatalf("a refused file: %d\n%s", resp.StatusCode, body)
		}
		resp, _ = alice.postFiles("/account/tickets", fields, map[string][]byte{"capture.png": pngFile})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/account/tickets/") {
			t.Fatalf("send: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		page := strings.TrimSuffix(resp.Header.Get("Location"), "?sent=1")
		list, err := st.CustomerTickets(ctx, "C1", 0)
		if err != nil || len(list) != 1 {
			t.Fatalf("tickets %v %v", list, err)
		}
		id := list[0].ID
		staff := support.Actor{Kind: support.ByStaff, ID: "ops@host.example"}
		if _, err := st.Note(ctx, id, staff, "Client sur le vieux PHP", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := st.StaffReply(ctx, id, staff, "Nous regardons.", nil, ""); err != nil {
			t.Fatal(err)
		}
		resp, body = alice.get(page)
		body = html.UnescapeString(body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Erreur 502 depuis 01:45") || !strings.Contains(body, "Nous regardons.") ||
			!strings.Contains(body, "Équipe d'assistance") || strings.Contains(body, "vieux PHP") || strings.Contains(body, "ops@host.example") ||
			!strings.Contains(body, "Attend votre réponse") {
			t.Fatalf("thread: %d\n%s", resp.StatusCode, body)
		}
		file := body[strings.Index(body, page+"/attachments/"):]
		file = file[:strings.Index(file, `"`)]
		resp, data := alice.get(file)
		if resp.StatusCode != http.StatusOK || data != string(pngFile) || resp.Header.Get("Content-Type") != "image/png" ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="capture.png"`) || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("download: %d %v", resp.StatusCode, resp.Header)
		}
		resp, _ = alice.postFiles(page+"/replies", map[string]string{"body": "Toujours en panne."}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply: %d", resp.StatusCode)
		}
		if got, _ := st.Ticket(ctx, id); got.Status != support.Open {
			t.Errorf("after the customer's reply the ticket is %s", got.Status)
		}
		if resp, _ := alice.post(page+"/replies", url.Values{"body": {"forged"}, "csrf": {"nope"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a reply without the form token: %d", resp.StatusCode)
		}
		if resp, _ := newBrowser(t, base).get(page); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("no session: %d", resp.StatusCode)
		}
	})
}

// TestAnotherCustomersTicketIsNotFound: a ticket, its file and its reply
// form answer another customer exactly as a ticket that does not exist,
// and nothing changes.
func TestAnotherCustomersTicketIsNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base, d, st := ticketSite(t, db)
		th, err := st.Open(ctx, support.NewTicket{Customer: "C1", Asset: "alice-blog", Subject: "Secret subject", Body: "secret body",
			By: support.Actor{Kind: support.ByCustomer, ID: "alice@example.org"}, Files: []support.Upload{{Name: "a.png", Data: pngFile}}})
		if err != nil {
			t.Fatal(err)
		}
		bob := contactBrowser(t, base, d, "C2", "bob@example.org", "en")
		page := "/account/tickets/" + itoa(th.Ticket.ID)
		_, missing := bob.get("/account/tickets/99999")
		for _, path := range []string{page, page + "/attachments/" + th.Messages[0].Attachments[0].ID} {
			resp, body := bob.get(path)
			if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "Secret") || strings.Contains(body, "secret") {
				t.Errorf("%s: %d\n%s", path, resp.StatusCode, body)
			}
			if path == page && strings.ReplaceAll(body, page, "/account/tickets/99999") != missing {
				t.Errorf("another's ticket does not answer as a missing one:\n%s\n---\n%s", body, missing)
			}
		}
		if resp, _ := bob.postFiles(page+"/replies", map[string]string{"body": "mine now"}, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a reply to another's ticket: %d", resp.StatusCode)
		}
		after, err := st.Thread(ctx, th.Ticket.ID)
		if err != nil || len(after.Messages) != 1 {
			t.Errorf("Alice's ticket changed: %+v %v", after, err)
		}
		if _, body := bob.get("/account/tickets"); strings.Contains(body, "Secret") {
			t.Errorf("Bob's list shows Alice's ticket:\n%s", body)
		}
	})
}

// TestTheFormShowsAKnownIncidentFirst: on an asset an incident touches,
// the form first shows it with a link to its page; following it counts a
// deflection, writing anyway a ticket sent despite it, linked at once.
func TestTheFormShowsAKnownIncidentFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base, d, st := ticketSite(t, db)
		inc, err := incident.OpenManual(ctx, d.Incidents, d.Inventory.Graph(), []string{"hv01"}, "", "", "ops", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		alice := contactBrowser(t, base, d, "C1", "alice@example.org", "en")
		resp, body := alice.get("/account/tickets/new?asset=alice-blog")
		link := `href="/account/incidents/` + itoa(inc.ID) + `"`
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "We are already on it") || !strings.Contains(body, link) ||
			strings.Contains(body, `name="subject"`) || strings.Contains(body, "hv01") {
			t.Fatalf("known step: %d\n%s", resp.StatusCode, body)
		}
		resp, _ = alice.post("/account/tickets/follow", url.Values{"asset": {"alice-blog"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/incidents/"+itoa(inc.ID) {
			t.Fatalf("follow: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, body := alice.get("/account/tickets/new?asset=alice-blog&write=1"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="subject"`) {
			t.Fatalf("write anyway: %d\n%s", resp.StatusCode, body)
		}
		resp, _ = alice.postFiles("/account/tickets", map[string]string{"asset": "alice-blog", "subject": "Down", "body": "Still"}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("send anyway: %d", resp.StatusCode)
		}
		s, err := st.Stats(ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil || s.Deflections != 1 || s.SentAnyway != 1 || s.Linked != 1 {
			t.Errorf("stats %+v %v", s, err)
		}
		if resp, body := alice.get(strings.TrimSuffix(resp.Header.Get("Location"), "?sent=1")); !strings.Contains(body, "Linked to incident #"+itoa(inc.ID)) {
			t.Errorf("the ticket does not show its incident: %d\n%s", resp.StatusCode, body)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
