package web

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/facts"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// dashHost is a small host: a hypervisor with a VM and a customer's site,
// a backup job on the VM.
const dashHost = `customers:
  - {id: C1, name: Alice Ateliers, email: alice@example.org, language: fr}
assets:
  - {name: hv01, kind: hypervisor}
  - {name: storage-fr, kind: storage}
  - {name: storage-en, kind: storage}
  - {name: vm01, kind: vm, owner: C1, depends_on: [hv01]}
  - {name: alice-blog, kind: site, owner: C1, depends_on: [vm01]}
checks:
  - {asset: vm01, name: nightly, kind: heartbeat, period: 24h, grace: 1h}
  - {asset: vm01, name: weekly, kind: heartbeat, period: 168h}
check_defaults:
  storage: {kind: none}
  vm: {kind: none}
  site: {kind: none}
  hypervisor: {kind: none}
`

// newDashSite is newStaffSite over dashHost with every service the
// dashboard reads: probe locations, compliance and tickets.
func newDashSite(t *testing.T, db *store.DB) *staffSite {
	t.Helper()
	now := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	clock := fixedClock(&now)
	sessions := auth.NewSessions(db)
	sessions.Now = clock
	d := sessionDeps(t, db, Deps{Now: clock, Sessions: sessions, PublicName: "Hébergeur Test"}, dashHost)
	d.Locations = probe.NewLocationStore(db)
	d.Compliance = probe.NewCompliance(db, d.Inventory)
	d.Support = support.NewStore(db, support.Options{Incidents: d.Incidents, Maintenance: d.Maintenance, Inventory: d.Inventory,
		Auth: d.Auth, Texts: d.Texts, Attachments: t.TempDir(), Now: clock})
	return &staffSite{d: d, base: serveSessions(t, d, nil), now: &now}
}

// staffBrowser signs a new staff member in at the password+TOTP level, in
// zone, and returns the browser and the user.
func (s *staffSite) staffBrowser(t *testing.T, email, zone string) (*browser, auth.User) {
	t.Helper()
	u := s.addStaff(t, email, auth.RoleStaff)
	if err := s.d.Auth.SetTimezone(context.Background(), email, zone); err != nil {
		t.Fatal(err)
	}
	s.enrol(t, email)
	b := newBrowser(t, s.base)
	b.signIn(s.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPasswordTOTP)
	b.setCookie(langCookie, "en")
	return b, u
}

// openIncident writes an incident as the engine would.
func openIncident(t *testing.T, d Deps, inc incident.Incident) int64 {
	t.Helper()
	id, err := d.Incidents.Create(context.Background(), &inc, incident.Event{At: inc.DetectedAt, Type: incident.EventOpened, Text: "opened"})
	if err != nil {
		t.Fatal(err)
	}
	// Create writes what an opening knows; the rest comes by Update.
	if err := d.Incidents.Update(context.Background(), &inc); err != nil {
		t.Fatal(err)
	}
	return id
}

func at(t time.Time) *time.Time { return &t }

// dashFixture fills the site's stores with one thing for each section of
// the dashboard, dated from the site's clock and the months of zone, and
// returns the ids of the open, customer-first and last month's incidents.
func dashFixture(t *testing.T, s *staffSite, zone *time.Location) (open, first, last int64) {
	t.Helper()
	ctx := context.Background()
	d, now := s.d, *s.now
	this, prev := monthsOf(now, zone)
	mid := this.Add(now.Sub(this) / 2) // in this month, before now

	// Last month: detected in 30 min, acknowledged 10 min later, resolved
	// after 2 h.
	start := prev.Add(72 * time.Hour)
	last = openIncident(t, d, incident.Incident{Title: "DNS slow", Status: incident.Resolved, Severity: incident.Minor,
		Cause: incident.CauseOutage, RootAssets: []string{"hv01"}, ImpactStartedAt: start, DetectedAt: start.Add(30 * time.Minute),
		AcknowledgedAt: at(start.Add(40 * time.Minute)), ResolvedAt: at(start.Add(2 * time.Hour))})
	// This month: a customer wrote 15 min before detection (20 min after
	// the start); acknowledged in 2 min, resolved 50 min after the start.
	first = openIncident(t, d, incident.Incident{Title: "Blog unreachable", Status: incident.Resolved, Severity: incident.Minor,
		Cause: incident.CauseOutage, RootAssets: []string{"vm01"}, ImpactStartedAt: mid.Add(-20 * time.Minute), DetectedAt: mid,
		FirstCustomerContactAt: at(mid.Add(-5 * time.Minute)), AcknowledgedAt: at(mid.Add(2 * time.Minute)), ResolvedAt: at(mid.Add(30 * time.Minute))})
	// Open now, detected in 4 min, led but without anyone on comms.
	open = openIncident(t, d, incident.Incident{Title: "hv01 down", Status: incident.Identified, Severity: incident.Major,
		Cause: incident.CauseOutage, RootAssets: []string{"hv01"}, Impact: incident.Impact{Assets: 3, Sites: 1, Customers: []string{"C1"}},
		Lead: "ana@host.example", ImpactStartedAt: mid.Add(-4 * time.Minute), DetectedAt: mid})

	// A location that reported an hour ago (the site's clock runs an hour
	// ahead of the real one): silent; another never heard from.
	token, err := d.Locations.Add(ctx, "montreal")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Locations.Authenticate(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Locations.Add(ctx, "paris"); err != nil {
		t.Fatal(err)
	}

	// hv01 in a power-saving profile and with a full disk.
	used := 95.0
	_, err = d.Compliance.ReportAgent(ctx, "hv01", probe.AgentFacts{Facts: facts.Facts{
		Policies: []facts.Policy{{Name: "policy0", Governor: "powersave"}},
		Disks:    []facts.Disk{{Mount: "/var", FSType: "ext4", TotalBytes: 100 << 30, FreeBytes: 5 << 30, UsedPct: used}},
	}})
	if err != nil {
		t.Fatal(err)
	}

	// The nightly backup of vm01: good 30 h ago, failing since.
	beat, _, err := d.Heartbeats.Ensure(ctx, "vm01/nightly")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		status string
		ago    time.Duration
	}{{heartbeat.StatusOK, 30 * time.Hour}, {heartbeat.StatusFail, time.Hour}} {
		if _, err := d.Heartbeats.Record(ctx, beat, heartbeat.Ping{Status: p.status}, now.Add(-p.ago)); err != nil {
			t.Fatal(err)
		}
	}
	// The weekly one was good an hour ago: fresh.
	weekly, _, err := d.Heartbeats.Ensure(ctx, "vm01/weekly")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Heartbeats.Record(ctx, weekly, heartbeat.Ping{Status: heartbeat.StatusOK}, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}

	// A ticket waiting for us.
	if _, err := d.Support.Open(ctx, support.NewTicket{Customer: "C1", Asset: "alice-blog", Subject: "Blog shows a 502",
		Body: "Since this morning", By: support.Actor{Kind: support.ByCustomer, ID: "alice@example.org"}}); err != nil {
		t.Fatal(err)
	}
	return open, first, last
}

// part returns the HTML of the live part name of a page.
func part(t *testing.T, page, name string) string {
	t.Helper()
	got := partOf(page, name)
	if got == "" {
		t.Fatalf("no part %s in:\n%s", name, page)
	}
	return got
}

// partOf returns the element carrying data-live-part="name", "" if none:
// parts are sections, lists or paragraphs, never nested in their kind.
func partOf(page, name string) string {
	m := regexp.MustCompile(`<(section|ul|p)\b[^>]*data-live-part="` + regexp.QuoteMeta(name) + `"`).FindStringSubmatchIndex(page)
	if m == nil {
		return ""
	}
	tag := page[m[2]:m[3]]
	end := strings.Index(page[m[0]:], "</"+tag+">")
	if end < 0 {
		return ""
	}
	return page[m[0] : m[0]+end+len(tag)+3]
}

// TestTheDashboardShowsEverySectionFromTheStores: one open incident with
// its scope, severity and lead; a silent location; the power profile's
// violation before the disk's; the stale backup but not the fresh one; the
// pending post-mortem; the ticket waiting; the customer-first incident;
// and this month's response times against last month's, months cut in
// the viewer's zone.
func TestTheDashboardShowsEverySectionFromTheStores(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site := newDashSite(t, db)
		montreal, _ := time.LoadLocation("America/Montreal")
		b, _ := site.staffBrowser(t, "ana@host.example", "America/Montreal")
		open, first, last := dashFixture(t, site, montreal)
		resp, page := b.get("/staff")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /staff: %d\n%s", resp.StatusCode, page)
		}
		if !strings.Contains(page, `data-live="/staff/events"`) || !strings.Contains(page, `<script src="/assets/console.js" defer></script>`) {
			t.Fatalf("the page is not live:\n%s", page)
		}
		id := func(n int64) string { return "/staff/incidents/" + strconv.FormatInt(n, 10) }
		checks := []struct{ part, want string }{
			{"incidents", `href="` + id(open) + `"`},
			{"incidents", `hv01 down`},
			{"incidents", `<span class="pill bad">major</span>`},
			{"incidents", `<a href="/staff/assets/hv01">hv01</a>`},
			{"incidents", `assets: 3, sites: 1, customers: 1`},
			{"incidents", `lead: ana@host.example`},
			{"incidents", `no comms`},
			{"locations", `<tr class="dash-silent">` + "\n" + `<th scope="row">montreal</th>`},
			{"locations", `never reported`},
			{"tiles", `<strong>1</strong> silent locations`},
			{"compliance", `dash-power`},
			{"backups", `<a href="/staff/assets/vm01"><strong>vm01</strong></a> <code>nightly</code>`},
			{"postmortems", `href="` + id(first) + `"`},
			{"tickets", `href="/staff/tickets/1"`},
			{"tickets", `Blog shows a 502`},
			{"tickets", `1 waiting for us, 0 waiting for the customer, 1 unassigned.`},
			{"customer-first", `href="` + id(first) + `"`},
			{"signals", `compliance-violation`},
			{"figures", `data-figure="count-this">2<`},
			{"figures", `data-figure="count-last">1<`},
			{"figures", `data-figure="ttd-this">12 min<`},
			{"figures", `data-figure="ttd-last">30 min<`},
			{"figures", `data-figure="tta-this">2 min<`},
			{"figures", `data-figure="tta-last">10 min<`},
			{"figures", `data-figure="ttr-this">50 min<`},
			{"figures", `data-figure="ttr-last">2 h 00<`},
			{"figures", `data-figure="first-this">1<`},
			{"figures", `data-figure="first-last">0<`},
		}
		for _, c := range checks {
			if got := part(t, page, c.part); !strings.Contains(got, c.want) {
				t.Errorf("part %s lacks %q:\n%s", c.part, c.want, got)
			}
		}
		// The power profile comes before the disk, whatever the rule names.
		compliance := part(t, page, "compliance")
		if p, d := strings.Index(compliance, "hypervisor-performance-governor"), strings.Index(compliance, "disk-space"); p < 0 || d < 0 || p > d {
			t.Errorf("the power profile is not first (%d, %d):\n%s", p, d, compliance)
		}
		for part, absent := range map[string]string{"backups": "weekly", "incidents": id(last), "customer-first": id(open)} {
			if strings.Contains(partOf(page, part), absent) {
				t.Errorf("part %s shows %s", part, absent)
			}
		}
	})
}

// TestSinceYouLastLookedMovesOnAfterEachLook: the first look reads the
// last 24 hours; the next reads from the first, in the viewer's zone, with
// what happened since and nothing before; console.js's refreshes and the
// fixed windows do not move the last look; a bad window is refused by
// name.
func TestSinceYouLastLookedMovesOnAfterEachLook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newDashSite(t, db)
		// Noon UTC tomorrow, early in the day in Montreal: the seven hours
		// the test moves on stay the same day there, and the last look
		// shows as an hour, whatever the hour the test runs at (the clock
		// stays ahead of the wall clock the cookie jar expires cookies by).
		*site.now = time.Now().UTC().Truncate(24 * time.Hour).Add(36 * time.Hour)
		montreal, _ := time.LoadLocation("America/Montreal")
		b, u := site.staffBrowser(t, "leo@host.example", "America/Montreal")
		before := openIncident(t, site.d, incident.Incident{Title: "Before the first look", Status: incident.Investigating,
			Severity: incident.Minor, Cause: incident.CauseOutage, RootAssets: []string{"hv01"}, ImpactStartedAt: site.now.Add(-time.Hour),
			DetectedAt: site.now.Add(-time.Hour)})
		_, page := b.get("/staff")
		if !strings.Contains(page, "The last 24 hours") || !strings.Contains(page, "#"+strconv.FormatInt(before, 10)+" minor: Before the first look") {
			t.Fatalf("first look:\n%s", page)
		}
		first := *site.now
		if got, err := site.d.Auth.LastLooked(ctx, u.ID); err != nil || !got.Equal(first) {
			t.Fatalf("last look after the first: %s %v, want %s", got, err, first)
		}

		site.tick(7 * time.Hour)
		// The session ended overnight: a new sign-in, the same last look.
		b.signIn(site.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPasswordTOTP)
		after := openIncident(t, site.d, incident.Incident{Title: "While away", Status: incident.Investigating, Severity: incident.Major,
			Cause: incident.CauseOutage, RootAssets: []string{"vm01"}, ImpactStartedAt: site.now.Add(-2 * time.Hour), DetectedAt: site.now.Add(-2 * time.Hour)})

		// A live refresh reads the same window and moves nothing.
		req, _ := http.NewRequest(http.MethodGet, site.base+"/staff", nil)
		req.Header.Set(liveHeader, "1")
		if resp, page := b.do(req); !strings.Contains(page, "Since you last looked, "+first.In(montreal).Format("15:04")) {
			t.Fatalf("a live refresh did not read since the first look: %d\n%s", resp.StatusCode, page)
		}
		// So do the fixed windows.
		if _, page := b.get("/staff?window=7d"); !strings.Contains(page, "Since ") || !strings.Contains(page, "Before the first look") {
			t.Fatalf("the 7-day window:\n%s", page)
		}
		if got, _ := site.d.Auth.LastLooked(ctx, u.ID); !got.Equal(first) {
			t.Fatalf("a refresh or a window moved the last look to %s", got)
		}

		_, page = b.get("/staff")
		digest := page[strings.Index(page, `<section class="card info dash-digest"`):]
		digest = digest[:strings.Index(digest, "</section>")]
		want := "Since you last looked, " + first.In(montreal).Format("15:04") + " (7 h 00 ago)"
		if !strings.Contains(digest, want) || !strings.Contains(digest, "#"+strconv.FormatInt(after, 10)+" major: While away") ||
			strings.Contains(digest, "Before the first look") {
			t.Fatalf("second look, want %q and only the incident opened since:\n%s", want, digest)
		}
		if got, _ := site.d.Auth.LastLooked(ctx, u.ID); !got.Equal(*site.now) {
			t.Fatalf("the second look left the last look at %s, want %s", got, *site.now)
		}

		if resp, page := b.get("/staff?window=forever"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "window: want 24h or 7d") {
			t.Fatalf("a bad window: %d\n%s", resp.StatusCode, page)
		}
	})
}

// TestMonthsAreCutInTheViewersCalendar: at 03:00 UTC on 1 December it is
// still November in Montreal and already December in Paris and Tokyo, so
// an incident detected at 22:30 UTC on 30 November counts in this month
// for Montreal (17:30) and Tokyo (07:30 on the 1st), in the last for Paris
// (23:30 on the 30th).
func TestMonthsAreCutInTheViewersCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		incs := incident.NewStore(db)
		now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
		detected := time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC)
		openIncident(t, Deps{Incidents: incs}, incident.Incident{Title: "midnight", Status: incident.Resolved, Severity: incident.Minor,
			Cause: incident.CauseOutage, RootAssets: []string{"hv01"}, ImpactStartedAt: detected.Add(-6 * time.Minute), DetectedAt: detected,
			ResolvedAt: at(detected.Add(time.Hour))})
		for _, c := range []struct {
			zone             string
			thisStart        time.Time
			thisN, lastN     int
			thisTTD, lastTTD time.Duration
		}{
			{"Europe/Paris", time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), 0, 1, 0, 6 * time.Minute},
			{"America/Montreal", time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), 1, 0, 6 * time.Minute, 0},
			{"Asia/Tokyo", time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC), 1, 0, 6 * time.Minute, 0},
		} {
			zone, err := time.LoadLocation(c.zone)
			if err != nil {
				t.Fatal(err)
			}
			got, err := monthFigures(ctx, incs, now, zone)
			if err != nil {
				t.Fatal(err)
			}
			if !got.ThisStart.Equal(c.thisStart) || !got.LastStart.Equal(c.thisStart.In(zone).AddDate(0, -1, 0)) ||
				got.This.Count != c.thisN || got.Last.Count != c.lastN || got.This.TimeToDetect.Median != c.thisTTD ||
				got.Last.TimeToDetect.Median != c.lastTTD {
				t.Errorf("%s: this month from %s (%d, TTD %s), last from %s (%d); want from %s (%d, TTD %s)", c.zone,
					got.ThisStart.UTC(), got.This.Count, got.This.TimeToDetect.Median, got.LastStart.UTC(), got.Last.Count,
					c.thisStart, c.thisN, c.thisTTD)
			}
		}
	})
}
