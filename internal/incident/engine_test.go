package incident_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// engineHost: hv1 runs vm1 and vm2; vm1 hosts s1, s2 (C1, C2), vm2 hosts
// s3, s4 (C3). Every machine has an address and every site a url, so each
// has a default check.
const engineHost = `customers:
  - {id: C1, name: One, email: one@example.org}
  - {id: C2, name: Two, email: two@example.org}
  - {id: C3, name: Three, email: three@example.org}
assets:
  - {name: hv1, kind: hypervisor, address: "127.0.1.1:22"}
  - {name: vm1, kind: vm, depends_on: [hv1], address: "127.0.2.1:22"}
  - {name: vm2, kind: vm, depends_on: [hv1], address: "127.0.2.2:22"}
  - {name: s1, kind: site, owner: C1, depends_on: [vm1], url: "https://s1.example/"}
  - {name: s2, kind: site, owner: C2, depends_on: [vm1], url: "https://s2.example/"}
  - {name: s3, kind: site, owner: C3, depends_on: [vm2], url: "https://s3.example/"}
  - {name: s4, kind: site, owner: C3, depends_on: [vm2], url: "https://s4.example/"}
`

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newEngine(t *testing.T, db *store.DB, c *clock, mutes incident.Mutes) (*incident.Engine, *incident.Store) {
	t.Helper()
	inv := inventory.NewService(db, nil)
	if _, err := inv.ImportFiles(context.Background(), []inventory.File{{Name: "host.yaml", Data: []byte(engineHost)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	st := incident.NewStore(db)
	e := incident.NewEngine(st, inv, incident.EngineOptions{Now: c.now, Mutes: mutes})
	if err := e.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e, st
}

func down(at time.Time, assets ...string) []detect.Signal {
	var out []detect.Signal
	for _, a := range assets {
		kind := "tcp"
		if a[0] == 's' {
			kind = "http"
		}
		out = append(out, detect.Signal{Kind: detect.CheckDown, Check: a + "/" + kind, Asset: a, At: at})
	}
	return out
}

func up(at time.Time, assets ...string) []detect.Signal {
	out := down(at, assets...)
	for i := range out {
		out[i].Kind = detect.CheckUp
	}
	return out
}

func tick(t *testing.T, e *incident.Engine, c *clock, d time.Duration) {
	t.Helper()
	c.t = c.t.Add(d)
	if err := e.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func openIncidents(t *testing.T, st *incident.Store) []incident.Incident {
	t.Helper()
	list, err := st.List(context.Background(), "open", 0)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// eventTypes returns the types of a timeline but its signals, in order.
func eventTypes(events []incident.Event) []incident.EventType {
	var out []incident.EventType
	for _, ev := range events {
		if ev.Type != incident.EventSignal {
			out = append(out, ev.Type)
		}
	}
	return out
}

// TestAHypervisorDownIsOneIncidentReTargetedWithinTheSettleWindow has vm1
// fail first: its incident opens at once, unsettled; hv1 failing within the
// window re-targets that same incident to hv1, which settles once the
// window, counted from the first detection, elapsed.
func TestAHypervisorDownIsOneIncidentReTargetedWithinTheSettleWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{time.Date(2026, 11, 27, 2, 13, 0, 0, time.UTC)}
		t0 := c.t
		e, st := newEngine(t, db, c, nil)
		e.Observe(down(c.t, "s1", "s2", "vm1"))
		tick(t, e, c, 10*time.Second)
		first := openIncidents(t, st)
		if len(first) != 1 || !slices.Equal(first[0].RootAssets, []string{"vm1"}) || first[0].SettledAt != nil ||
			!first[0].DetectedAt.Equal(t0.Add(10*time.Second)) {
			t.Fatalf("at the first confirmed root: %+v, want one unsettled incident on vm1 detected then", first)
		}
		// The rest of the hypervisor fails inside the settle window.
		e.Observe(down(c.t, "hv1", "vm2", "s3", "s4"))
		tick(t, e, c, 30*time.Second)
		got := openIncidents(t, st)
		if len(got) != 1 || got[0].ID != first[0].ID || !slices.Equal(got[0].RootAssets, []string{"hv1"}) || got[0].SettledAt != nil {
			t.Fatalf("after hv1 failed: %+v, want incident %d re-targeted to hv1, unsettled", got, first[0].ID)
		}
		// No settled incident before the window, counted from the detection.
		tick(t, e, c, 29*time.Second)
		if got := openIncidents(t, st); len(got) != 1 || got[0].SettledAt != nil {
			t.Fatalf("settled before the window elapsed: %+v", got)
		}
		tick(t, e, c, time.Second)
		got = openIncidents(t, st)
		if len(got) != 1 {
			t.Fatalf("want one incident, got %+v", got)
		}
		inc := got[0]
		if inc.ID != first[0].ID || !slices.Equal(inc.RootAssets, []string{"hv1"}) || inc.Severity != incident.Critical ||
			!slices.Equal(inc.Impact.Customers, []string{"C1", "C2", "C3"}) || inc.Impact.Sites != 4 ||
			inc.Title != "hv1 down: 4 sites, 3 customers" || inc.TimeToDetect() != 10*time.Second ||
			inc.SettledAt == nil || inc.TimeToPublicWord() != 70*time.Second {
			t.Fatalf("incident: %+v", inc)
		}
		events, err := st.Events(context.Background(), inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []incident.EventType{incident.EventOpened, incident.EventRetargeted, incident.EventSettled}
		if got := eventTypes(events); !slices.Equal(got, want) {
			t.Fatalf("timeline %v, want %v: %+v", got, want, events)
		}
		texts := map[string]bool{}
		for _, ev := range events {
			texts[ev.Text] = true
		}
		if !texts["vm1/tcp down"] || !texts["hv1/tcp down"] || !texts["re-targeted from vm1 to hv1: 4 sites, 3 customers"] ||
			!texts["settled on hv1: 4 sites, 3 customers; customers and public channels are told now"] {
			t.Fatalf("timeline texts: %+v", events)
		}
		// Recovery: monitoring, then resolved after the quiet period.
		e.Observe(up(c.t, "hv1", "vm1", "vm2", "s1", "s2", "s3", "s4"))
		tick(t, e, c, time.Second)
		if got := openIncidents(t, st); len(got) != 1 || got[0].Status != incident.Monitoring {
			t.Fatalf("after recovery: %+v", got)
		}
		tick(t, e, c, incident.DefaultQuiet)
		if got := openIncidents(t, st); len(got) != 0 {
			t.Fatalf("not resolved after the quiet period: %+v", got)
		}
	})
}

func TestALowerIncidentMergesIntoItsAncestorsAndASiteAloneIsASiteProblem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		e, st := newEngine(t, db, c, nil)
		e.Observe(down(c.t, "vm1", "s1", "s2"))
		tick(t, e, c, 0)
		tick(t, e, c, 61*time.Second)
		first := openIncidents(t, st)
		// Half the sites of this small host: critical by share, not just major.
		if len(first) != 1 || first[0].RootAssets[0] != "vm1" || first[0].Severity != incident.Critical || first[0].SettledAt == nil {
			t.Fatalf("vm1 incident, settled: %+v", first)
		}
		// hv1 fails once vm1's incident settled: its own incident opens at
		// once and vm1's merges into it.
		e.Observe(down(c.t, "hv1", "vm2", "s3", "s4"))
		tick(t, e, c, 0)
		got := openIncidents(t, st)
		if len(got) != 1 || got[0].RootAssets[0] != "hv1" || got[0].ID == first[0].ID || got[0].SettledAt != nil {
			t.Fatalf("after hv1 failed: %+v, want a new unsettled incident on hv1", got)
		}
		tick(t, e, c, 61*time.Second)
		merged, err := st.Get(context.Background(), first[0].ID)
		if err != nil || merged.Status != incident.Merged || merged.MergedInto != got[0].ID {
			t.Fatalf("vm1 incident not merged: %+v %v", merged, err)
		}
		// Everything recovers but s3, whose application is broken: given
		// the aftermath of the outage to come back, it is then a problem
		// of its own.
		e.Observe(up(c.t, "hv1", "vm1", "vm2", "s1", "s2", "s4"))
		tick(t, e, c, 0)
		// A failure that starts after the recovery is no aftermath.
		tick(t, e, c, 5*time.Second)
		e.Observe(down(c.t, "s1"))
		tick(t, e, c, 0)
		tick(t, e, c, 61*time.Second)
		s1Opened := false
		for _, inc := range openIncidents(t, st) {
			if inc.RootAssets[0] == "s3" {
				t.Fatalf("s3 opened within the aftermath of hv1's recovery: %+v", inc)
			}
			s1Opened = s1Opened || inc.RootAssets[0] == "s1"
		}
		if !s1Opened {
			t.Fatalf("s1, down after the recovery, did not open: %+v", openIncidents(t, st))
		}
		tick(t, e, c, incident.DefaultAftermath)
		tick(t, e, c, 61*time.Second)
		var site *incident.Incident
		for _, inc := range openIncidents(t, st) {
			if inc.RootAssets[0] == "s3" {
				site = &inc
			}
		}
		if site == nil || site.Cause != incident.CauseSiteProblem || site.Severity != incident.Minor || !slices.Equal(site.Impact.Customers, []string{"C3"}) {
			t.Fatalf("s3 alone: %+v", site)
		}
	})
}

func TestMaintenanceOpensNoIncidentUntilItEnds(t *testing.T) {
	c := &clock{time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)} // 02:00 Paris
	w := incident.Window{ID: "m1", Assets: []string{"hv1"}, Start: "2026-11-27T02:00", End: "2026-11-27T04:00"}
	db := storetest.Open(t, store.SQLite)
	inv := inventory.NewService(db, nil)
	if _, err := inv.ImportFiles(context.Background(), []inventory.File{{Name: "host.yaml", Data: []byte(engineHost)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := inv.LoadGraph(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := incident.NewStore(db)
	e := incident.NewEngine(st, inv, incident.EngineOptions{Now: c.now,
		Mutes: incident.Maintenances{Windows: []incident.Window{w}, Graph: inv.Graph()}})
	e.Observe(down(c.t.Add(10*time.Minute), "hv1", "vm1", "vm2", "s1", "s2", "s3", "s4"))
	for range 10 { // 10 minutes into the window
		tick(t, e, c, time.Minute)
	}
	if got := openIncidents(t, st); len(got) != 0 {
		t.Fatalf("incident inside the maintenance window: %+v", got)
	}
	c.t = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC) // 04:00 Paris: the window ended
	tick(t, e, c, 0)
	if got := openIncidents(t, st); len(got) != 1 || got[0].RootAssets[0] != "hv1" || !got[0].DetectedAt.Equal(c.t) {
		t.Fatalf("still down after the window: %+v, want an incident on hv1 at once", got)
	}
}

func TestARestartContinuesOpenIncidents(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
	e, st := newEngine(t, db, c, nil)
	e.Observe(down(c.t, "vm2", "s3", "s4"))
	tick(t, e, c, 0)
	tick(t, e, c, 61*time.Second)
	if got := openIncidents(t, st); len(got) != 1 {
		t.Fatalf("before the restart: %+v", got)
	}
	// A new engine (a restarted server) sees the same failures again.
	e2 := incident.NewEngine(st, inventory.NewService(db, nil), incident.EngineOptions{Now: c.now})
	if err := e2.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	e2.Observe(down(c.t, "vm2", "s3", "s4"))
	tick(t, e2, c, 0)
	tick(t, e2, c, 61*time.Second)
	if got := openIncidents(t, st); len(got) != 1 {
		t.Fatalf("after a restart: %+v", got)
	}
}

func TestARedundancyGroupFailsOnlyWhenAllItsMembersFail(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
	host := `assets:
  - {name: ns1, kind: service, address: "127.0.5.1:53"}
  - {name: ns2, kind: service, address: "127.0.5.2:53"}
  - {name: dns, kind: group, depends_on: [ns1, ns2]}
  - {name: s1, kind: site, depends_on: [dns], url: "https://s1.example/"}
  - {name: s2, kind: site, depends_on: [dns], url: "https://s2.example/"}
`
	inv := inventory.NewService(db, nil)
	if _, err := inv.ImportFiles(context.Background(), []inventory.File{{Name: "h.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	st := incident.NewStore(db)
	e := incident.NewEngine(st, inv, incident.EngineOptions{Now: c.now})
	// The sites fail for reasons of their own while ns1 is down: with ns2
	// up, the group holds, so they are not pinned on ns1.
	e.Observe(down(c.t, "ns1", "s1", "s2"))
	tick(t, e, c, 0)
	tick(t, e, c, 61*time.Second)
	roots := map[string]bool{}
	for _, inc := range openIncidents(t, st) {
		roots[inc.RootAssets[0]] = true
	}
	if !roots["ns1"] || len(roots) < 2 {
		t.Fatalf("with ns2 up, the sites' failures are not ns1's: roots %v", roots)
	}
	for _, inc := range openIncidents(t, st) {
		if inc.RootAssets[0] == "ns1" && (inc.Impact.Sites != 0 || inc.Title != "ns1 down: 0 sites, 0 customers") {
			t.Fatalf("ns1 alone, behind a group that holds, affects no site: %+v", inc)
		}
	}
}

func TestChildrenOfARecoveredParentAreRechecked(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
	inv := inventory.NewService(db, nil)
	if _, err := inv.ImportFiles(context.Background(), []inventory.File{{Name: "host.yaml", Data: []byte(engineHost)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var rechecked [][]string
	e := incident.NewEngine(incident.NewStore(db), inv, incident.EngineOptions{Now: c.now,
		Recheck: func(assets []string) { rechecked = append(rechecked, assets) }})
	e.Observe(down(c.t, "vm1", "s1", "s2"))
	tick(t, e, c, 0)
	tick(t, e, c, 61*time.Second)
	e.Observe(up(c.t, "vm1", "s2"))
	tick(t, e, c, time.Second)
	if len(rechecked) != 1 || !slices.Equal(rechecked[0], []string{"s1"}) {
		t.Fatalf("rechecked %v, want [[s1]]", rechecked)
	}
}

func TestStaffCanSetTheScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inv := inventory.NewService(db, nil)
		if _, err := inv.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(engineHost)}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := inv.LoadGraph(ctx); err != nil {
			t.Fatal(err)
		}
		st := incident.NewStore(db)
		now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
		inc, err := incident.OpenManual(ctx, st, inv.Graph(), []string{"vm1"}, "", "", "ops@example.org", now)
		if err != nil {
			t.Fatal(err)
		}
		got, err := incident.EditScope(ctx, st, inv.Graph(), inc.ID, []string{"hv1"}, "ops@example.org", now.Add(time.Minute))
		if err != nil || !slices.Equal(got.RootAssets, []string{"hv1"}) || got.Impact.Sites != 4 || got.Peak.Sites != 4 {
			t.Fatalf("scope set to hv1: %+v %v", got, err)
		}
		if _, err := incident.EditScope(ctx, st, inv.Graph(), inc.ID, []string{"nowhere"}, "ops@example.org", now); err == nil {
			t.Fatal("an unknown asset was accepted")
		}
		events, _ := st.Events(ctx, inc.ID)
		if last := events[len(events)-1]; last.Type != incident.EventScopeChanged || last.Author != "ops@example.org" {
			t.Fatalf("timeline: %+v", events)
		}
	})
}
