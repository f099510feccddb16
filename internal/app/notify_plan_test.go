package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// testClock is a settable clock for the planner.
type testClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.at = c.at.Add(d)
	c.mu.Unlock()
}

// planned is an app whose notifications are planned by hand, on a clock.
type planned struct {
	t     *testing.T
	ctx   context.Context
	a     *app.App
	clock *testClock
}

// openPlanned opens an app over host on engine with an e-mail channel for
// customers and staff and a public webhook, at a fixed time.
func openPlanned(t *testing.T, engine store.Engine, host string, at time.Time) *planned {
	t.Helper()
	ctx := context.Background()
	c := &testClock{at: at}
	a, err := app.Open(ctx, app.Config{DB: storetest.DSN(t, engine), PublicURL: "https://status.example.org", Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := a.Inventory.LoadGraph(ctx); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []notify.Channel{
		{ID: "mail", Kind: notify.KindEmail, Name: "Mail", Enabled: true, Audiences: []notify.Audience{notify.AudienceCustomers, notify.AudienceStaff},
			Config: map[string]string{"host": "127.0.0.1", "port": "2525", "tls": "none", "from": "status@example.org"}},
		{ID: "hook", Kind: notify.KindWebhook, Name: "Hook", Enabled: true, Audiences: []notify.Audience{notify.AudiencePublic},
			Config: map[string]string{"url": "http://127.0.0.1:9/hook"}, Secret: "hook-secret"},
	} {
		if err := a.Notify.AddChannel(ctx, &ch); err != nil {
			t.Fatal(err)
		}
	}
	return &planned{t: t, ctx: ctx, a: a, clock: c}
}

func (p *planned) staff(email, zone, duty string) {
	p.t.Helper()
	if _, err := p.a.Auth.AddUser(p.ctx, email, auth.RoleStaff, "a long enough password"); err != nil {
		p.t.Fatal(err)
	}
	if err := p.a.Auth.SetTimezone(p.ctx, email, zone); err != nil {
		p.t.Fatal(err)
	}
	if err := p.a.NotifyPrefs.SetDuty(p.ctx, email, duty, true); err != nil {
		p.t.Fatal(err)
	}
}

// plan runs the planner once and returns every message queued so far.
func (p *planned) plan() []notify.Message {
	p.t.Helper()
	if _, err := p.a.Planner().Plan(p.ctx); err != nil {
		p.t.Fatal(err)
	}
	list, err := p.a.Notify.Messages(p.ctx, notify.ListFilter{Limit: 1000})
	if err != nil {
		p.t.Fatal(err)
	}
	return list
}

// deliverAll marks every message due as sent, as a worker would.
func (p *planned) deliverAll() {
	p.t.Helper()
	claimed, err := p.a.Notify.Claim(p.ctx, p.clock.Now(), 1000, time.Minute)
	if err != nil {
		p.t.Fatal(err)
	}
	for _, c := range claimed {
		if err := p.a.Notify.Sent(p.ctx, c.Message.ID, "", p.clock.Now(), nil); err != nil {
			p.t.Fatal(err)
		}
	}
}

func (p *planned) open(roots []string, sev incident.Severity) incident.Incident {
	p.t.Helper()
	inc, err := incident.OpenManual(p.ctx, p.a.Incidents, p.a.Inventory.Graph(), roots, "", sev, "ops@example.org", p.clock.Now())
	if err != nil {
		p.t.Fatal(err)
	}
	return inc
}

func to(list []notify.Message, channel, recipient string) []notify.Message {
	var out []notify.Message
	for _, m := range list {
		if m.Channel == channel && m.Recipient.ID == recipient {
			out = append(out, m)
		}
	}
	return out
}

// stormHost has 50 VMs; Alice has a site on each, Bob one on vm-01.
func stormHost() string {
	var b strings.Builder
	b.WriteString("customers:\n  - {id: C1, name: Alice, email: alice@example.org}\n  - {id: C2, name: Bob, email: bob@example.org, language: en}\n")
	b.WriteString("assets:\n  - {name: dc1, kind: datacenter}\n  - {name: hv01, kind: hypervisor, depends_on: [dc1]}\n")
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&b, "  - {name: vm-%02d, kind: vm, depends_on: [hv01], labels: {pool: shared}}\n", i)
		fmt.Fprintf(&b, "  - {name: alice-%02d, kind: site, owner: C1, depends_on: [vm-%02d]}\n", i, i)
	}
	b.WriteString("  - {name: bob-site, kind: site, owner: C2, depends_on: [vm-01]}\n")
	b.WriteString("components:\n  - {name: Hébergement mutualisé, name_en: Shared hosting, covers: {kind: vm, label: pool=shared}}\n")
	return b.String()
}

var planStart = time.Date(2026, 3, 1, 0, 30, 0, 0, time.UTC) // 01:30 in Paris, 19:30 in Montreal

func TestAStormOfIncidentsBecomesOneSummaryPerRecipient(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			p := openPlanned(t, engine, stormHost(), planStart)
			p.staff("night@example.org", "America/Montreal", "12:00-20:00")
			for i := 1; i <= 50; i++ {
				p.open([]string{fmt.Sprintf("vm-%02d", i)}, incident.Major)
			}
			list := p.plan()
			alice, bob := to(list, "mail", "C1"), to(list, "mail", "C2")
			if len(alice) != 1 || len(alice[0].Items) != 50 || !alice[0].Summary() {
				t.Fatalf("Alice: %d messages (first with %d items), want one summary of 50", len(alice), itemsOf(alice))
			}
			if len(bob) != 1 || len(bob[0].Items) != 1 || bob[0].Items[0].Sites[0] != "bob-site" {
				t.Fatalf("Bob, touched by one incident: %+v", bob)
			}
			if pages := to(list, "mail", "night@example.org"); len(pages) != 1 || len(pages[0].Items) != 50 {
				t.Errorf("the staff on duty got %d pages (%d items), want one of 50", len(pages), itemsOf(pages))
			}
			if pub := to(list, "hook", "hook"); len(pub) > 1 {
				t.Errorf("the public channel got %d messages, want at most one", len(pub))
			}
			// Planning again queues nothing more: each trigger is planned once.
			if again := p.plan(); len(again) != len(list) {
				t.Errorf("planning again: %d messages, had %d", len(again), len(list))
			}
		})
	}
}

func itemsOf(list []notify.Message) int {
	if len(list) == 0 {
		return 0
	}
	return len(list[0].Items)
}

// An incident opened by correlation pages staff at once, tells customers
// and the public only once it settles, naming the root found by then.
func TestTheFirstWordGoesToStaffAndThePublicWordWaitsForTheSettle(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			p := openPlanned(t, engine, notifyHost, planStart)
			p.staff("night@example.org", "America/Montreal", "12:00-20:00")
			p.staff("day@example.org", "Europe/Paris", "08:00-23:00")
			g := p.a.Inventory.Graph()
			imp, err := g.Impact("web-01")
			if err != nil {
				t.Fatal(err)
			}
			now := p.clock.Now()
			inc := &incident.Incident{Title: "web-01 down", Status: incident.Investigating, Severity: incident.Minor,
				Cause: incident.CauseOutage, RootAssets: []string{"web-01"}, Auto: true, DetectedBy: incident.DetectedByProbe,
				Impact: incident.Impact{Assets: imp.Assets, Sites: imp.Sites, Customers: imp.Customers}, ImpactStartedAt: now, DetectedAt: now}
			if _, err := p.a.Incidents.Create(p.ctx, inc, incident.Event{At: now, Type: incident.EventOpened, Text: "opened by correlation"}); err != nil {
				t.Fatal(err)
			}
			if list := p.plan(); len(list) != 0 {
				t.Fatalf("a minor incident, not settled: %v, want nothing (the digest tells it)", recipients(list))
			}
			// Within the window the root moves up to hv01 and the incident
			// becomes critical: the staff on duty are paged then.
			p.clock.Add(20 * time.Second)
			imp, _ = g.Impact("hv01")
			inc.RootAssets, inc.Title, inc.Severity = []string{"hv01"}, "hv01 down", incident.Critical
			inc.Impact = incident.Impact{Assets: imp.Assets, Sites: imp.Sites, Customers: imp.Customers}
			if err := p.a.Incidents.Update(p.ctx, inc, incident.Event{At: p.clock.Now(), Type: incident.EventRetargeted,
				Text: "re-targeted from web-01 to hv01"}); err != nil {
				t.Fatal(err)
			}
			list := p.plan()
			if len(list) != 1 || list[0].Recipient.ID != "night@example.org" || list[0].Topic != notify.TopicPage {
				t.Fatalf("before the settle: %+v, want one page to the staff on duty", recipients(list))
			}
			if !strings.Contains(list[0].Items[0].Internal, "hv01") || list[0].Items[0].AckLink == "" {
				t.Errorf("the page names no root or has no acknowledgement link: %+v", list[0].Items[0])
			}
			// It settles.
			p.clock.Add(40 * time.Second)
			at := p.clock.Now()
			inc.SettledAt = &at
			if err := p.a.Incidents.Update(p.ctx, inc, incident.Event{At: at, Type: incident.EventSettled, Text: "settled on hv01"}); err != nil {
				t.Fatal(err)
			}
			list = p.plan()
			alice, bob := to(list, "mail", "C1"), to(list, "mail", "C2")
			if len(alice) != 1 || len(bob) != 1 || len(to(list, "mail", "C3")) != 0 || len(to(list, "mail", "night@example.org")) != 1 {
				t.Fatalf("after the settle: %v", recipients(list))
			}
			if got := alice[0].Items[0].Sites; strings.Join(got, ",") != "alice-blog,alice-shop" {
				t.Errorf("Alice's sites: %v", got)
			}
			if bob[0].Recipient.Lang != "en" || bob[0].Recipient.Zone != "America/Montreal" || bob[0].Items[0].Body.EN == "" {
				t.Errorf("Bob's message: %+v", bob[0])
			}
			// Later, everything told, it widens to Carla: she alone hears of
			// it; the public channels are not told twice.
			p.clock.Add(time.Minute)
			p.deliverAll()
			inc.Impact.Customers = []string{"C1", "C2", "C3"}
			if err := p.a.Incidents.Update(p.ctx, inc, incident.Event{At: p.clock.Now(), Type: incident.EventScopeChanged, Text: "scope: 3 customers"}); err != nil {
				t.Fatal(err)
			}
			list = p.plan()
			if len(to(list, "mail", "C3")) != 1 || len(to(list, "mail", "C1")) != 1 || len(to(list, "mail", "C2")) != 1 {
				t.Errorf("after the widening: %v", recipients(list))
			}
			if n := len(to(list, "hook", "hook")); n != 1 {
				t.Errorf("the public channel got %d messages, want the first word only", n)
			}
			if len(to(list, "hook", "hook")) != 1 {
				t.Errorf("the public channel: %v", recipients(list))
			}
		})
	}
}

func recipients(list []notify.Message) []string {
	var out []string
	for _, m := range list {
		out = append(out, m.Channel+":"+m.Recipient.ID+"/"+string(m.Topic))
	}
	return out
}

// A page not acknowledged within the delay goes to every staff member; an
// acknowledged one does not.
func TestAnUnacknowledgedPageEscalatesToEveryone(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			p := openPlanned(t, engine, notifyHost, planStart)
			p.staff("night@example.org", "America/Montreal", "12:00-20:00")
			p.staff("day@example.org", "Europe/Paris", "08:00-23:00")
			first := p.open([]string{"hv01"}, incident.Critical)
			list := p.plan()
			if pages := to(list, "mail", "night@example.org"); len(pages) != 1 || len(to(list, "mail", "day@example.org")) != 0 {
				t.Fatalf("the first page: %v", recipients(list))
			}
			p.clock.Add(9 * time.Minute)
			if n := len(p.plan()); n != len(list) {
				t.Fatalf("escalated before the delay: %d messages, had %d", n, len(list))
			}
			p.clock.Add(2 * time.Minute)
			list = p.plan()
			day := to(list, "mail", "day@example.org")
			if len(day) != 1 || day[0].Items[0].Event != "escalation" || day[0].Items[0].IncidentID != first.ID {
				t.Fatalf("after 11 min: %v", recipients(list))
			}
			// A second incident, acknowledged by its link in time.
			second := p.open([]string{"hv02"}, incident.Major)
			list = p.plan()
			var link string
			for _, m := range to(list, "mail", "night@example.org") {
				for _, it := range m.Items {
					if it.IncidentID == second.ID {
						link = it.AckLink
					}
				}
			}
			if link == "" {
				t.Fatalf("no page with a link for the second incident: %v", recipients(list))
			}
			token := link[strings.LastIndex(link, "/")+1:]
			got, _, err := p.a.Acknowledge(p.ctx, token)
			if err != nil || got.AcknowledgedAt == nil {
				t.Fatalf("acknowledge: %v %+v", err, got)
			}
			sig := strings.LastIndex(token, ".") + 3
			swap := byte('A')
			if token[sig] == 'A' {
				swap = 'B'
			}
			forged := token[:sig] + string(swap) + token[sig+1:]
			if _, _, err := p.a.Acknowledge(p.ctx, forged); err == nil {
				t.Error("a changed link acknowledged")
			}
			before := len(list)
			p.clock.Add(15 * time.Minute)
			for _, m := range p.plan()[before:] {
				for _, it := range m.Items {
					if it.IncidentID == second.ID && it.Event == "escalation" {
						t.Errorf("an acknowledged page escalated: %+v", m)
					}
				}
			}
		})
	}
}

// Maintenance notices: ahead of the window, at its start and at its end,
// each once; a window cancelled after its notice is announced cancelled.
func TestMaintenanceNoticesGoAheadAtStartAndAtEnd(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			p := openPlanned(t, engine, notifyHost, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
			w := &incident.Window{Title: "Mise à jour de hv01", TitleEN: "hv01 upgrade", Assets: []string{"hv01"},
				Start: "2026-11-27T02:00", End: "2026-11-27T04:00", Zone: "Europe/Paris"}
			if err := p.a.Maintenance.Create(p.ctx, w, "ops@example.org"); err != nil {
				t.Fatal(err)
			}
			if list := p.plan(); len(list) != 0 {
				t.Fatalf("a week ahead: %v, want nothing yet", recipients(list))
			}
			start := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
			events := func(list []notify.Message, who string) []string {
				var out []string
				for _, m := range to(list, "mail", who) {
					for _, it := range m.Items {
						out = append(out, it.Event)
					}
				}
				return out
			}
			for _, step := range []struct {
				at   time.Time
				want string
			}{
				{start.Add(-72*time.Hour + time.Minute), "ahead"},
				{start.Add(-time.Hour), "ahead"},
				{start.Add(time.Minute), "ahead,started"},
				{start.Add(2*time.Hour + time.Minute), "ahead,started,ended"},
				{start.Add(5 * time.Hour), "ahead,started,ended"},
			} {
				p.clock.at = step.at
				list := p.plan()
				if got := strings.Join(events(list, "C1"), ","); got != step.want {
					t.Errorf("at %s: Alice was told %q, want %q", step.at.Format(time.RFC3339), got, step.want)
				}
				if got := len(events(list, "C3")); got != 0 {
					t.Errorf("Carla, on hv02, was told about hv01's window")
				}
			}
			m := to(p.plan(), "mail", "C2")
			if len(m) == 0 || m[0].Items[0].Start == nil || m[0].Items[0].Title.EN != "hv01 upgrade" {
				t.Errorf("Bob's notice: %+v", m)
			}
			// A second window, announced, then cancelled.
			w2 := &incident.Window{Title: "Changement de disque", Assets: []string{"web-02"},
				Start: "2026-11-29T02:00", End: "2026-11-29T03:00", Zone: "Europe/Paris"}
			if err := p.a.Maintenance.Create(p.ctx, w2, "ops@example.org"); err != nil {
				t.Fatal(err)
			}
			if got := events(p.plan(), "C2"); strings.Join(got, ",") != "ahead,started,ended,scheduled" {
				t.Fatalf("Bob after the second window: %v", got)
			}
			if err := p.a.Maintenance.Delete(p.ctx, w2.ID); err != nil {
				t.Fatal(err)
			}
			if got := events(p.plan(), "C2"); strings.Join(got, ",") != "ahead,started,ended,scheduled,cancelled" {
				t.Errorf("Bob after the cancellation: %v", got)
			}
		})
	}
}

// A site problem is told to the site's owner only, privately, with its
// cause in plain words.
func TestASiteProblemGoesOnlyToItsOwner(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			p := openPlanned(t, engine, notifyHost, planStart)
			now := p.clock.Now()
			inc := &incident.Incident{Title: "bob-bakery: site problem", Status: incident.Investigating, Severity: incident.Minor,
				Cause: incident.CauseSiteProblem, RootAssets: []string{"bob-bakery"}, Auto: true, Reason: "http-status",
				Impact: incident.Impact{Assets: 1, Sites: 1, Customers: []string{"C2"}}, ImpactStartedAt: now, DetectedAt: now, SettledAt: &now}
			if _, err := p.a.Incidents.Create(p.ctx, inc, incident.Event{At: now, Type: incident.EventOpened, Text: "opened by correlation"}); err != nil {
				t.Fatal(err)
			}
			list := p.plan()
			if len(list) != 1 || list[0].Recipient.ID != "C2" || list[0].Topic != notify.TopicSiteProblem {
				t.Fatalf("a site problem was told to %v", recipients(list))
			}
			if body := list[0].Items[0].Body.EN; !strings.Contains(body, "HTTP error") {
				t.Errorf("the cause is not told in plain words: %q", body)
			}
		})
	}
}

// A public update is told once; correcting its text later changes the
// page and the feeds, and sends nothing again.
func TestAnEditedUpdateIsNotSentAgain(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			p := openPlanned(t, engine, notifyHost, planStart)
			inc := p.open([]string{"hv01"}, incident.Minor)
			p.plan()
			// The update joins the first word, still waiting.
			u := &incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Investigating, MessageFR: "Un disque a lâché.", MessageEN: "A disk failed."}
			if err := p.a.Incidents.AddPublicUpdate(p.ctx, u, p.clock.Now()); err != nil {
				t.Fatal(err)
			}
			list := p.plan()
			told := 0
			for _, m := range to(list, "mail", "C2") {
				for _, it := range m.Items {
					if it.Body.EN == "A disk failed." {
						told++
					}
				}
			}
			if told != 1 {
				t.Fatalf("Bob was told the update %d times: %v", told, recipients(list))
			}
			p.clock.Add(10 * time.Minute)
			p.deliverAll()
			if _, err := p.a.Incidents.EditPublicUpdate(p.ctx, inc.ID, u.ID, "Un disque a lâché ; remplacé.", "A disk failed; replaced.", p.clock.Now()); err != nil {
				t.Fatal(err)
			}
			if again := p.plan(); len(again) != len(list) {
				t.Errorf("the edit sent %d more messages", len(again)-len(list))
			}
		})
	}
}

// A window announced, then moved to another date and another asset: those
// told before and those it reaches now hear of the change; one cancelled
// while in progress is told over; a weekly one's end notice survives the
// move to the next week.
func TestMaintenanceChangesReachWhoWasToldAndWhoIsReachedNow(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			p := openPlanned(t, engine, notifyHost, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
			w := &incident.Window{Title: "Disque de web-01", Assets: []string{"web-01"},
				Start: "2026-11-27T02:00", End: "2026-11-27T03:00", Zone: "Europe/Paris"}
			if err := p.a.Maintenance.Create(p.ctx, w, "ops@example.org"); err != nil {
				t.Fatal(err)
			}
			events := func(who string) string {
				var out []string
				for _, m := range to(p.plan(), "mail", who) {
					for _, it := range m.Items {
						out = append(out, it.Event)
					}
				}
				return strings.Join(out, ",")
			}
			if got := events("C1"); got != "scheduled" {
				t.Fatalf("Alice, whose sites are on web-01: %q", got)
			}
			p.deliverAll()
			// Moved a day later, onto web-02 (Bob's): Alice, told before, and
			// Bob, reached now, hear of it.
			w.Start, w.End, w.Assets = "2026-11-28T02:00", "2026-11-28T03:00", []string{"web-02"}
			if err := p.a.Maintenance.Update(p.ctx, w); err != nil {
				t.Fatal(err)
			}
			if a, b := events("C1"), events("C2"); a != "scheduled,changed" || b != "changed" {
				t.Fatalf("after the move: Alice %q, Bob %q", a, b)
			}
			// At its start, then cancelled while in progress: Bob hears it is over.
			p.clock.at = time.Date(2026, 11, 28, 1, 10, 0, 0, time.UTC)
			if b := events("C2"); b != "changed,started" {
				t.Fatalf("at the start: Bob %q", b)
			}
			p.deliverAll()
			if err := p.a.Maintenance.Delete(p.ctx, w.ID); err != nil {
				t.Fatal(err)
			}
			if b := events("C2"); b != "changed,started,ended" {
				t.Errorf("cancelled while in progress: Bob %q", b)
			}
			// A weekly window: its end notice still goes 30 min after the
			// end, when the window already shows next week's occurrence.
			weekly := &incident.Window{Title: "Sauvegardes", Assets: []string{"hv02"}, Weekly: true,
				Start: "2026-11-29T02:00", End: "2026-11-29T02:10", Zone: "Europe/Paris"}
			if err := p.a.Maintenance.Create(p.ctx, weekly, "ops@example.org"); err != nil {
				t.Fatal(err)
			}
			p.clock.at = time.Date(2026, 11, 29, 1, 5, 0, 0, time.UTC)
			p.plan()
			p.clock.at = time.Date(2026, 11, 29, 1, 40, 0, 0, time.UTC)
			if c := events("C3"); !strings.HasSuffix(c, "started,ended") {
				t.Errorf("Carla, for the weekly window: %q", c)
			}
		})
	}
}

// The public channels hear of an outage once it is platform-wide, and
// follow to its end one they were told of, even once it narrows.
func TestPublicChannelsFollowWhatTheyWereTold(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			p := openPlanned(t, engine, notifyHost, planStart)
			now := p.clock.Now()
			inc := &incident.Incident{Title: "web-02 down", Status: incident.Investigating, Severity: incident.Minor,
				Cause: incident.CauseOutage, RootAssets: []string{"web-02"}, Auto: true, DetectedBy: incident.DetectedByProbe,
				Impact: incident.Impact{Assets: 2, Sites: 1, Customers: []string{"C2"}}, ImpactStartedAt: now, DetectedAt: now, SettledAt: &now}
			if _, err := p.a.Incidents.Create(p.ctx, inc, incident.Event{At: now, Type: incident.EventOpened, Text: "opened by correlation"}); err != nil {
				t.Fatal(err)
			}
			public := func() []string {
				var out []string
				for _, m := range to(p.plan(), "hook", "hook") {
					for _, it := range m.Items {
						out = append(out, it.Event)
					}
				}
				return out
			}
			if got := public(); len(got) != 0 {
				t.Fatalf("one customer's VPS went public: %v", got)
			}
			p.clock.Add(time.Minute)
			p.deliverAll()
			inc.RootAssets, inc.Impact = []string{"hv01"}, incident.Impact{Assets: 5, Sites: 3, Customers: []string{"C1", "C2"}}
			if err := p.a.Incidents.Update(p.ctx, inc, incident.Event{At: p.clock.Now(), Type: incident.EventScopeChanged, Text: "scope: 2 customers"}); err != nil {
				t.Fatal(err)
			}
			if got := public(); strings.Join(got, ",") != "opened" {
				t.Fatalf("widened to a platform-wide outage, the public got %v", got)
			}
			p.clock.Add(10 * time.Minute)
			p.deliverAll()
			inc.RootAssets, inc.Impact = []string{"web-02"}, incident.Impact{Assets: 2, Sites: 1, Customers: []string{"C2"}}
			inc.Status = incident.Monitoring
			if err := p.a.Incidents.Update(p.ctx, inc, incident.Event{At: p.clock.Now(), Type: incident.EventStatus, Public: true,
				Text: "web-02 recovered: monitoring"}); err != nil {
				t.Fatal(err)
			}
			if got := public(); strings.Join(got, ",") != "opened,monitoring" {
				t.Errorf("narrowed again, the public was not told the end: %v", got)
			}
		})
	}
}
