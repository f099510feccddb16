package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/support"
)

// incHost is the inventory of the incident pages' tests: a hypervisor with
// three customers' sites on it, one customer named like a spreadsheet
// formula, and a site elsewhere.
const incHost = `customers:
  - {id: C1, name: Alice Ateliers, email: alice@example.org, language: fr, timezone: Europe/Paris}
  - {id: C2, name: Bob Bakery, email: bob@example.org, language: en}
  - {id: C3, name: "=HYPERLINK(\"http://evil.example\")", email: carol@example.org, language: en}
  - {id: C4, name: Dan Elsewhere, email: dan@example.org, language: en}
assets:
  - {name: hv01, kind: hypervisor}
  - {name: hv02, kind: hypervisor}
  - {name: alice-blog, kind: site, owner: C1, depends_on: [hv01]}
  - {name: alice-shop, kind: site, owner: C1, depends_on: [hv01]}
  - {name: bob-bakery, kind: site, owner: C2, depends_on: [hv01]}
  - {name: carol-site, kind: site, owner: C3, depends_on: [hv01]}
  - {name: dan-site, kind: site, owner: C4, depends_on: [hv02]}
`

// incSite is the web layer with the incident pages over one database: a
// moved clock, the inventory above, tickets, and a preview that records
// what it was asked.
type incSite struct {
	*staffSite
	tickets *support.Store
	mu      sync.Mutex
	// previews are the (status, fr, en) of every preview asked.
	previews [][3]string
}

// newIncSite serves the web layer over db for the incident pages.
func newIncSite(t *testing.T, db *store.DB) *incSite {
	t.Helper()
	now := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	clock := fixedClock(&now)
	sessions := auth.NewSessions(db)
	sessions.Now = clock
	site := &incSite{}
	d := sessionDeps(t, db, Deps{Now: clock, Sessions: sessions, PublicName: "Hébergeur Test"}, incHost)
	d.Incidents.SetOutbox(support.NewTriggers(db))
	d.Support = support.NewStore(db, support.Options{Incidents: d.Incidents, Maintenance: d.Maintenance, Inventory: d.Inventory,
		Auth: d.Auth, Texts: d.Texts, Attachments: t.TempDir(), Now: clock})
	d.PreviewUpdate = site.preview
	site.tickets = d.Support
	site.staffSite = &staffSite{d: d, base: serveSessions(t, d, nil), now: &now}
	return site
}

// preview stands for the notification planner's preview: a customers'
// e-mail channel and a Mastodon account, each with both languages.
func (s *incSite) preview(_ context.Context, id int64, st incident.Status, fr, en string) ([]notify.Preview, error) {
	s.mu.Lock()
	s.previews = append(s.previews, [3]string{string(st), fr, en})
	s.mu.Unlock()
	n := strconv.FormatInt(id, 10)
	return []notify.Preview{
		{Channel: "mail", Kind: notify.KindEmail, Audience: notify.AudienceCustomers, Recipients: 3,
			FR: notify.Rendered{Lang: "fr", Subject: "[#" + n + "] " + string(st), Text: "Courriel : " + fr},
			EN: notify.Rendered{Lang: "en", Subject: "[#" + n + "] " + string(st), Text: "E-mail: " + en}},
		{Channel: "toot", Kind: notify.KindMastodon, Audience: notify.AudiencePublic, Recipients: 1,
			FR: notify.Rendered{Lang: "fr", Short: "Pouet : " + fr, Text: "not this"},
			EN: notify.Rendered{Lang: "en", Short: "Toot: " + en, Text: "not this"}},
	}, nil
}

// previewed returns the previews asked so far.
func (s *incSite) previewed() [][3]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][3]string(nil), s.previews...)
}

// staffBrowser adds a staff member with role and returns a browser signed
// in as them at the password+TOTP level, reading English.
func (s *incSite) staffBrowser(t *testing.T, email string, role auth.Role) *browser {
	t.Helper()
	u := s.addStaff(t, email, role)
	b := newBrowser(t, s.base)
	b.signIn(s.d.Sessions, auth.SubjectStaff, strconv.FormatInt(u.ID, 10), auth.LevelPasswordTOTP)
	b.setCookie(langCookie, "en")
	return b
}

// open opens an incident by hand on roots, as staff would.
func (s *incSite) open(t *testing.T, title string, roots ...string) incident.Incident {
	t.Helper()
	inc, err := incident.OpenManual(context.Background(), s.d.Incidents, s.d.Inventory.Graph(), roots, title, incident.Major,
		"oncall@host.example", *s.now)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// incident reads an incident back.
func (s *incSite) incident(t *testing.T, id int64) incident.Incident {
	t.Helper()
	inc, err := s.d.Incidents.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// wantRedirect checks that resp is a 303 to the page of path with done.
func wantRedirect(t *testing.T, what string, resp *http.Response, body, path, done string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path+"?done="+done {
		t.Fatalf("%s: %d %q, want 303 to %s?done=%s\n%s", what, resp.StatusCode, resp.Header.Get("Location"), path, done, excerpt(body))
	}
}

// excerpt is the start of a page's main part, for failure messages.
func excerpt(page string) string {
	if i := strings.Index(page, `<main`); i >= 0 {
		page = page[i:]
	}
	return page[:min(len(page), 3000)]
}
