package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/notify/notifytest"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const accountHost = `customers:
  - {id: C1, name: Alpha Bakery, email: alpha@example.org, language: fr}
  - {id: C2, name: Beta Books, email: beta@example.org, language: en, timezone: America/Montreal}
`

// accountServer starts a server whose mails to customers go to a real
// SMTP server on loopback; its links name https://status.example.org,
// which the tests map to the server.
func accountServer(t *testing.T, engine store.Engine) (*server, *notifytest.SMTP) {
	t.Helper()
	mail := notifytest.StartSMTP(t, notifytest.SMTPOptions{Username: "relay", Password: "relay-password"})
	cfg := app.Config{DB: storetest.DSN(t, engine), PublicURL: "https://status.example.org", PublicName: "Nuage Coop",
		SweepEvery: 50 * time.Millisecond, NotifyGather: -1, MailRootCAs: mail.RootCAs,
		HandOffSecret: []byte("a secret shared with the host's panel, 32 bytes or more")}
	s := startServer(t, context.Background(), cfg, accountHost, "")
	if code, body := s.call("POST", "/api/v1/channels", `{"id":"mail","kind":"email","name":"Mail","audiences":["customers"],"config":`+
		jsonOf(t, mail.Config())+`,"secret":"relay-password"}`, nil); code != http.StatusCreated {
		t.Fatalf("add the mail channel: %d %s", code, body)
	}
	return s, mail
}

var mailedLink = regexp.MustCompile(`https://status\.example\.org(/account/link/[A-Za-z0-9_-]+\?lang=(?:fr|en))`)

// caughtMail is a mail the SMTP server caught, read back.
type caughtMail struct {
	to, lang, subject, text, link string
}

// nextMail waits for the mail number n (from 1) the SMTP server catches
// and returns it with the path of its link.
func nextMail(t *testing.T, mail *notifytest.SMTP, n int) caughtMail {
	t.Helper()
	// Well within the workers' look at an idle outbox (30 s): queuing a
	// mail wakes them.
	m := mail.WaitMails(t, n, 10*time.Second)[n-1]
	p := notifytest.ParseMail(t, m.Data)
	c := caughtMail{to: m.To[0], lang: p.Get("Content-Language"), subject: p.Get("Subject"), text: p.Text}
	if l := mailedLink.FindStringSubmatch(p.Text); l != nil {
		c.link = l[1]
	}
	return c
}

// webForm is a browser without JavaScript: cookies, no redirects
// followed, forms sent with the token of the page they came from.
type webForm struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newWebForm(t *testing.T, base string) *webForm {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &webForm{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *webForm) send(req *http.Request) (int, string, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// get fetches a page, keeping its form token.
func (b *webForm) get(path string) (int, string, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.send(req)
}

// post sends a form of the last page fetched.
func (b *webForm) post(path string, fields ...string) (int, string, string) {
	b.t.Helper()
	f := url.Values{"csrf": {b.csrf}}
	for i := 0; i+1 < len(fields); i += 2 {
		f.Set(fields[i], fields[i+1])
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	return b.send(req)
}

// Invitations, sign-in links and reset links reach the contact by mail, in
// their language, through a real SMTP server, and their links work.
func TestContactsGetTheirLinksByMail(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) { testContactsGetTheirLinksByMail(t, engine) })
	}
}

func testContactsGetTheirLinksByMail(t *testing.T, engine store.Engine) {
	s, mail := accountServer(t, engine)
	if code, body := s.call("POST", "/api/v1/customers/C1/contacts", `{"email":"lea@alpha.example","name":"Léa"}`, nil); code != http.StatusCreated {
		t.Fatalf("invite Léa: %d %s", code, body)
	}
	lea := nextMail(t, mail, 1)
	if lea.to != "lea@alpha.example" || lea.lang != "fr" || lea.subject != "Votre accès à l'espace client de Nuage Coop" ||
		!strings.Contains(lea.text, "Bonjour Léa,") || !strings.Contains(lea.text, "valable 7 jours") || lea.link == "" ||
		!strings.HasSuffix(lea.link, "?lang=fr") {
		t.Fatalf("Léa's invitation: %+v", lea)
	}
	if code, body := s.call("POST", "/api/v1/customers/C2/contacts", `{"email":"bob@beta.example"}`, nil); code != http.StatusCreated {
		t.Fatalf("invite Bob: %d %s", code, body)
	}
	bob := nextMail(t, mail, 2)
	if bob.to != "bob@beta.example" || bob.lang != "en" || bob.subject != "Your access to the Nuage Coop customer area" ||
		!strings.Contains(bob.text, "Hello,") || !strings.Contains(bob.text, "good for 7 days") || bob.link == "" {
		t.Fatalf("Bob's invitation: %+v", bob)
	}

	// Bob follows his invitation and chooses a password.
	b := newWebForm(t, s.base)
	if code, _, body := b.get(bob.link); code != http.StatusOK || !strings.Contains(body, "Choose the password of bob@beta.example") {
		t.Fatalf("Bob's invitation page: %d\n%s", code, body)
	}
	const password = "Bob's own long password"
	if code, to, body := b.post(bob.link, "password", password, "confirm", password); code != http.StatusSeeOther || to != "/account" {
		t.Fatalf("Bob sets his password: %d %q\n%s", code, to, body)
	}

	// A sign-in link, then a reset link, each in his language.
	steps := []struct{ form, subject, says string }{
		{"/account/magic", "Your sign-in link for Nuage Coop", "good for 15 minutes"},
		{"/account/forgot", "New password for Nuage Coop", "good for 1 hour"},
	}
	for i, step := range steps {
		anon := newWebForm(t, s.base)
		anon.get("/account/signin?lang=en")
		if code, _, body := anon.post(step.form, "email", "nobody@beta.example"); code != http.StatusOK {
			t.Fatalf("%s for an unknown address: %d\n%s", step.form, code, body)
		}
		if code, _, body := anon.post(step.form, "email", "BOB@beta.example"); code != http.StatusOK {
			t.Fatalf("%s for Bob: %d\n%s", step.form, code, body)
		}
		m := nextMail(t, mail, 3+i)
		if m.to != "bob@beta.example" || m.subject != step.subject || !strings.Contains(m.text, step.says) || m.link == "" {
			t.Fatalf("%s: %+v", step.form, m)
		}
	}
	magic := nextMail(t, mail, 3)
	b2 := newWebForm(t, s.base)
	b2.get(magic.link)
	if code, to, _ := b2.post(magic.link); code != http.StatusSeeOther || to != "/account" {
		t.Fatalf("Bob's sign-in link: %d %q", code, to)
	}
	for _, m := range mail.Mails() {
		if m.To[0] == "nobody@beta.example" {
			t.Error("an address that is no contact's got a mail")
		}
	}
	if n := len(mail.Mails()); n != 4 {
		t.Errorf("%d mails, want 4", n)
	}
}
