package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/account"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
)

// manualClock is a clock the test moves by hand, safe to read from the
// server's goroutines.
type manualClock struct{ nanos atomic.Int64 }

func (c *manualClock) Now() time.Time      { return time.Unix(0, c.nanos.Load()).UTC() }
func (c *manualClock) Add(d time.Duration) { c.nanos.Add(int64(d)) }

// handOffSecret is the secret the test's host panel signs with.
var handOffSecret = []byte("0123456789abcdef0123456789abcdef-panel")

// accountEnv is a web server with the account pages over a database, an
// e-mail channel for customers whose mails stay in the outbox, and a
// clock the test moves.
type accountEnv struct {
	t     *testing.T
	d     Deps
	base  string
	clock *manualClock
}

func newAccountEnv(t *testing.T, db *store.DB, withHandOff bool) *accountEnv {
	t.Helper()
	clock := &manualClock{}
	clock.nanos.Store(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).UnixNano())
	d := sessionDeps(t, db, Deps{Now: clock.Now}, twoCustomers)
	d.Sessions.Now = clock.Now
	d.Notify = notify.NewStore(db)
	d.Notify.Now = clock.Now
	ch := notify.Channel{ID: "mail", Kind: notify.KindEmail, Audiences: []notify.Audience{notify.AudienceCustomers}, Enabled: true,
		Config: map[string]string{"host": "smtp.example.org", "from": "status@example.org"}}
	if err := d.Notify.AddChannel(context.Background(), &ch); err != nil {
		t.Fatal(err)
	}
	d.Accounts = &account.Mailer{DB: db, Auth: d.Auth, Inventory: d.Inventory, Notify: d.Notify, Texts: d.Texts,
		PublicURL: "https://status.example.org", Host: "Nuage Coop", Now: clock.Now}
	if withHandOff {
		h, err := auth.NewHandOffs(db, handOffSecret, 0, 0, clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		d.HandOffs = h
	}
	return &accountEnv{t: t, d: d, base: serveSessions(t, d, testRoutes), clock: clock}
}

// invite adds a contact of customer and returns them.
func (e *accountEnv) invite(customer, email, lang string) auth.Contact {
	e.t.Helper()
	c, err := e.d.Accounts.Invite(context.Background(), auth.Contact{Customer: customer, Email: email, Name: "Léa", Lang: lang})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// withPassword adds an active contact of C1 with a password.
func (e *accountEnv) withPassword(email, password string) auth.Contact {
	e.t.Helper()
	c := e.invite("C1", email, "en")
	if err := e.d.Auth.SetContactPassword(context.Background(), c.ID, password); err != nil {
		e.t.Fatal(err)
	}
	return c
}

var linkInMail = regexp.MustCompile(`^https://status\.example\.org(/account/link/[^?]+)\?lang=(fr|en)$`)

// mails returns the direct mails queued for address, oldest first.
func (e *accountEnv) mails(address string) []notify.Message {
	e.t.Helper()
	all, err := e.d.Notify.Messages(context.Background(), notify.ListFilter{Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []notify.Message
	for _, m := range all {
		if m.Recipient.Address == address && m.Topic == notify.TopicDirect {
			out = append(out, m)
		}
	}
	return out
}

// lastLink returns the path of the link of the last mail to address.
func (e *accountEnv) lastLink(address string) string {
	e.t.Helper()
	ms := e.mails(address)
	if len(ms) == 0 {
		e.t.Fatalf("no mail to %s", address)
	}
	it := ms[len(ms)-1].Items[0]
	m := linkInMail.FindStringSubmatch(it.Link)
	if m == nil {
		e.t.Fatalf("the mail to %s links to %q", address, it.Link)
	}
	return m[1]
}

// auditLines returns the audit log as "actor action target ok detail"
// lines, oldest first.
func (e *accountEnv) auditLines() []string {
	e.t.Helper()
	entries, err := e.d.Audit.List(context.Background(), auth.AuditFilter{Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	out := make([]string, 0, len(entries))
	for i := len(entries) - 1; i >= 0; i-- {
		a := entries[i]
		out = append(out, strings.Join([]string{a.Actor, a.Action, a.Target, map[bool]string{true: "ok", false: "refused"}[a.OK], a.Addr, a.Detail}, " | "))
	}
	return out
}

// signedIn reports whether the browser's session opens the sessions page.
func signedIn(b *browser) bool {
	resp, _ := b.get("/account/sessions")
	return resp.StatusCode == http.StatusOK
}

// form is url.Values from pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}
