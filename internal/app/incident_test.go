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
// server with its probe over it, with fast checks and a short settle window.
func startSimulatedServer(ctx context.Context, t *testing.T) (*app.App, *simulate.Farm) {
	t.Helper()
	inv := simulate.Generate(simulate.Params{Sites: 1500, Seed: 3})
	fast := check.Check{Kind: check.TCP, Interval: check.Duration(time.Second), Timeout: check.Duration(500 * time.Millisecond)}
	inv.CheckDefaults = []inventory.CheckDefault{{AssetKind: "hypervisor", Check: fast}, {AssetKind: "vm", Check: fast}}
	for _, kind := range []string{"site", "service", "storage", "backup", "network", "datacenter"} {
		inv.CheckDefaults = append(inv.CheckDefaults, inventory.CheckDefault{AssetKind: kind, Check: check.Check{Kind: inventory.KindNone}})
	}
	farm, err := simulate.NewFarm(inv, simulate.FarmOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := farm.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = farm.Close() })
	a, err := app.Open(ctx, app.Config{DB: storetest.DSN(t, store.SQLite), Probe: true, SweepEvery: 200 * time.Millisecond,
		Settle: 2 * time.Second, CheckOptions: check.Options{Dial: farm.Dial}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	var yaml strings.Builder
	if err := inventory.WriteYAML(&yaml, inv); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(yaml.String())}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.Serve(ctx, ln) }()
	time.Sleep(3 * time.Second) // every check up first
	return a, farm
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
	time.Sleep(3 * time.Second) // nothing more may open
	open, err = a.Incidents.List(ctx, "open", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || !slices.Equal(open[0].RootAssets, []string{root}) {
		t.Fatalf("want one incident on %s, got %+v", root, open)
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
// waits for its incident, then stops the other: the datacenter they share
// (no check of its own) becomes the root, and the first incident merges
// into its incident.
func TestADatacenterFailingLaterMergesTheLowerIncident(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, farm := startSimulatedServer(ctx, t)
	if err := farm.StopHypervisor("hv01"); err != nil {
		t.Fatal(err)
	}
	var first incident.Incident
	waitUntil(t, 20*time.Second, "an incident on hv01", func() bool {
		open, err := a.Incidents.List(ctx, "open", 0)
		if err == nil && len(open) == 1 && open[0].RootAssets[0] == "hv01" {
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
