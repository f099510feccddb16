package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
)

// maintHost has two customers' sites on hv-par1-01 and a mail VM of no
// one on hv-par1-02.
const maintHost = `customers:
  - {id: C1, name: Alice Ateliers, email: alice@example.org, language: fr, timezone: Europe/Paris}
  - {id: C2, name: Bob Bakery, email: bob@example.org, language: en, timezone: America/Montreal}
assets:
  - {name: dc-par1, kind: datacenter}
  - {name: hv-par1-01, kind: hypervisor, depends_on: [dc-par1]}
  - {name: hv-par1-02, kind: hypervisor, depends_on: [dc-par1]}
  - {name: vm-web-01, kind: vm, depends_on: [hv-par1-01]}
  - {name: site-alice, kind: site, owner: C1, depends_on: [vm-web-01]}
  - {name: shop-alice, kind: site, owner: C1, depends_on: [vm-web-01]}
  - {name: site-bob, kind: site, owner: C2, depends_on: [vm-web-01]}
  - {name: vm-mail-01, kind: vm, depends_on: [hv-par1-02]}
`

// maintNow is the tests' time: a Friday afternoon before the night the
// clocks go forward in Paris (Sunday 29 March 2099).
var maintNow = time.Date(2099, 3, 27, 13, 0, 0, 0, time.UTC)

// maintSite is the web layer over db with maintHost, a customers' e-mail
// channel and a public webhook whose notices are previewed by the real
// planner and renderer, on a clock the test moves.
type maintSite struct {
	staffSite
	outbox *notify.Store
}

func newMaintSite(t *testing.T, db *store.DB, opts ...func(*Deps)) *maintSite {
	t.Helper()
	ctx := context.Background()
	now := maintNow
	clock := fixedClock(&now)
	sessions := auth.NewSessions(db)
	sessions.Now = clock
	d := sessionDeps(t, db, Deps{Now: clock, Sessions: sessions, PublicName: "Hébergeur Test", PublicURL: "https://status.example.org"}, maintHost)
	d.Maintenance.Now = clock
	outbox := notify.NewStore(db)
	outbox.Now = clock
	for _, ch := range []notify.Channel{
		{ID: "mail", Kind: notify.KindEmail, Name: "Mail", Enabled: true, Audiences: []notify.Audience{notify.AudienceCustomers},
			Config: map[string]string{"host": "127.0.0.1", "port": "2525", "tls": "none", "from": "status@example.org"}},
		{ID: "hook", Kind: notify.KindWebhook, Name: "Hook", Enabled: true, Audiences: []notify.Audience{notify.AudiencePublic},
			Config: map[string]string{"url": "http://127.0.0.1:9/hook"}, Secret: "hook-secret"},
	} {
		if err := outbox.AddChannel(ctx, &ch); err != nil {
			t.Fatal(err)
		}
	}
	renderer, err := notify.NewRenderer(d.Texts, notify.RenderOptions{PublicName: d.PublicName, PublicURL: d.PublicURL})
	if err != nil {
		t.Fatal(err)
	}
	planner := notify.NewPlanner(notify.PlannerDeps{DB: db, Queue: outbox, Channels: outbox.Channels, Prefs: notify.NewPrefs(db, clock),
		Incidents: d.Incidents, Maintenance: d.Maintenance, Inventory: d.Inventory, Auth: d.Auth},
		notify.PlannerOptions{PublicURL: d.PublicURL, Now: clock})
	d.PreviewWindow = func(ctx context.Context, w *incident.Window) ([]notify.Preview, error) {
		return planner.PreviewWindow(ctx, w, renderer.RenderIn)
	}
	for _, o := range opts {
		o(&d)
	}
	return &maintSite{staffSite: staffSite{d: d, base: serveSessions(t, d, nil), now: &now}, outbox: outbox}
}

// staffBrowser is a browser signed in as a new staff member of role,
// past the second step.
func (s *maintSite) staffBrowser(t *testing.T, email string, role auth.Role) *browser {
	t.Helper()
	u := s.addStaff(t, email, role)
	b := newBrowser(t, s.base)
	b.signIn(s.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPasswordTOTP)
	return b
}

// windows returns every window kept, cancelled ones included.
func (s *maintSite) windows(t *testing.T) []incident.Window {
	t.Helper()
	all, err := s.d.Maintenance.ListAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// messages returns every message queued in the outbox.
func (s *maintSite) messages(t *testing.T) []notify.Message {
	t.Helper()
	list, err := s.outbox.Messages(context.Background(), notify.ListFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// planForm is a whole planner form for hv-par1-01, the night of 30 March.
func planForm() url.Values {
	return url.Values{"asset": {"hv-par1-01"}, "title": {"Noyau de hv-par1-01"}, "title_en": {"hv-par1-01 kernel"},
		"description": {"Redémarrage de l'hyperviseur."}, "description_en": {"The hypervisor restarts."},
		"start": {"2099-03-30T02:00"}, "end": {"2099-03-30T04:00"}, "zone": {"Europe/Paris"}}
}

// mustStatus fails the test unless resp has the status.
func mustStatus(t *testing.T, what string, resp *http.Response, page string, code int) {
	t.Helper()
	if resp.StatusCode != code {
		t.Fatalf("%s: %d, want %d\n%s", what, resp.StatusCode, code, page)
	}
}

// fieldValue is the value of the input of id in page.
func fieldValue(page, id string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `" name="[a-z_]+" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}
