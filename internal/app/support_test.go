package app_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/notify/notifytest"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// customer is a contact's browser on the customer area: its session
// cookie, and the form token read from a page as a browser would.
type customer struct {
	t      *testing.T
	base   string
	cookie string
}

// signInContact adds a contact of customer and opens a session for them.
func signInContact(t *testing.T, s *server, customerID, email, lang string) *customer {
	t.Helper()
	ctx := context.Background()
	c, err := s.app.Auth.AddContact(ctx, auth.Contact{Customer: customerID, Email: email, Name: email, Lang: lang, Zone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := s.app.Sessions.Start(ctx, auth.SubjectContact, auth.ContactSubject(c.ID), auth.LevelPassword, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	return &customer{t: t, base: s.base, cookie: token}
}

func (c *customer) do(req *http.Request) (int, string, http.Header) {
	c.t.Helper()
	req.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: c.cookie})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func (c *customer) get(path string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	code, body, _ := c.do(req)
	return code, body
}

// csrfField finds the form token of a page.
var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// send posts the form of page to action as multipart, with the form
// token the page carries; it returns the status and the Location.
func (c *customer) send(page, action string, fields map[string]string) (int, string) {
	c.t.Helper()
	_, body := c.get(page)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no form token on %s:\n%s", page, body)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", m[1])
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+action, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.base)
	code, _, h := c.do(req)
	return code, h.Get("Location")
}

// mailsAbout returns the mails received whose subject holds part.
func mailsAbout(t *testing.T, mail *notifytest.SMTP, part string) []*notifytest.ParsedMail {
	t.Helper()
	var out []*notifytest.ParsedMail
	for _, m := range mail.Mails() {
		p := notifytest.ParseMail(t, m.Data)
		if strings.Contains(p.Get("Subject"), part) {
			p.Header["X-Test-To"] = m.To
			out = append(out, p)
		}
	}
	return out
}

// waitMailsAbout waits until n mails whose subject holds part arrived.
func waitMailsAbout(t *testing.T, mail *notifytest.SMTP, part string, n int) []*notifytest.ParsedMail {
	t.Helper()
	var got []*notifytest.ParsedMail
	waitUntil(t, 10*time.Second, "mails about "+part, func() bool {
		got = mailsAbout(t, mail, part)
		return len(got) >= n
	})
	return got
}

// TestATicketsMailsReachBothSidesAndItsIncidentTellsItsEnd runs a whole
// server with a real SMTP server: a customer writes on their page (staff
// are mailed), staff answer through the API (the contact is mailed, in
// French, with the ticket's link), an incident detected after the ticket
// is linked to it and counts as told by a customer first, and its
// resolution is told on the ticket and by mail; staff then resolve its
// tickets together, and /metrics counts the deflections.
func TestATicketsMailsReachBothSidesAndItsIncidentTellsItsEnd(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) { testTicketMails(t, engine) })
	}
}

func testTicketMails(t *testing.T, engine store.Engine) {
	ctx := context.Background()
	mail := notifytest.StartSMTP(t, notifytest.SMTPOptions{Username: "relay", Password: "relay-password"})
	cfg := app.Config{DB: storetest.DSN(t, engine), PublicURL: "https://status.example.org", PublicName: "Nuage Coop",
		SweepEvery: 50 * time.Millisecond, NotifyGather: -1, EscalateAfter: time.Hour, MailRootCAs: mail.RootCAs,
		Attachments: t.TempDir()}
	s := startServer(t, ctx, cfg, notifyHost, "")
	if code, body := s.call("POST", "/api/v1/channels", `{"id":"mail","kind":"email","name":"Mail","audiences":["customers","staff"],"config":`+
		jsonOf(t, mail.Config())+`,"secret":"relay-password"}`, nil); code != http.StatusCreated {
		t.Fatalf("channel: %d %s", code, body)
	}
	alice := signInContact(t, s, "C1", "alice.martin@example.org", "fr")
	code, to := alice.send("/account/tickets/new?asset=alice-blog", "/account/tickets",
		map[string]string{"asset": "alice-blog", "subject": "Blog en panne", "body": "Erreur 502 depuis 01:45"})
	if code != http.StatusSeeOther || to != "/account/tickets/1?sent=1" {
		t.Fatalf("send the ticket: %d %q", code, to)
	}
	staff := waitMailsAbout(t, mail, "[Demande n° 1]", 1)[0]
	if staff.Header["X-Test-To"][0] != "ops@example.org" || !strings.Contains(staff.Text, "Erreur 502 depuis 01:45") ||
		!strings.Contains(staff.Get("Subject"), "Alice Ateliers (C1)") {
		t.Errorf("staff's mail to %v: %s\n%s", staff.Header["X-Test-To"], staff.Get("Subject"), staff.Text)
	}
	if code, body := s.call("POST", "/api/v1/tickets/1/replies", `{"body": "Nous regardons."}`, nil); code != http.StatusCreated {
		t.Fatalf("answer: %d %s", code, body)
	}
	answer := waitMailsAbout(t, mail, "[Demande n° 1]", 2)[1]
	if answer.Header["X-Test-To"][0] != "alice.martin@example.org" || answer.Get("Content-Language") != "fr" ||
		!strings.Contains(answer.Text, "Nous regardons.") || !strings.Contains(answer.Text, "https://status.example.org/account/tickets/1") {
		t.Errorf("the contact's mail to %v: %s\n%s", answer.Header["X-Test-To"], answer.Get("Subject"), answer.Text)
	}

	// An incident detected after Alice wrote.
	var inc struct{ ID int64 }
	if code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["hv01"],"severity":"major"}`, &inc); code != http.StatusCreated {
		t.Fatalf("open: %d %s", code, body)
	}
	id := itoa(inc.ID)
	waitUntil(t, 10*time.Second, "the ticket linked to the incident", func() bool {
		_, body := s.call("GET", "/api/v1/tickets?incident="+id, "", nil)
		return strings.Contains(body, `"subject": "Blog en panne"`)
	})
	if _, body := s.call("GET", "/api/v1/incidents/"+id, "", nil); !strings.Contains(body, `"customer_first": true`) {
		t.Errorf("the incident does not say a customer told us first:\n%s", body)
	}
	if code, body := s.call("PATCH", "/api/v1/incidents/"+id, `{"status":"resolved"}`, nil); code != http.StatusOK {
		t.Fatalf("resolve: %d %s", code, body)
	}
	told := waitMailsAbout(t, mail, "incident résolu", 1)[0]
	if told.Header["X-Test-To"][0] != "alice.martin@example.org" || !strings.Contains(told.Text, "L'incident n° "+id) {
		t.Errorf("the resolution's mail to %v:\n%s", told.Header["X-Test-To"], told.Text)
	}
	if _, page := alice.get("/account/tickets/1"); !strings.Contains(page, "Vigie (message automatique)") {
		t.Errorf("the ticket's page does not show Vigie's word:\n%s", page)
	}
	if code, body := s.call("POST", "/api/v1/incidents/"+id+"/tickets/resolve", "", nil); code != http.StatusOK || !strings.Contains(body, `"status": "resolved"`) {
		t.Errorf("resolve together: %d %s", code, body)
	}
	if code, body := s.call("GET", "/api/v1/support/stats", "", nil); code != http.StatusOK || !strings.Contains(body, `"customer_first": 1`) {
		t.Errorf("stats: %d %s", code, body)
	}
	req, _ := http.NewRequest(http.MethodGet, s.base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.Contains(string(metrics), "vigie_support_deflections_total 0") {
		t.Errorf("/metrics has no deflection counter")
	}
}
