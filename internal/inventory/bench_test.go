package inventory_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/inventory/naive"
	"github.com/vigie/vigie/internal/simulate"
)

// benchSites is the size of the host the impact benchmarks run on, the size
// of the inventory issue's targets.
const benchSites = 1_000_000

// benchHost is the host of benchSites sites, generated and indexed once for
// every benchmark of the package.
var benchHost = sync.OnceValue(func() *hostIndex {
	inv := simulate.Generate(simulate.Params{Sites: benchSites})
	h := &hostIndex{graph: inventory.NewGraph(inv, 1), naive: naive.New(inv), customers: len(inv.Customers)}
	for i := range inv.Assets {
		if inv.Assets[i].Kind == "hypervisor" {
			h.hypervisors = append(h.hypervisors, inv.Assets[i].Name)
		}
	}
	return h
})

type hostIndex struct {
	graph       *inventory.Graph
	naive       *naive.Graph
	hypervisors []string
	customers   int
}

func largeHost(b *testing.B) *hostIndex {
	b.Helper()
	if testing.Short() {
		b.Skip("the 1,000,000-site host takes seconds and gigabytes to build")
	}
	return benchHost()
}

// benchImpact runs impact over names in turn and reports the size of the
// first answer: the assets, sites and customers it finds.
func benchImpact(b *testing.B, impact func(string) (inventory.Impact, error), names []string) {
	b.Helper()
	first, err := impact(names[0])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := impact(names[i%len(names)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(first.Assets), "impacted-assets")
	b.ReportMetric(float64(first.Sites), "impacted-sites")
	b.ReportMetric(float64(len(first.Customers)), "impacted-customers")
}

func BenchmarkImpactHypervisor(b *testing.B) {
	h := largeHost(b)
	benchImpact(b, h.graph.Impact, h.hypervisors)
}

func BenchmarkImpactDatacenter(b *testing.B) {
	h := largeHost(b)
	benchImpact(b, h.graph.Impact, []string{"dc1"})
}

func BenchmarkImpactNaiveHypervisor(b *testing.B) {
	h := largeHost(b)
	benchImpact(b, h.naive.Impact, h.hypervisors)
}

func BenchmarkImpactNaiveDatacenter(b *testing.B) {
	h := largeHost(b)
	benchImpact(b, h.naive.Impact, []string{"dc1"})
}

// BenchmarkNewGraph1M indexes the 1,000,000-site host and reports the heap
// the graph keeps once the inventory it was built from is gone.
func BenchmarkNewGraph1M(b *testing.B) {
	if testing.Short() {
		b.Skip("the 1,000,000-site host takes seconds and gigabytes to build")
	}
	var graphBytes int64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		before := heapAfterGC()
		inv := simulate.Generate(simulate.Params{Sites: benchSites})
		b.StartTimer()
		g := inventory.NewGraph(inv, 1)
		b.StopTimer()
		// inv is no longer referenced: what remains is the graph's.
		graphBytes = heapAfterGC() - before
		runtime.KeepAlive(g)
		b.StartTimer()
	}
	b.ReportMetric(float64(graphBytes), "graph-bytes")
	b.ReportMetric(benchSites, "sites")
}

func heapAfterGC() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
