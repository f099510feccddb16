package web

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/store"
)

// areaHost gives Café Crème (C1, French, Paris) two sites and a VPS on a
// shared hypervisor, and Bob (C2, English, Montreal) a site of his own.
const areaHost = `customers:
  - {id: C1, name: Café Crème, email: c1@example.org, language: fr, timezone: Europe/Paris}
  - {id: C2, name: Bob Bakery, email: bob@example.org, language: en, timezone: America/Montreal}
assets:
  - {name: dc1, kind: datacenter}
  - {name: hv1, kind: hypervisor, depends_on: [dc1]}
  - {name: vm1, kind: vm, depends_on: [hv1]}
  - {name: blog.cafe-creme.fr, kind: site, owner: C1, depends_on: [vm1], url: "https://blog.cafe-creme.fr/"}
  - {name: boutique.cafe-creme.fr, kind: site, owner: C1, depends_on: [vm1], url: "https://boutique.cafe-creme.fr/"}
  - {name: cafe-vps, kind: vm, owner: C1, depends_on: [hv1], address: "192.0.2.7:22"}
  - {name: bob-bakery.example, kind: site, owner: C2, depends_on: [vm1], url: "https://bob-bakery.example/"}
checks:
  - {asset: boutique.cafe-creme.fr, name: tls, kind: tls}
components:
  - {name: Hébergement mutualisé, name_en: Shared hosting, covers: {kind: vm}}
`

// areaNow is the clock of every area test: a Monday morning in Paris.
var areaNow = time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)

// areaFixture is a served area over areaHost, with its ids.
type areaFixture struct {
	base string
	d    Deps
	// shared is an incident open on hv1, touching both customers;
	// cafesOwn and bobsOwn problems of one site of each, told to its
	// owner alone; window one on vm1.
	shared, cafesOwn, bobsOwn int64
	window                    string
}

// areaStatusSource builds the status page from the stores, as the app does.
type areaStatusSource struct{ d *Deps }

func (s areaStatusSource) Fingerprint(context.Context) (string, error) {
	return time.Now().String(), nil
}

func (s areaStatusSource) Load(ctx context.Context) (*status.Input, error) {
	d := s.d
	in := &status.Input{Zone: time.UTC, Name: "Nuage Coop", Graph: d.Inventory.Graph()}
	var err error
	if in.Components, err = d.Inventory.Components(ctx); err != nil {
		return nil, err
	}
	if in.Covered, err = d.Inventory.ComponentCoverage(ctx); err != nil {
		return nil, err
	}
	if in.Incidents, err = d.Incidents.PublicSince(ctx, d.Now().Add(-status.Archive)); err != nil {
		return nil, err
	}
	var ids []int64
	for _, inc := range in.Incidents {
		ids = append(ids, inc.ID)
	}
	if in.Events, err = d.Incidents.EventsOf(ctx, ids); err != nil {
		return nil, err
	}
	if in.Updates, err = d.Incidents.PublicUpdates(ctx, ids); err != nil {
		return nil, err
	}
	if in.Windows, err = d.Maintenance.ListAll(ctx); err != nil {
		return nil, err
	}
	return in, nil
}

// areaServe serves the whole web layer over db with areaHost and its
// outage: Café Crème's blog answers 500, Bob's site times out, the
// hypervisor has an open incident and vm1 a maintenance to come.
func areaServe(t *testing.T, db *store.DB) *areaFixture {
	t.Helper()
	ctx := context.Background()
	now := areaNow
	d := sessionDeps(t, db, Deps{Now: func() time.Time { return now }, PublicURL: "https://status.example.org"}, areaHost)
	d.Sessions.Now = d.Now
	d.NotifyPrefs = notify.NewPrefs(db, d.Now)
	d.StatusTokens = status.NewTokenStore(db)
	d.StatusTokens.Now = d.Now
	f := &areaFixture{}
	err := d.Detection.SaveStates(ctx, []detect.StateRow{
		{Check: "blog.cafe-creme.fr/http", State: detect.Down, Since: time.Date(2026, 12, 7, 9, 2, 0, 0, time.UTC),
			Reason: check.ReasonHTTPStatus, Message: "HTTP/1.1 500 Internal Server Error, want 200-299"},
		{Check: "boutique.cafe-creme.fr/http", State: detect.Up, Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{Check: "boutique.cafe-creme.fr/tls", State: detect.Down, Since: time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC),
			Reason: check.ReasonCertificate, Message: "certificate for boutique.cafe-creme.fr expires in 14 days (2026-12-13), less than min_days 14"},
		{Check: "cafe-vps/tcp", State: detect.Up, Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{Check: "bob-bakery.example/http", State: detect.Down, Since: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC),
			Reason: check.ReasonTimeout, Message: "bob-secret-detail: context deadline exceeded"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The log the states come from: the blog was up from October on.
	err = d.Detection.Append(ctx, []detect.Signal{
		{Kind: detect.CheckUp, Check: "blog.cafe-creme.fr/http", Asset: "blog.cafe-creme.fr", To: detect.Up,
			At: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Source: detect.SourceProbe},
		{Kind: detect.CheckDown, Check: "blog.cafe-creme.fr/http", Asset: "blog.cafe-creme.fr", From: detect.Up, To: detect.Down,
			At: time.Date(2026, 12, 7, 9, 2, 0, 0, time.UTC), Reason: check.ReasonHTTPStatus, Source: detect.SourceProbe},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.shared = areaOpenIncident(t, &d, "hv1", incident.CauseOutage, time.Date(2026, 12, 7, 8, 45, 0, 0, time.UTC))
	f.cafesOwn = areaOpenIncident(t, &d, "blog.cafe-creme.fr", incident.CauseSiteProblem, time.Date(2026, 12, 7, 9, 2, 0, 0, time.UTC))
	f.bobsOwn = areaOpenIncident(t, &d, "bob-bakery.example", incident.CauseSiteProblem, time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC))
	if err := d.Incidents.AddPublicUpdate(ctx, &incident.PublicUpdate{IncidentID: f.shared, Status: incident.Identified,
		MessageFR: "Une alimentation de l'hyperviseur a lâché.", MessageEN: "A power supply of the hypervisor failed.",
		Author: "ops@example.org"}, now.Add(-20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	d.Maintenance.Now = func() time.Time { return now.Add(-48 * time.Hour) }
	win := incident.Window{Title: "Mise à jour de vm1", TitleEN: "vm1 update", Assets: []string{"vm1"},
		Start: "2026-12-09T02:00", End: "2026-12-09T03:00", Zone: "Europe/Paris"}
	if err := d.Maintenance.Create(ctx, &win, "ops@example.org"); err != nil {
		t.Fatal(err)
	}
	f.window = win.ID
	d.Status = status.NewPublisher(status.PublisherOptions{Source: areaStatusSource{&d}, Tokens: d.StatusTokens, Now: d.Now,
		Build:  func(in *status.Input, customer string) *status.Page { return status.Build(in, customer, d.Texts) },
		Render: func(p *status.Page) (*status.Site, error) { return status.NewSite(p.Version, p.Generated), nil }})
	f.d = d
	f.base = serveSessions(t, d, nil)
	return f
}

// areaOpenIncident opens a settled incident on root at a time.
func areaOpenIncident(t *testing.T, d *Deps, root string, cause incident.Cause, at time.Time) int64 {
	t.Helper()
	inc := incident.Incident{Title: root + " down", Status: incident.Investigating, Severity: incident.Major, Cause: cause,
		RootAssets: []string{root}, ImpactStartedAt: at, DetectedAt: at, Reason: "timeout"}
	id, err := d.Incidents.Create(context.Background(), &inc, incident.Event{At: at, Type: incident.EventOpened, Public: true, Text: "opened"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// customer returns a browser signed in as a customer by hand-off (the
// host's panel), the session kind that needs no contact.
func (f *areaFixture) customer(t *testing.T, id string) *browser {
	t.Helper()
	b := newBrowser(t, f.base)
	b.signIn(f.d.Sessions, auth.SubjectCustomer, id, auth.LevelHandOff)
	return b
}
