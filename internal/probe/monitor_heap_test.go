package probe

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// heapChecks is the number of checks of the heap benchmarks: the server
// profiled at 20,000 http checks every 10 s.
const heapChecks = 20_000

// BenchmarkMonitorRetainedBytes is the heap the built-in probe keeps per
// check once it loaded 20,000 sites with an http check every 10 s each:
// "scheduler" is a Scheduler given the checks with Set (its entries, its
// index, its heap and the keys it holds), "monitor" a Monitor that loaded
// them from the inventory (its scheduler, its checks by key, its interval
// index and its detector's share), the inventory's own set not counted.
// One op is one scheduler or monitor, kept until the end; run it with
// -benchtime=1x.
//
//	go test -run XXX -bench BenchmarkMonitorRetainedBytes -benchtime=1x ./internal/probe/
func BenchmarkMonitorRetainedBytes(b *testing.B) {
	b.Run("scheduler", func(b *testing.B) {
		checks := heapSites(heapChecks)
		kept := make([]*Scheduler, b.N)
		before := inUse()
		for i := range b.N {
			kept[i] = NewScheduler(SchedulerOptions{Run: okRun})
			kept[i].Set(checks)
		}
		b.ReportMetric(float64(inUse()-before)/float64(b.N)/heapChecks, "B/check")
		runtime.KeepAlive(kept)
		runtime.KeepAlive(checks)
	})
	b.Run("monitor", func(b *testing.B) {
		ctx := context.Background()
		var yaml strings.Builder
		yaml.WriteString("assets:\n")
		for i := range heapChecks {
			fmt.Fprintf(&yaml, "  - {name: site-%05d.example.com, kind: site, url: \"https://site-%05d.example.com/\"}\n", i, i)
		}
		yaml.WriteString("checks:\n")
		for i := range heapChecks {
			fmt.Fprintf(&yaml, "  - {asset: site-%05d.example.com, kind: http, interval: 10s}\n", i)
		}
		svc := importHost(b, storetest.Open(b, store.SQLite), yaml.String())
		if err := svc.LoadGraph(ctx); err != nil {
			b.Fatal(err)
		}
		set, err := svc.Effective(ctx) // the inventory's, built before
		if err != nil {
			b.Fatal(err)
		}
		kept := make([]*Monitor, b.N)
		before := inUse()
		for i := range b.N {
			kept[i] = NewMonitor(svc, MonitorOptions{})
			if err := kept[i].reload(ctx); err != nil {
				b.Fatal(err)
			}
		}
		after := inUse()
		if got := kept[0].sched.Stats().Checks; got < heapChecks {
			b.Fatalf("%d checks scheduled, want at least %d", got, heapChecks)
		}
		b.ReportMetric(float64(after-before)/float64(b.N)/heapChecks, "B/check")
		runtime.KeepAlive(kept)
		runtime.KeepAlive(set)
	})
}

// heapSites is n http checks every 10 s of sites of their own.
func heapSites(n int) []*check.Check {
	cs := make([]*check.Check, n)
	for i := range cs {
		cs[i] = &check.Check{Asset: fmt.Sprintf("site-%05d.example.com", i), Kind: check.HTTP,
			URL: fmt.Sprintf("https://site-%05d.example.com/", i), Interval: check.Duration(10e9)}
	}
	return cs
}

// The monitor and its scheduler hold one string of each check's key, not
// a copy each: after a full reload, a delta, and a full reload again.
func TestMonitorSharesCheckKeysWithItsScheduler(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := importHost(t, db, `assets:
  - {name: vm1, kind: vm, address: "127.0.0.2:22"}
  - {name: site1, kind: site, depends_on: [vm1], url: "http://127.0.0.3/"}
  - {name: site2, kind: site, url: "http://127.0.0.4/"}
`)
		if err := svc.LoadGraph(ctx); err != nil {
			t.Fatal(err)
		}
		m := NewMonitor(svc, MonitorOptions{})
		shared := func(when string) {
			t.Helper()
			if m.checks.len() == 0 {
				t.Fatalf("%s: no checks", when)
			}
			for key := range m.checks.all() {
				e := m.sched.entries.get(key)
				if e == nil {
					t.Fatalf("%s: %s not scheduled", when, key)
				}
				if unsafe.StringData(e.key) != unsafe.StringData(key) {
					t.Errorf("%s: the monitor and the scheduler hold two strings of %s", when, key)
				}
			}
		}
		if err := m.reload(ctx); err != nil {
			t.Fatal(err)
		}
		shared("first load")
		if _, err := svc.SaveCheck(ctx, check.Check{Asset: "site1", Kind: check.HTTP, Interval: check.Duration(10 * time.Second)}, inventory.Create); err != nil {
			t.Fatal(err)
		}
		if err := m.reload(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok := m.checks.get("site1/http"); !ok {
			t.Fatal("the check added is not taken")
		}
		shared("after a delta")
		m.version = -1 // as when a location is added: every check again
		if err := m.reload(ctx); err != nil {
			t.Fatal(err)
		}
		shared("after a full reload")
	})
}
