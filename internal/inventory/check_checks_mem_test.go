package inventory_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
)

// sitesInventory is n sites with an http check each from check_defaults,
// as bench/serve imports them, plus a VM with its built-in tcp check and
// an explicit check of one site beside its default one.
func sitesInventory(n int) *inventory.Inventory {
	inv := &inventory.Inventory{
		CheckDefaults: []inventory.CheckDefault{{AssetKind: inventory.KindSite,
			Check: check.Check{Kind: check.HTTP, Interval: check.Duration(10 * time.Second)}}},
		Assets: []inventory.Asset{{Name: "vm1", Kind: "vm", Address: "10.0.0.1:22"}},
		Checks: []check.Check{{Asset: "s0000000", Name: "home", Kind: check.HTTP, URL: "http://127.0.0.1/own"}},
	}
	for i := range n {
		inv.Assets = append(inv.Assets, inventory.Asset{Name: fmt.Sprintf("s%07d", i), Kind: inventory.KindSite,
			URL: fmt.Sprintf("http://127.0.0.1:%d/s/%d", 30000+i%100, i)})
	}
	return inv
}

// The list of effective checks is kept by the effective set: it must hold
// no slack of append's growth.
func TestEffectiveChecksListHasNoSlack(t *testing.T) {
	list := inventory.EffectiveChecks(sitesInventory(1000))
	if len(list) != 1002 {
		t.Fatalf("%d checks, want 1,002", len(list))
	}
	if cap(list) != len(list) {
		t.Fatalf("capacity %d for %d checks", cap(list), len(list))
	}
}

// BenchmarkEffectiveChecksBytes is the heap the list of effective checks
// keeps per check at 20,000 sites: the effective set holds it for the
// server's life.
//
//	go test -run XXX -bench BenchmarkEffectiveChecksBytes ./internal/inventory/
func BenchmarkEffectiveChecksBytes(b *testing.B) {
	inv := sitesInventory(20_000)
	kept := make([][]check.Check, b.N)
	before := heapInUse()
	for i := range b.N {
		kept[i] = inventory.EffectiveChecks(inv)
	}
	b.ReportMetric(float64(heapInUse()-before)/float64(b.N*len(kept[0])), "B/check")
	runtime.KeepAlive(kept)
	runtime.KeepAlive(inv)
}

// heapInUse is the heap in use after a collection.
func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// BenchmarkInventoryBytes is the heap the inventory keeps for the server's
// life: the graph, its search indexes and the effective set, per asset (or
// per check), for the host bench/serve/memory.sh imports (sitesInventory)
// and for the simulated host, the inventory they are built from held throughout so
// that only what they add is counted (their strings are the inventory's).
//
//	go test -run XXX -bench BenchmarkInventoryBytes -benchtime 1x ./internal/inventory/
func BenchmarkInventoryBytes(b *testing.B) {
	hosts := []struct {
		name  string
		sites int
		gen   func(int) *inventory.Inventory
	}{
		{"serve/20k", 20_000, sitesInventory},
		{"simulated/20k", 20_000, func(n int) *inventory.Inventory { return simulate.Generate(simulate.Params{Sites: n}) }},
		{"serve/1M", 1_000_000, sitesInventory},
		{"simulated/1M", 1_000_000, func(n int) *inventory.Inventory { return simulate.Generate(simulate.Params{Sites: n}) }},
	}
	for _, h := range hosts {
		b.Run(h.name, func(b *testing.B) {
			if testing.Short() && h.sites > 20_000 {
				b.Skip("a million sites")
			}
			inv := h.gen(h.sites)
			assets := float64(len(inv.Assets))
			for b.Loop() {
				before := heapAfterGC()
				start := time.Now()
				g := inventory.NewGraph(inv, 1)
				graphTime := time.Since(start)
				graph := heapAfterGC()
				start = time.Now()
				g.WarmSearch()
				searchTime := time.Since(start)
				search := heapAfterGC()
				set := inventory.NewEffectiveSetForTest(inv, 1)
				eff := heapAfterGC()
				set.Page("", 1, nil) // sorts every shard
				sorted := heapAfterGC()
				b.ReportMetric(float64(graph-before)/assets, "graph-B/asset")
				b.ReportMetric(float64(search-graph)/assets, "search-B/asset")
				b.ReportMetric(float64(eff-search)/float64(set.Len()), "set-B/check")
				b.ReportMetric(float64(sorted-eff)/float64(set.Len()), "sorted-B/check")
				b.ReportMetric(float64(graphTime.Milliseconds()), "graph-ms")
				b.ReportMetric(float64(searchTime.Milliseconds()), "search-ms")
				runtime.KeepAlive(g)
				runtime.KeepAlive(set)
			}
			runtime.KeepAlive(inv)
		})
	}
}

// BenchmarkEffectiveSetGet1M finds checks by key in the set of a host of a
// million sites, as the result intake does for every result it takes, and
// reports what the lookup keeps in memory per check once every shard was
// asked.
//
//	go test -run XXX -bench BenchmarkEffectiveSetGet1M -benchtime 2000000x ./internal/inventory/
func BenchmarkEffectiveSetGet1M(b *testing.B) {
	if testing.Short() {
		b.Skip("a million sites")
	}
	set := inventory.NewEffectiveSetForTest(sitesInventory(1_000_000), 1)
	var keys []string
	set.Each(func(c *check.Check) bool {
		keys = append(keys, c.Key())
		return true
	})
	before := heapAfterGC()
	for _, k := range keys {
		if set.Get(k) == nil {
			b.Fatalf("no check %s", k)
		}
	}
	index := float64(heapAfterGC()-before) / float64(len(keys))
	i := 0
	for b.Loop() {
		if set.Get(keys[i*7919%len(keys)]) == nil {
			b.Fatal("missing")
		}
		i++
	}
	b.ReportMetric(index, "index-B/check")
	runtime.KeepAlive(set)
}
