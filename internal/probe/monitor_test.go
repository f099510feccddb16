package probe_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/simulate"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// downs returns the assets with a check-down signal in the log.
func downs(t *testing.T, st *detect.Store) map[string]bool {
	out := map[string]bool{}
	for _, s := range signalsOf(t, st, detect.CheckDown) {
		out[s.Asset] = true
	}
	return out
}

// ups returns the keys of the checks that came up.
func ups(t *testing.T, st *detect.Store) map[string]bool {
	out := map[string]bool{}
	for _, s := range signalsOf(t, st, detect.CheckUp) {
		out[s.Check] = true
	}
	return out
}

func signalsOf(t *testing.T, st *detect.Store, kind detect.SignalKind) []detect.StoredSignal {
	t.Helper()
	list, err := st.Signals(context.Background(), detect.SignalFilter{Kind: kind, Limit: detect.MaxSignalLimit})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// within checks cond every few milliseconds until it holds or d has
// passed, and tells whether it held.
func within(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			return cond()
		}
	}
	return true
}

// TestMonitorDetectsAStoppedHypervisor runs the whole local path against a
// simulated host on loopback: a stopped hypervisor makes exactly its own
// check and its VMs' checks go down, and nothing else.
func TestMonitorDetectsAStoppedHypervisor(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inv := simulate.Generate(simulate.Params{Sites: 1500, Seed: 3})
	fast := check.Check{Kind: check.TCP, Interval: check.Duration(time.Second), Timeout: check.Duration(500 * time.Millisecond)}
	inv.CheckDefaults = []inventory.CheckDefault{
		{AssetKind: "hypervisor", Check: fast},
		{AssetKind: "vm", Check: fast},
		{AssetKind: "site", Check: check.Check{Kind: inventory.KindNone}},
		{AssetKind: "service", Check: check.Check{Kind: inventory.KindNone}},
		{AssetKind: "storage", Check: check.Check{Kind: inventory.KindNone}},
		{AssetKind: "backup", Check: check.Check{Kind: inventory.KindNone}},
	}
	farm, err := simulate.NewFarm(inv, simulate.FarmOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := farm.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = farm.Close() }()

	db := storetest.Open(t, store.SQLite)
	svc := inventory.NewService(db, nil)
	log := detect.NewStore(db)
	var yaml strings.Builder
	if err := inventory.WriteYAML(&yaml, inv); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(yaml.String())}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	m := probe.NewMonitor(svc, probe.MonitorOptions{
		Engine: check.NewEngine(check.Options{Dial: farm.Dial, RootCAs: farm.CAPool()}),
		Sweep:  200 * time.Millisecond,
		Store:  log,
	})
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	// Let every check come up first: no DOWN may appear while all is well.
	allUp := within(15*time.Second, func() bool {
		n := m.Scheduler().Stats().Checks
		return len(downs(t, log)) > 0 || (n > 0 && len(ups(t, log)) >= n)
	})
	if d := downs(t, log); len(d) > 0 {
		t.Fatalf("down signals before any fault: %v", d)
	}
	if !allUp {
		t.Fatalf("%d of %d checks came up", len(ups(t, log)), m.Scheduler().Stats().Checks)
	}
	if err := svc.LoadGraph(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"hv01": true}
	for _, name := range svc.Graph().Dependents("hv01") {
		if strings.HasPrefix(name, "web-") || strings.HasPrefix(name, "dbvm-") || strings.HasPrefix(name, "vps-") {
			want[name] = true
		}
	}
	if err := farm.StopHypervisor("hv01"); err != nil {
		t.Fatal(err)
	}
	within(12*time.Second, func() bool { return len(downs(t, log)) >= len(want) })
	got := downs(t, log)
	for name := range got {
		if !want[name] {
			t.Errorf("%s went down but does not depend on hv01", name)
		}
	}
	if !got["hv01"] {
		t.Errorf("hv01 itself not reported down; downs: %v", got)
	}
	for name := range want {
		if !got[name] {
			t.Errorf("%s depends on hv01 but was not reported down", name)
		}
	}
	t.Logf("%d assets down after stopping hv01", len(got))
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

type muteOnly string

func (m muteOnly) Muted(asset string, _ time.Time) (bool, string) {
	return asset == string(m), "maintenance"
}

// TestMaintenanceStaysOutOfUptime runs two checks, one on an asset under
// maintenance: only the other's results reach the uptime rollups.
func TestMaintenanceStaysOutOfUptime(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	host := "assets:\n  - {name: vm1, kind: vm, address: \"" + ln.Addr().String() + "\"}\n  - {name: vm2, kind: vm, address: \"" + ln.Addr().String() + "\"}\n" +
		"check_defaults:\n  vm: {kind: tcp, interval: 200ms, timeout: 100ms}\n"
	db := storetest.Open(t, store.SQLite)
	svc := inventory.NewService(db, nil)
	log := detect.NewStore(db)
	if _, err := svc.ImportFiles(ctx, []inventory.File{{Name: "h.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		counts = map[string]int{}
		// vm1Up is set once vm1's first result is in the signal log;
		// flushes counts the rollups flushed since, which would hold that
		// result had it been counted.
		vm1Up   bool
		flushes int
	)
	later := func() time.Time { return time.Now().Add(2 * time.Minute) } // every bucket already closed
	m := probe.NewMonitor(svc, probe.MonitorOptions{Sweep: 100 * time.Millisecond, Now: later, Store: log,
		Mutes: func(context.Context) (probe.Muter, error) { return muteOnly("vm1"), nil },
		OnBuckets: func(bs []detect.Bucket) {
			mu.Lock()
			defer mu.Unlock()
			if vm1Up {
				flushes++
			}
			vm1Up = vm1Up || ups(t, log)["vm1/tcp"]
			for _, b := range bs {
				counts[b.Check] += b.Count
			}
		}})
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	flushed := within(10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return flushes > 0 && counts["vm2/tcp"] > 0
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !flushed {
		t.Fatalf("no rollup flushed after vm1 was checked (vm1 up: %v, counts %v)", vm1Up, counts)
	}
	if counts["vm2/tcp"] == 0 || counts["vm1/tcp"] != 0 {
		t.Fatalf("rollup counts %v: want vm2 counted and vm1 (under maintenance) left out", counts)
	}
}
