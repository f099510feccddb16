package inventory_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
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
