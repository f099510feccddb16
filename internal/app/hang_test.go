package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestAHangingHypervisorStarvesNoOtherCheck serves the reference host of
// 11,000 sites checked every 10 s, then makes one hypervisor's machines
// hang — connections never accepted, so each of its ~2,300 sites' checks
// waits out its timeout: one incident opens on the hypervisor, and not one
// check of the whole host was skipped or started later than its interval.
func TestAHangingHypervisorStarvesNoOtherCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("11,000 sites for a minute")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	inv := simulate.Generate(simulate.Params{Sites: 11_000, Seed: 7})
	// Plain HTTP: 1,100 TLS handshakes a second on both sides would measure
	// the test machine's CPU, not the probe's scheduling.
	for i := range inv.Assets {
		inv.Assets[i].URL = strings.Replace(inv.Assets[i].URL, "https://", "http://", 1)
	}
	every := check.Check{Interval: check.Duration(10 * time.Second), Timeout: check.Duration(5 * time.Second)}
	site, machine := every, every
	site.Kind, machine.Kind = check.HTTP, check.TCP
	inv.CheckDefaults = []inventory.CheckDefault{{AssetKind: "site", Check: site}, {AssetKind: "hypervisor", Check: machine},
		{AssetKind: "vm", Check: machine}, {AssetKind: "service", Check: machine}}
	uncheck(inv, "storage", "backup", "network", "datacenter")
	farm, err := simulate.NewFarm(inv, simulate.FarmOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := farm.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = farm.Close() })
	var yaml strings.Builder
	if err := inventory.WriteYAML(&yaml, inv); err != nil {
		t.Fatal(err)
	}
	// A settle window of one interval: every check of the outage has failed
	// its attempts by then, so that the incident, opened on the first root
	// confirmed, is re-targeted to the highest before it settles.
	s := startServer(t, ctx, app.Config{DB: storetest.DSN(t, store.SQLite), Probe: true, SweepEvery: 500 * time.Millisecond,
		Settle: 10 * time.Second, CheckOptions: check.Options{Dial: farm.Dial, RootCAs: farm.CAPool()}}, yaml.String(), "")
	if err := s.app.Inventory.LoadGraph(ctx); err != nil {
		t.Fatal(err)
	}
	// What depends on hv01, transitively, may fail with it.
	g := s.app.Inventory.Graph()
	hanging := map[string]bool{"hv01": true}
	for queue := []string{"hv01"}; len(queue) > 0; queue = queue[1:] {
		for _, d := range g.Dependents(queue[0]) {
			if !hanging[d] {
				hanging[d] = true
				queue = append(queue, d)
			}
		}
	}
	sites := 0
	for name := range hanging {
		if g.Kind(name) == inventory.KindSite {
			sites++
		}
	}
	// Every check has a state before anything goes wrong.
	checks, err := s.app.Inventory.Checks(ctx, inventory.CheckFilter{Effective: true})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 60*time.Second, "every check up", func() bool {
		states, err := s.app.Detection.States(ctx)
		return err == nil && len(states) >= len(checks)
	})
	if err := farm.HangHypervisor("hv01"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 120*time.Second, "an incident on hv01", func() bool { return len(s.openOn("hv01")) == 1 })
	// Lower roots found meanwhile merge into it.
	within(45*time.Second, func() bool { return len(s.incidents("open")) == 1 })
	if open := s.incidents("open"); len(open) != 1 {
		var titles []string
		for _, inc := range open[:min(len(open), 10)] {
			titles = append(titles, inc.Title)
		}
		down, _ := s.app.Detection.Signals(ctx, detect.SignalFilter{Kind: detect.CheckDown, Limit: 5})
		t.Fatalf("%d open incidents, want only hv01's: %s …; latest downs: %+v", len(open), strings.Join(titles, "; "), down)
	}
	// Signals down concern the hanging machines only.
	down, err := s.app.Detection.States(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range down {
		asset := st.Check[:strings.LastIndex(st.Check, "/")]
		if st.State.String() == "down" && !hanging[asset] {
			t.Errorf("%s is down but does not depend on hv01", st.Check)
		}
	}
	behind := s.behind()
	if behind.Skipped != 0 || behind.Late != 0 {
		t.Fatalf("with hv01 hanging (%d sites): %d checks skipped and %d started later than their interval", sites, behind.Skipped, behind.Late)
	}
	t.Logf("hv01 hanging: %d sites; %d checks of the host on time, none skipped; worst lateness %.2fs",
		sites, len(checks), behind.Worst)
}

// behindFigures are the monitor's totals of runs behind, from /readyz.
type behindFigures struct {
	Skipped, Late uint64
	Worst         float64
}

func (s *server) behind() behindFigures {
	s.t.Helper()
	var r struct {
		Components map[string]struct {
			Details struct {
				SkippedTotal uint64 `json:"skipped_total"`
				LastMinute   struct {
					Late  uint64  `json:"late"`
					Worst float64 `json:"worst_lateness_seconds"`
				} `json:"behind_last_minute"`
			}
		}
	}
	if code, body := s.call("GET", "/readyz", "", &r); code != 200 {
		s.t.Fatalf("/readyz: %d %s", code, body)
	}
	m := r.Components["monitor"].Details
	return behindFigures{Skipped: m.SkippedTotal, Late: m.LastMinute.Late, Worst: m.LastMinute.Worst}
}

// within checks cond every 100 ms until it holds or d has passed, and
// tells whether it held.
func within(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			return cond()
		}
	}
	return true
}
