package app_test

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestAStoppedHypervisorIsOneIncidentWithItsCustomers runs the server with
// its probe against a simulated host and stops a hypervisor: exactly one
// incident opens, rooted at it, with exactly the customers it affects.
func TestAStoppedHypervisorIsOneIncidentWithItsCustomers(t *testing.T) {
	testOneIncidentFor(t, "hv01", func(f *simulate.Farm) error { return f.StopHypervisor("hv01") })
}

// TestAStoppedStorageUnitIsOneIncidentOnIt stops a storage unit, which has
// no check of its own: its VMs on several hypervisors fail, and the one
// incident is inferred on the storage unit.
func TestAStoppedStorageUnitIsOneIncidentOnIt(t *testing.T) {
	testOneIncidentFor(t, "st01", func(f *simulate.Farm) error { return f.StopStorage("st01") })
}

// startSimulatedServer serves a simulated 1,500-site host and runs the
// server with its probe over it, with fast checks and a short settle
// window (2 s).
func startSimulatedServer(ctx context.Context, t *testing.T, more ...check.Check) (*app.App, *simulate.Farm) {
	t.Helper()
	inv := simulate.Generate(simulate.Params{Sites: 1500, Seed: 3})
	fast := check.Check{Kind: check.TCP, Interval: check.Duration(time.Second), Timeout: check.Duration(500 * time.Millisecond)}
	inv.CheckDefaults = []inventory.CheckDefault{{AssetKind: "hypervisor", Check: fast}, {AssetKind: "vm", Check: fast}}
	uncheck(inv, "site", "service", "storage", "backup", "network", "datacenter")
	farm, err := simulate.NewFarm(inv, simulate.FarmOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := farm.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = farm.Close() })
	a := openSimulated(ctx, t, storetest.DSN(t, store.SQLite), farm)
	inv.Checks = append(inv.Checks, more...)
	var yaml strings.Builder
	if err := inventory.WriteYAML(&yaml, inv); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(yaml.String())}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	serveSimulated(ctx, t, a)
	waitAllChecked(ctx, t, a)
	return a, farm
}

// waitAllChecked waits until every check of the inventory has a state:
// nothing is unknown any more before a fault is injected.
func waitAllChecked(ctx context.Context, t *testing.T, a *app.App) {
	t.Helper()
	checks, err := a.Inventory.Checks(ctx, inventory.CheckFilter{Effective: true})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 30*time.Second, "every check with a state", func() bool {
		states, err := a.Detection.States(ctx)
		return err == nil && len(states) >= len(checks)
	})
}

// engineRoundsAfter waits until the incident engine ran a whole round
// after at: whatever it was to do with what it knew at that time, it did.
func engineRoundsAfter(t *testing.T, a *app.App, at time.Time, within time.Duration) {
	t.Helper()
	roundsAfter(t, a, "incidents", at, within)
}

// roundsAfter waits until the component name ran a whole round after at.
func roundsAfter(t *testing.T, a *app.App, name string, at time.Time, within time.Duration) {
	t.Helper()
	lastOK := func() time.Time {
		c, ok := a.Health.Ready(context.Background()).Components[name]
		if !ok || c.LastOK == nil {
			return time.Time{}
		}
		return *c.LastOK
	}
	var first time.Time
	waitUntil(t, within, "a round of "+name, func() bool {
		first = lastOK()
		return first.After(at)
	})
	waitUntil(t, within, "a second round of "+name, func() bool { return lastOK().After(first) })
}

// uncheck turns off the default checks of the asset kinds.
func uncheck(inv *inventory.Inventory, kinds ...string) {
	for _, kind := range kinds {
		inv.CheckDefaults = append(inv.CheckDefaults, inventory.CheckDefault{AssetKind: kind, Check: check.Check{Kind: inventory.KindNone}})
	}
}

// openSimulated opens a server on dsn whose probe reaches the farm.
func openSimulated(ctx context.Context, t *testing.T, dsn string, farm *simulate.Farm) *app.App {
	t.Helper()
	a, err := app.Open(ctx, app.Config{DB: dsn, Probe: true, SweepEvery: 200 * time.Millisecond,
		Settle: 2 * time.Second, CheckOptions: check.Options{Dial: farm.Dial, RootCAs: farm.CAPool()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// serveSimulated serves a on loopback until ctx ends.
func serveSimulated(ctx context.Context, t *testing.T, a *app.App) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.Serve(ctx, ln) }()
}

// TestARestartMidIncidentLosesNothing stops a hypervisor, waits for its
// incident, then replaces the server by a new one on the same database:
// the incident goes on, and no second one opens.
func TestARestartMidIncidentLosesNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	firstCtx, stopFirst := context.WithCancel(ctx)
	first, farm := startSimulatedServer(firstCtx, t)
	if err := farm.StopHypervisor("hv01"); err != nil {
		t.Fatal(err)
	}
	// The incident may open on a VM and be re-targeted to hv01 within its
	// settle window: it is the one on hv01 that must go on.
	var inc incident.Incident
	waitUntil(t, 20*time.Second, "an incident on hv01", func() bool {
		open, err := first.Incidents.List(ctx, "open", 0)
		if err == nil && len(open) == 1 && open[0].RootAssets[0] == "hv01" {
			inc = open[0]
			return true
		}
		return false
	})
	dsn := first.DB.Where
	stopFirst() // the first server shuts down; the farm goes on
	waitUntil(t, 10*time.Second, "the first server stopped", func() bool {
		release, err := store.LockServer(dsn)
		if err == nil {
			_ = release()
		}
		return err == nil
	})
	restarted := time.Now()
	second := openSimulated(ctx, t, dsn, farm)
	serveSimulated(ctx, t, second)
	// More than the settle window, with the fault still on: settled,
	// by the first server or by the second, and not opened again.
	engineRoundsAfter(t, second, restarted.Add(3*time.Second), 20*time.Second)
	open, err := second.Incidents.List(ctx, "open", 0)
	if err != nil || len(open) != 1 || open[0].ID != inc.ID || open[0].SettledAt == nil {
		t.Fatalf("after the restart: %+v %v (want incident %d only, settled)", open, err, inc.ID)
	}
	// The new server follows the incident it did not open: the recovery
	// moves it to monitoring.
	if err := farm.StartHypervisor("hv01"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 20*time.Second, "monitoring after recovery", func() bool {
		got, err := second.Incidents.Get(ctx, inc.ID)
		return err == nil && got.Status == incident.Monitoring
	})
}

func testOneIncidentFor(t *testing.T, root string, fault func(*simulate.Farm) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, farm := startSimulatedServer(ctx, t)
	if err := fault(farm); err != nil {
		t.Fatal(err)
	}
	var open []incident.Incident
	var err error
	waitUntil(t, 20*time.Second, "an incident", func() bool {
		open, err = a.Incidents.List(ctx, "open", 0)
		return err == nil && len(open) > 0
	})
	// The first incident may open on a lower root: within its settle
	// window it is re-targeted to the highest, and the others merge into
	// it. Past the window, one settled incident is left, on the root.
	engineRoundsAfter(t, a, time.Now().Add(3*time.Second), 20*time.Second)
	open, err = a.Incidents.List(ctx, "open", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || !slices.Equal(open[0].RootAssets, []string{root}) || open[0].SettledAt == nil {
		t.Fatalf("want one settled incident on %s, got %+v", root, open)
	}
	want, err := a.Inventory.Impact(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(open[0].Impact.Customers, want.Customers) || open[0].Impact.Sites != want.Sites {
		t.Fatalf("impact %d sites %d customers, want %d and %d", open[0].Impact.Sites, len(open[0].Impact.Customers), want.Sites, len(want.Customers))
	}
	t.Logf("%s (%s, detected %s after the first failure)", open[0].Title, open[0].Severity, open[0].TimeToDetect())
}

// TestADatacenterFailingLaterMergesTheLowerIncident stops one hypervisor,
// waits for its incident to settle, then stops the other: the datacenter
// they share (no check of its own) becomes the root, and the first
// incident, settled (so no longer re-targeted), merges into its incident.
func TestADatacenterFailingLaterMergesTheLowerIncident(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, farm := startSimulatedServer(ctx, t)
	if err := farm.StopHypervisor("hv01"); err != nil {
		t.Fatal(err)
	}
	var first incident.Incident
	waitUntil(t, 20*time.Second, "a settled incident on hv01", func() bool {
		open, err := a.Incidents.List(ctx, "open", 0)
		if err == nil && len(open) == 1 && open[0].RootAssets[0] == "hv01" && open[0].SettledAt != nil {
			first = open[0]
			return true
		}
		return false
	})
	if err := farm.StopHypervisor("hv02"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 20*time.Second, "one incident on dc1", func() bool {
		open, err := a.Incidents.List(ctx, "open", 0)
		return err == nil && len(open) == 1 && open[0].RootAssets[0] == "dc1"
	})
	merged, err := a.Incidents.Get(ctx, first.ID)
	if err != nil || merged.Status != incident.Merged || merged.MergedInto == 0 {
		t.Fatalf("hv01's incident after dc1 failed: %+v %v", merged, err)
	}
}

// sitesOf returns the first n sites of a VM in a generated host.
func sitesOf(vm string, n int) []string {
	var out []string
	for _, a := range simulate.Generate(simulate.Params{Sites: 1500, Seed: 3}).Assets {
		if a.Kind == inventory.KindSite && slices.Contains(a.DependsOn, vm) && len(out) < n {
			out = append(out, a.Name)
		}
	}
	return out
}

// TestOneSiteAnswering500IsASiteProblemOnly makes one site of a VM answer
// 500 while its VM and sibling sites are fine: one incident, a site
// problem of that site, minor.
func TestOneSiteAnswering500IsASiteProblemOnly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sites := sitesOf("web-001", 3)
	var checks []check.Check
	for _, s := range sites {
		checks = append(checks, check.Check{Asset: s, Kind: check.HTTP, Interval: check.Duration(time.Second),
			Timeout: check.Duration(500 * time.Millisecond)})
	}
	a, farm := startSimulatedServer(ctx, t, checks...)
	if err := farm.SiteStatus(sites[0], 500); err != nil {
		t.Fatal(err)
	}
	var open []incident.Incident
	waitUntil(t, 20*time.Second, "an incident", func() bool {
		var err error
		open, err = a.Incidents.List(ctx, "open", 0)
		return err == nil && len(open) > 0
	})
	engineRoundsAfter(t, a, time.Now().Add(3*time.Second), 20*time.Second)
	open, _ = a.Incidents.List(ctx, "open", 0)
	if len(open) != 1 || open[0].RootAssets[0] != sites[0] || open[0].Cause != incident.CauseSiteProblem || open[0].Severity != incident.Minor {
		t.Fatalf("want one site problem on %s, got %+v", sites[0], open)
	}
}

// TestAFlappingVMGivesOneIncident makes a VM go up and down every second:
// the detector marks it flapping instead of alternating, and exactly one
// incident opens for it.
func TestAFlappingVMGivesOneIncident(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, farm := startSimulatedServer(ctx, t)
	if err := farm.Flap("web-002", time.Second); err != nil {
		t.Fatal(err)
	}
	count := func() (int, []incident.Incident) {
		all, err := a.Incidents.List(ctx, "all", 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, inc := range all {
			if slices.Contains(inc.RootAssets, "web-002") {
				n++
			}
		}
		return n, all
	}
	waitUntil(t, 30*time.Second, "an incident for the flapping VM", func() bool { n, _ := count(); return n > 0 })
	// And no second one while it keeps flapping, over a few flaps.
	engineRoundsAfter(t, a, time.Now().Add(5*time.Second), 20*time.Second)
	n, all := count()
	if n != 1 {
		t.Fatalf("a flapping VM opened %d incidents, want one: %+v", n, all)
	}
	t.Logf("%d incident(s) for the flapping VM", n)
}

// TestSitesFailingOnAVMWhoseOwnCheckPassesGiveOneIncidentOnTheVM makes
// every checked site of a VM answer 500 while the VM answers its own
// check: one incident, inferred on the VM.
func TestSitesFailingOnAVMWhoseOwnCheckPassesGiveOneIncidentOnTheVM(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sites := sitesOf("web-001", 3)
	var checks []check.Check
	for _, s := range sites {
		checks = append(checks, check.Check{Asset: s, Kind: check.HTTP, Interval: check.Duration(time.Second),
			Timeout: check.Duration(500 * time.Millisecond)})
	}
	// Sites of the same database on other VMs are checked too, so the
	// database is seen to work and only the VM explains the failures.
	for _, s := range sitesOnDBNotOnVM("web-001", 3) {
		checks = append(checks, check.Check{Asset: s, Kind: check.HTTP, Interval: check.Duration(time.Second),
			Timeout: check.Duration(500 * time.Millisecond)})
	}
	a, farm := startSimulatedServer(ctx, t, checks...)
	for _, s := range sites {
		if err := farm.SiteStatus(s, 500); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, 20*time.Second, "an incident", func() bool {
		open, err := a.Incidents.List(ctx, "open", 0)
		return err == nil && len(open) > 0
	})
	engineRoundsAfter(t, a, time.Now().Add(3*time.Second), 20*time.Second)
	open, err := a.Incidents.List(ctx, "open", 0)
	if err != nil || len(open) != 1 || open[0].RootAssets[0] != "web-001" || open[0].Cause != incident.CauseOutage {
		t.Fatalf("want one incident on web-001, got %+v %v", open, err)
	}
}

// sitesOnDBNotOnVM returns n sites sharing a database with the first site
// of vm but hosted on other VMs.
func sitesOnDBNotOnVM(vm string, n int) []string {
	assets := simulate.Generate(simulate.Params{Sites: 1500, Seed: 3}).Assets
	var db string
	for _, a := range assets {
		if a.Kind == inventory.KindSite && slices.Contains(a.DependsOn, vm) {
			for _, d := range a.DependsOn {
				if d != vm {
					db = d
				}
			}
			break
		}
	}
	var out []string
	for _, a := range assets {
		if a.Kind == inventory.KindSite && slices.Contains(a.DependsOn, db) && !slices.Contains(a.DependsOn, vm) && len(out) < n {
			out = append(out, a.Name)
		}
	}
	return out
}

// TestMaintenanceOnAHypervisorOpensNothingUntilItEnds stops a hypervisor
// inside a maintenance window on it: no incident while the window runs,
// one once it ended with the hypervisor still down.
func TestMaintenanceOnAHypervisorOpensNothingUntilItEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, farm := startSimulatedServer(ctx, t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(paris)
	end := now.Add(14 * time.Second)
	w := incident.Window{Title: "hv01 firmware", Assets: []string{"hv01"}, Zone: "Europe/Paris",
		Start: now.Add(-time.Second).Format("2006-01-02T15:04:05"), End: end.Format("2006-01-02T15:04:05")}
	if err := a.Maintenance.Create(ctx, &w, "ops@example.org"); err != nil {
		t.Fatal(err)
	}
	// The probe and the engine read the windows at each sweep (5 s): the
	// work starts once they have surely seen this one, as it would.
	waitUntil(t, 10*time.Second, "a sweep after the window", func() bool { return time.Since(now) > 6*time.Second })
	if err := farm.StopHypervisor("hv01"); err != nil {
		t.Fatal(err)
	}
	for time.Now().Before(end.Add(-500 * time.Millisecond)) {
		if open, _ := a.Incidents.List(ctx, "open", 0); len(open) != 0 {
			t.Fatalf("incident inside the maintenance window: %+v", open)
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitUntil(t, 20*time.Second, "an incident once the window ended", func() bool {
		open, err := a.Incidents.List(ctx, "open", 0)
		return err == nil && len(open) == 1 && open[0].RootAssets[0] == "hv01"
	})
}
