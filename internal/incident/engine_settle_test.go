package incident_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// timeline returns the events of an incident.
func timeline(t *testing.T, st *incident.Store, id int64) []incident.Event {
	t.Helper()
	events, err := st.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// publicIDs returns the ids of the incidents the public page may show.
func publicIDs(t *testing.T, st *incident.Store, since time.Time) []int64 {
	t.Helper()
	list, err := st.PublicSince(context.Background(), since)
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{}
	for _, inc := range list {
		ids = append(ids, inc.ID)
	}
	return ids
}

// eventOf returns the first event of a type, failing when there is none.
func eventOf(t *testing.T, events []incident.Event, typ incident.EventType) incident.Event {
	t.Helper()
	for _, ev := range events {
		if ev.Type == typ {
			return ev
		}
	}
	t.Fatalf("no %s event in %+v", typ, events)
	return incident.Event{}
}

// TestASiteProblemOpensAtOnceAndShowsOnceSettled has s3 fail alone: its
// incident opens at the first tick, kept off the public page until the
// settle window elapsed; then it settles, and shows.
func TestASiteProblemOpensAtOnceAndShowsOnceSettled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		t0, archive := c.t, c.t.Add(-24*time.Hour)
		e, st := newEngine(t, db, c, nil)
		e.Observe(down(c.t, "s3"))
		tick(t, e, c, 0)
		open := openIncidents(t, st)
		if len(open) != 1 || open[0].Cause != incident.CauseSiteProblem || !open[0].DetectedAt.Equal(t0) || open[0].SettledAt != nil {
			t.Fatalf("at the first tick: %+v, want one unsettled site problem detected then", open)
		}
		id := open[0].ID
		if got := eventTypes(timeline(t, st, id)); !slices.Equal(got, []incident.EventType{incident.EventOpened}) {
			t.Fatalf("timeline %v, want opened alone", got)
		}
		if ids := publicIDs(t, st, archive); len(ids) != 0 {
			t.Fatalf("public page shows %v while unsettled", ids)
		}
		tick(t, e, c, incident.DefaultSettle-time.Second)
		if got, _ := st.Get(context.Background(), id); got.SettledAt != nil || len(publicIDs(t, st, archive)) != 0 {
			t.Fatalf("settled or shown a second before the window elapsed: %+v", got)
		}
		tick(t, e, c, time.Second)
		got, err := st.Get(context.Background(), id)
		if err != nil || got.SettledAt == nil || !got.SettledAt.Equal(t0.Add(incident.DefaultSettle)) {
			t.Fatalf("after the window: %+v %v, want settled at %s", got, err, t0.Add(incident.DefaultSettle))
		}
		events := timeline(t, st, id)
		settled := eventOf(t, events, incident.EventSettled)
		if settled.Public || settled.Text != "settled on s3, a site problem: its owner is told now" ||
			!slices.Equal(eventTypes(events), []incident.EventType{incident.EventOpened, incident.EventSettled}) {
			t.Fatalf("timeline %+v", events)
		}
		if ids := publicIDs(t, st, archive); !slices.Equal(ids, []int64{id}) {
			t.Fatalf("public page shows %v once settled, want [%d]", ids, id)
		}
		// Settled once: later ticks add nothing.
		tick(t, e, c, time.Minute)
		if again := timeline(t, st, id); len(again) != len(events) {
			t.Fatalf("timeline grew after settling: %+v", again)
		}
	})
}

// TestUnsettledIncidentsBelowANewRootBecomeOne has s1 and then s3 fail
// alone, then their hypervisor: the oldest incident, s1's, is re-targeted
// to hv1 and s3's merges into it; it settles when s1's window elapses.
func TestUnsettledIncidentsBelowANewRootBecomeOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		t0 := c.t
		e, st := newEngine(t, db, c, nil)
		e.Observe(down(c.t, "s1"))
		tick(t, e, c, 0)
		c.t = t0.Add(5 * time.Second)
		e.Observe(down(c.t, "s3"))
		tick(t, e, c, 0)
		roots := openRoots(t, st)
		a, b := roots["s1"], roots["s3"]
		if len(roots) != 2 || a.Cause != incident.CauseSiteProblem || b.Cause != incident.CauseSiteProblem {
			t.Fatalf("before hv1 failed: %v, want site problems on s1 and s3", roots)
		}
		c.t = t0.Add(10 * time.Second)
		// s4's failure comes late (a remote probe's buffer): it started
		// before s1's, and the impact starts with it.
		e.Observe(append(down(c.t, "hv1", "vm1", "vm2", "s2"), down(t0.Add(-30*time.Second), "s4")...))
		tick(t, e, c, 0)
		roots = openRoots(t, st)
		got := roots["hv1"]
		if len(roots) != 1 || got.ID != a.ID || got.Cause != incident.CauseOutage || got.Severity != incident.Critical ||
			got.Title != "hv1 down: 4 sites, 3 customers" || got.Impact.Sites != 4 || got.Peak.Sites != 4 ||
			!got.ImpactStartedAt.Equal(t0.Add(-30*time.Second)) || !got.DetectedAt.Equal(t0) || got.SettledAt != nil {
			t.Fatalf("after hv1 failed: %v, want s1's incident %d re-targeted to hv1", roots, a.ID)
		}
		merged, err := st.Get(ctx, b.ID)
		if err != nil || merged.Status != incident.Merged || merged.MergedInto != a.ID {
			t.Fatalf("s3's incident: %+v %v, want merged into %d", merged, err, a.ID)
		}
		want := []incident.EventType{incident.EventOpened, incident.EventRetargeted, incident.EventMerged}
		if types := eventTypes(timeline(t, st, a.ID)); !slices.Equal(types, want) {
			t.Fatalf("timeline %v, want %v", types, want)
		}
		if ev := eventOf(t, timeline(t, st, a.ID), incident.EventRetargeted); ev.Text != "re-targeted from s1 to hv1: 4 sites, 3 customers" {
			t.Fatalf("re-targeted event %+v", ev)
		}
		// s1's window, not hv1's failure, bounds the time to the public word.
		c.t = t0.Add(incident.DefaultSettle)
		tick(t, e, c, 0)
		got, _ = st.Get(ctx, a.ID)
		if got.SettledAt == nil || !got.SettledAt.Equal(c.t) || got.TimeToPublicWord() != incident.DefaultSettle+30*time.Second {
			t.Fatalf("after s1's window: %+v", got)
		}
		if types := eventTypes(timeline(t, st, a.ID)); !slices.Equal(types, append(want, incident.EventSettled)) {
			t.Fatalf("timeline %v, want it settled last", types)
		}
		if merged, _ := st.Get(ctx, b.ID); merged.SettledAt != nil {
			t.Fatalf("the merged incident settled: %+v", merged)
		}
	})
}

// TestStaffIncidentsAreSettledAtOnceAndTakeTheUnsettledBelow has vm1's
// incident open unsettled when staff open one by hand on hv1, which then
// fails: vm1's merges into staff's, settled since it opened, with no
// settled event ever.
func TestStaffIncidentsAreSettledAtOnceAndTakeTheUnsettledBelow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		e, st := newEngine(t, db, c, nil)
		e.Observe(down(c.t, "vm1", "s1", "s2"))
		tick(t, e, c, 0)
		auto := openRoots(t, st)["vm1"]
		inv := inventory.NewService(db, nil)
		if err := inv.LoadGraph(ctx); err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(5 * time.Second)
		manual, err := incident.OpenManual(ctx, st, inv.Graph(), []string{"hv1"}, "", "", "ana", c.t)
		if err != nil {
			t.Fatal(err)
		}
		if read, _ := st.Get(ctx, manual.ID); read.SettledAt == nil || !read.SettledAt.Equal(read.DetectedAt) {
			t.Fatalf("staff's incident: %+v, want settled when detected", read)
		}
		e.Observe(down(c.t, "hv1", "vm2", "s3", "s4"))
		tick(t, e, c, 5*time.Second)
		roots := openRoots(t, st)
		if len(roots) != 1 || roots["hv1"].ID != manual.ID {
			t.Fatalf("open: %v, want staff's incident alone", roots)
		}
		if got, _ := st.Get(ctx, auto.ID); got.Status != incident.Merged || got.MergedInto != manual.ID {
			t.Fatalf("vm1's incident: %+v, want merged into staff's %d", got, manual.ID)
		}
		tick(t, e, c, 2*incident.DefaultSettle)
		for _, id := range []int64{manual.ID, auto.ID} {
			for _, ev := range timeline(t, st, id) {
				if ev.Type == incident.EventSettled {
					t.Fatalf("incident %d has a settled event: %+v", id, ev)
				}
			}
		}
	})
}

// TestARestartMidWindowSettlesOnce opens vm1's incident, then replaces the
// engine by a new one within the window: the new one continues it (no
// second incident), re-targets it when hv1 fails, and settles it once when
// the window, counted from the first detection, elapses.
func TestARestartMidWindowSettlesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		t0 := c.t
		e, st := newEngine(t, db, c, nil)
		e.Observe(down(c.t, "vm1", "s1", "s2"))
		tick(t, e, c, 0)
		first := openRoots(t, st)["vm1"]

		c.t = t0.Add(20 * time.Second)
		e2 := incident.NewEngine(st, inventory.NewService(db, nil), incident.EngineOptions{Now: c.now})
		if err := e2.Load(ctx); err != nil {
			t.Fatal(err)
		}
		e2.Observe(down(t0, "vm1", "s1", "s2"))
		tick(t, e2, c, 0)
		if open := openIncidents(t, st); len(open) != 1 || open[0].ID != first.ID || open[0].SettledAt != nil {
			t.Fatalf("after the restart: %+v, want incident %d, unsettled", open, first.ID)
		}
		c.t = t0.Add(30 * time.Second)
		e2.Observe(down(c.t, "hv1", "vm2", "s3", "s4"))
		tick(t, e2, c, 0)
		if roots := openRoots(t, st); len(roots) != 1 || roots["hv1"].ID != first.ID {
			t.Fatalf("after hv1 failed: %v, want incident %d re-targeted to hv1", roots, first.ID)
		}
		c.t = t0.Add(incident.DefaultSettle - time.Second)
		tick(t, e2, c, 0)
		if got, _ := st.Get(ctx, first.ID); got.SettledAt != nil {
			t.Fatalf("settled before the window counted from the detection: %+v", got)
		}
		tick(t, e2, c, time.Second)
		tick(t, e2, c, 10*time.Second)
		// Continued, not found anew: no note of correlation attaching to
		// it, and one settled event.
		want := []incident.EventType{incident.EventOpened, incident.EventRetargeted, incident.EventSettled}
		types := eventTypes(timeline(t, st, first.ID))
		all, err := st.List(ctx, "all", 0)
		if err != nil || len(all) != 1 || all[0].SettledAt == nil || !all[0].SettledAt.Equal(t0.Add(incident.DefaultSettle)) ||
			!slices.Equal(types, want) {
			t.Fatalf("incidents %+v %v with timeline %v, want one settled once at the window's end, timeline %v", all, err, types, want)
		}
	})
}

// TestABlipOverWithinTheWindowIsNeverTold has vm2 fail and recover within
// the settle window: staff saw it (opened), but it never settles, resolves
// after the quiet period, and never shows on the public page.
func TestABlipOverWithinTheWindowIsNeverTold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		t0 := c.t
		e, st := newEngine(t, db, c, nil)
		e.Observe(down(c.t, "vm2", "s3", "s4"))
		tick(t, e, c, 0)
		id := openRoots(t, st)["vm2"].ID
		c.t = t0.Add(20 * time.Second)
		e.Observe(up(c.t, "vm2", "s3", "s4"))
		tick(t, e, c, 0)
		tick(t, e, c, incident.DefaultSettle)
		if got, _ := st.Get(ctx, id); got.Status != incident.Monitoring || got.SettledAt != nil {
			t.Fatalf("past the window, recovered: %+v, want monitoring, unsettled", got)
		}
		tick(t, e, c, incident.DefaultQuiet)
		got, _ := st.Get(ctx, id)
		if got.Status != incident.Resolved || got.SettledAt != nil {
			t.Fatalf("after the quiet period: %+v, want resolved, never settled", got)
		}
		events := timeline(t, st, id)
		if last := events[len(events)-1]; last.Text != "resolved after a quiet period, never settled: customers and public channels were not told" {
			t.Fatalf("timeline %+v", events)
		}
		if ids := publicIDs(t, st, t0.Add(-time.Hour)); len(ids) != 0 {
			t.Fatalf("the public page shows %v", ids)
		}
	})
}

// TestAnUnsettledIncidentWidensWithinTheWindow has ns1 fail behind a
// redundancy group that holds (no site lost), then ns2 within ns1's
// window: the group fails, and ns1's incident widens to its sites.
func TestAnUnsettledIncidentWidensWithinTheWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		host := `assets:
  - {name: ns1, kind: service, address: "127.0.5.1:53"}
  - {name: ns2, kind: service, address: "127.0.5.2:53"}
  - {name: dns, kind: group, depends_on: [ns1, ns2]}
  - {name: s1, kind: site, depends_on: [dns], url: "https://s1.example/"}
  - {name: s2, kind: site, depends_on: [dns], url: "https://s2.example/"}
`
		inv := inventory.NewService(db, nil)
		if _, err := inv.ImportFiles(ctx, []inventory.File{{Name: "h.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		st := incident.NewStore(db)
		e := incident.NewEngine(st, inv, incident.EngineOptions{Now: c.now})
		e.Observe(down(c.t, "ns1"))
		tick(t, e, c, 0)
		ns1 := openRoots(t, st)["ns1"]
		if ns1.Impact.Sites != 0 || ns1.Title != "ns1 down: 0 sites, 0 customers" {
			t.Fatalf("ns1 alone: %+v", ns1)
		}
		e.Observe(down(c.t, "ns2", "s1", "s2"))
		tick(t, e, c, 10*time.Second)
		got, _ := st.Get(ctx, ns1.ID)
		if got.Impact.Sites != 2 || got.Peak.Sites != 2 || got.Title != "ns1 down: 2 sites, 0 customers" || got.SettledAt != nil {
			t.Fatalf("ns1 with the group failed: %+v, want widened to 2 sites", got)
		}
		eventOf(t, timeline(t, st, ns1.ID), incident.EventScopeChanged)
	})
}

// TestARootFailingAgainTakesTheIncidentsOpenedBelowIt has hv1 recover
// but vm1, which opens its own incident once hv1's aftermath is over; hv1
// failing again, its incident (monitoring still) takes vm1's.
func TestARootFailingAgainTakesTheIncidentsOpenedBelowIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		e, st := newEngine(t, db, c, nil)
		e.Observe(down(c.t, "hv1", "vm1", "vm2", "s1", "s2", "s3", "s4"))
		tick(t, e, c, 0)
		tick(t, e, c, incident.DefaultSettle)
		hv1 := openRoots(t, st)["hv1"]
		e.Observe(up(c.t, "hv1", "vm2", "s1", "s2", "s3", "s4"))
		tick(t, e, c, 0)
		tick(t, e, c, incident.DefaultAftermath)
		vm1 := openRoots(t, st)["vm1"]
		if vm1.ID == 0 || vm1.ID == hv1.ID {
			t.Fatalf("open after hv1's aftermath: %v, want vm1's own incident", openRoots(t, st))
		}
		e.Observe(down(c.t, "hv1"))
		tick(t, e, c, time.Second)
		roots := openRoots(t, st)
		if len(roots) != 1 || roots["hv1"].ID != hv1.ID || roots["hv1"].Status != incident.Investigating {
			t.Fatalf("after hv1 failed again: %v, want hv1's incident %d alone, investigating", roots, hv1.ID)
		}
		if got, _ := st.Get(ctx, vm1.ID); got.Status != incident.Merged || got.MergedInto != hv1.ID {
			t.Fatalf("vm1's incident: %+v, want merged into %d", got, hv1.ID)
		}
	})
}
