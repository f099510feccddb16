package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// twoHypervisors is a host of two hypervisors, each with a VM and a site.
const twoHypervisors = `customers:
  - {id: C1, name: One, email: one@example.org}
assets:
  - {name: hv05, kind: hypervisor}
  - {name: hv06, kind: hypervisor}
  - {name: vm5, kind: vm, depends_on: [hv05]}
  - {name: vm6, kind: vm, depends_on: [hv06]}
  - {name: s5, kind: site, owner: C1, depends_on: [vm5]}
  - {name: s6, kind: site, owner: C1, depends_on: [vm6]}
`

// TestAConflictOnOneRootLosesNoOther opens an incident by hand on hv05,
// then one Alertmanager delivery fires hv05 and hv06: hv05's failure
// attaches to the incident staff opened, and hv06 gets its own. (Before,
// the conflict on hv05 stopped the tick and hv06 had a stored signal and
// no incident, ever.)
func TestAConflictOnOneRootLosesNoOther(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s := startServer(t, ctx, app.Config{DB: storetest.DSN(t, engine), SweepEvery: 50 * time.Millisecond,
				Settle: 300 * time.Millisecond}, twoHypervisors, "")
			// The engine has read the open incidents once: the one staff
			// open now is news to it, as in production.
			s.roundsAfter(time.Now(), 10*time.Second)
			var manual incident.Incident
			if code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["hv05"],"title":"hv05 reboot went wrong","severity":"major"}`, &manual); code != 201 {
				t.Fatalf("open: %d %s", code, body)
			}
			code, body := s.call("POST", "/api/v1/alertmanager", alerts(alert("hv05", "f05", true), alert("hv06", "f06", true)), nil)
			if code != 200 || !strings.Contains(body, `"new_signals": 2`) {
				t.Fatalf("alertmanager: %d %s", code, body)
			}
			waitUntil(t, 10*time.Second, "an incident on hv06", func() bool { return len(s.openOn("hv06")) == 1 })
			on05 := s.openOn("hv05")
			if len(on05) != 1 || on05[0].ID != manual.ID {
				t.Fatalf("open on hv05: %+v, want only the manual incident %d", on05, manual.ID)
			}
			s.waitNote(manual.ID, "hv05 down", "attached to this incident")
			if n := len(s.incidents("open")); n != 2 {
				t.Fatalf("%d open incidents, want 2", n)
			}
		})
	}
}

// TestARestartKeepsAFiringAlertDown fires an alert, restarts the server
// while Alertmanager keeps repeating it (a repeat is no news): the incident
// stays open, since the down set comes back from the database; resolving
// the alert then moves it to monitoring.
func TestARestartKeepsAFiringAlertDown(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			cfg := app.Config{DB: storetest.DSN(t, engine), SweepEvery: 50 * time.Millisecond, Settle: 300 * time.Millisecond}
			first := startServer(t, ctx, cfg, twoHypervisors, "")
			waitUntil(t, 10*time.Second, "first delivery", func() bool {
				code, _ := first.call("POST", "/api/v1/alertmanager", alert("hv05", "f05", true), nil)
				return code == 200
			})
			waitUntil(t, 10*time.Second, "an incident on hv05", func() bool { return len(first.openOn("hv05")) == 1 })
			id := first.openOn("hv05")[0].ID
			first.stop()

			restarted := time.Now()
			second := startServer(t, ctx, cfg, "", first.bearer)
			waitUntil(t, 10*time.Second, "repeat delivered", func() bool {
				code, body := second.call("POST", "/api/v1/alertmanager", alert("hv05", "f05", true), nil)
				return code == 200 && strings.Contains(body, `"new_signals": 0`)
			})
			// Several rounds of the new engine, well past its settle window.
			second.roundsAfter(restarted.Add(time.Second), 10*time.Second)
			open := second.openOn("hv05")
			if len(open) != 1 || open[0].ID != id || open[0].Status != incident.Investigating || open[0].SettledAt == nil {
				t.Fatalf("after the restart: %+v, want incident %d still investigating, settled", open, id)
			}
			if code, _ := second.call("POST", "/api/v1/alertmanager", alert("hv05", "f05", false), nil); code != 200 {
				t.Fatalf("resolve: %d", code)
			}
			waitUntil(t, 10*time.Second, "monitoring", func() bool {
				open := second.openOn("hv05")
				return len(open) == 1 && open[0].Status == incident.Monitoring
			})
		})
	}
}

// TestARootInAStaffIncidentOfSeveralAttachesToIt opens by hand one
// incident on hv05 and hv06, then fires hv05: correlation's finding joins
// the staff incident rather than opening a second one on the same root.
func TestARootInAStaffIncidentOfSeveralAttachesToIt(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s := startServer(t, ctx, app.Config{DB: storetest.DSN(t, engine), SweepEvery: 50 * time.Millisecond,
				Settle: 300 * time.Millisecond}, twoHypervisors, "")
			s.roundsAfter(time.Now(), 10*time.Second)
			var manual incident.Incident
			if code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["hv05","hv06"],"title":"rack r2 power","severity":"major"}`, &manual); code != 201 {
				t.Fatalf("open: %d %s", code, body)
			}
			if code, _ := s.call("POST", "/api/v1/alertmanager", alert("hv05", "f05", true), nil); code != 200 {
				t.Fatalf("alertmanager: %d", code)
			}
			s.waitNote(manual.ID, "hv05 down", "attached to this incident")
			s.roundsAfter(time.Now(), 10*time.Second)
			if open := s.incidents("open"); len(open) != 1 || open[0].ID != manual.ID {
				t.Fatalf("open incidents: %+v, want only the staff one %d", open, manual.ID)
			}
		})
	}
}

// TestRetentionRunsOnTheLeaderWithoutTheProbe starts a server without its
// probe over a database holding a resolved alert last seen long ago, a
// firing one as old, and a year-old signal: the leader's retention
// forgets the resolved alert, the old signal and a window cancelled long
// ago within its first period, keeps the firing alert, the newest signal
// and a window cancelled now.
func TestRetentionRunsOnTheLeaderWithoutTheProbe(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dsn := storetest.DSN(t, store.SQLite)
	a, err := app.Open(ctx, app.Config{DB: dsn})
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * detect.DefaultSignalRetention)
	alertAt := func(fp string, firing bool) incident.AlertSignal {
		return incident.AlertSignal{Fingerprint: fp, Asset: "hv05", Name: "NodeDown", Firing: firing, StartsAt: old, EndsAt: old.Add(time.Minute)}
	}
	if _, err := a.AlertDedup.Receive(ctx, []incident.AlertSignal{alertAt("gone", false), alertAt("firing", true)}, old); err != nil {
		t.Fatal(err)
	}
	if err := a.Detection.Append(ctx, []detect.Signal{{Kind: detect.CheckDown, Check: "hv05/tcp", Asset: "hv05", At: old},
		{Kind: detect.CheckUp, Check: "hv05/tcp", Asset: "hv05", At: old}}); err != nil {
		t.Fatal(err)
	}
	// A window cancelled long ago goes; one cancelled now stays, for
	// calendars.
	windows := map[string]*incident.Window{}
	for _, name := range []string{"long ago", "now"} {
		a.Maintenance.Now = time.Now
		if name == "long ago" {
			a.Maintenance.Now = func() time.Time { return old }
		}
		w := &incident.Window{Title: name, Assets: []string{"hv05"}, Start: "2026-11-27T02:00", End: "2026-11-27T04:00", Zone: "Europe/Paris"}
		if err := a.Maintenance.Create(ctx, w, ""); err != nil {
			t.Fatal(err)
		}
		if err := a.Maintenance.Delete(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		windows[name] = w
	}
	_ = a.Close()
	s := startServer(t, ctx, app.Config{DB: dsn, Probe: false, RetainEvery: 100 * time.Millisecond}, twoHypervisors, "")
	count := func(q string, args ...any) int {
		var n int
		if err := s.app.DB.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitUntil(t, 10*time.Second, "the resolved alert forgotten", func() bool {
		return count(`SELECT COUNT(*) FROM alert_dedup WHERE fingerprint = 'gone'`) == 0
	})
	if n := count(`SELECT COUNT(*) FROM alert_dedup WHERE fingerprint = 'firing'`); n != 1 {
		t.Errorf("the firing alert's row was forgotten too")
	}
	if n := count(`SELECT COUNT(*) FROM signals WHERE at < $1`, old.Add(time.Hour).UTC()); n != 1 {
		t.Errorf("%d old signals left, want only the newest one kept", n)
	}
	waitUntil(t, 10*time.Second, "the window cancelled long ago forgotten", func() bool {
		return count(`SELECT COUNT(*) FROM maintenance_windows WHERE id = $1`, windows["long ago"].ID) == 0
	})
	if n := count(`SELECT COUNT(*) FROM maintenance_windows WHERE id = $1`, windows["now"].ID); n != 1 {
		t.Errorf("the window cancelled now was forgotten too")
	}
}
