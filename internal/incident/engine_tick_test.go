package incident_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// openRoots returns the open incidents by their root, failing when a root
// has two.
func openRoots(t *testing.T, st *incident.Store) map[string]incident.Incident {
	t.Helper()
	out := map[string]incident.Incident{}
	for _, inc := range openIncidents(t, st) {
		root := strings.Join(inc.RootAssets, ",")
		if _, dup := out[root]; dup {
			t.Fatalf("two open incidents on %s", root)
		}
		out[root] = inc
	}
	return out
}

// TestAFailedIncidentWriteKeepsItsRootPendingAndOpensTheOthers has s3
// (a site problem) and vm1 confirmed together while the database refuses
// s3's incident: vm1 (after s3 in the order roots are opened) still opens,
// the tick reports s3's failure, and the next tick opens s3's.
func TestAFailedIncidentWriteKeepsItsRootPendingAndOpensTheOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		e, st := newEngine(t, db, c, nil)
		lift := storetest.RefuseWrites(t, db, "incidents", "NEW.dedup_key = 's3'")
		e.Observe(down(c.t, "vm1", "s1", "s2", "s3"))
		err := e.Tick(ctx)
		if err == nil || !strings.Contains(err.Error(), "incident on s3") {
			t.Fatalf("tick with s3's write refused: %v, want s3's error", err)
		}
		if got := openRoots(t, st); len(got) != 1 || got["vm1"].ID == 0 {
			t.Fatalf("open after the refused write: %v, want vm1's alone", got)
		}
		lift()
		tick(t, e, c, time.Second)
		got := openRoots(t, st)
		if len(got) != 2 || got["s3"].ID == 0 || !got["s3"].Auto || got["s3"].Cause != incident.CauseSiteProblem {
			t.Fatalf("open after the retry: %v, want s3's site problem and vm1", got)
		}
		if !got["s3"].DetectedAt.After(got["vm1"].DetectedAt) {
			t.Errorf("s3 detected at %v, vm1 at %v: want s3 at the retry's time", got["s3"].DetectedAt, got["vm1"].DetectedAt)
		}
		// Opened once: later ticks neither fail nor open again.
		tick(t, e, c, time.Second)
		if again := openRoots(t, st); len(again) != 2 || again["s3"].ID != got["s3"].ID {
			t.Fatalf("open after another tick: %v", again)
		}
	})
}

// TestAnIncidentOpenedMeanwhileOnARootIsAttachedTo has staff open an
// incident on vm1 after the engine read the open ones: vm1's failure
// attaches to it with a note, and s3 (a site problem confirmed at the same
// time) opens its own.
func TestAnIncidentOpenedMeanwhileOnARootIsAttachedTo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		e, st := newEngine(t, db, c, nil)
		manual := &incident.Incident{Title: "vm1 rebooted by hand", Status: incident.Investigating, Severity: incident.Major,
			Cause: incident.CauseOutage, RootAssets: []string{"vm1"}, ImpactStartedAt: c.t, DetectedAt: c.t}
		if _, err := st.Create(ctx, manual, incident.Event{At: c.t, Type: incident.EventOpened, Text: "opened by staff"}); err != nil {
			t.Fatal(err)
		}
		e.Observe(down(c.t, "vm1", "s1", "s2", "s3"))
		tick(t, e, c, time.Second)
		got := openRoots(t, st)
		if len(got) != 2 || got["vm1"].ID != manual.ID || got["s3"].ID == 0 || !got["s3"].Auto {
			t.Fatalf("open: %v, want staff's on vm1 and an automatic one on s3", got)
		}
		if got["vm1"].Impact.Sites != 2 {
			t.Errorf("staff's incident has impact %+v, want widened to vm1's 2 sites", got["vm1"].Impact)
		}
		events, err := st.Events(ctx, manual.ID)
		if err != nil {
			t.Fatal(err)
		}
		attached := 0
		for _, ev := range events {
			if ev.Type == incident.EventNote && strings.Contains(ev.Text, "attached to this incident") {
				attached++
			}
		}
		if attached != 1 {
			t.Fatalf("%d attach notes on staff's incident, want 1: %+v", attached, events)
		}
		// Attached once: the next ticks add nothing.
		tick(t, e, c, time.Second)
		tick(t, e, c, time.Second)
		if after, _ := st.Events(ctx, manual.ID); len(after) != len(events) {
			t.Errorf("timeline grew from %d to %d entries on later ticks", len(events), len(after))
		}
	})
}
