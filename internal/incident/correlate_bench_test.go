package incident

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
)

// bigHost is a generated host of a million sites with every machine,
// service and site checked, built once for all benchmarks.
type bigHost struct {
	graph   *inventory.Graph
	checked map[string]bool
	sites   []string
	hv      string
}

// newBigHost is built once, by the first benchmark that needs it.
var newBigHost = sync.OnceValue(func() *bigHost {
	inv := simulate.Generate(simulate.Params{Sites: 1_000_000})
	h := &bigHost{graph: inventory.NewGraph(inv, 1), checked: make(map[string]bool, len(inv.Assets))}
	for _, a := range inv.Assets {
		switch a.Kind {
		case "datacenter", "network":
		default:
			h.checked[a.Name] = true
		}
		switch {
		case a.Kind == inventory.KindSite:
			h.sites = append(h.sites, a.Name)
		case a.Kind == "hypervisor" && h.hv == "":
			h.hv = a.Name
		}
	}
	return h
})

func largeHost(b *testing.B) *bigHost {
	b.Helper()
	if testing.Short() {
		b.Skip("the 1,000,000-site host takes seconds and gigabytes to build")
	}
	return newBigHost()
}

// below returns name and everything that depends on it, transitively.
func below(g *inventory.Graph, name string) map[string]bool {
	down := map[string]bool{name: true}
	stack := []string{name}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, d := range g.Dependents(x) {
			if !down[d] {
				down[d] = true
				stack = append(stack, d)
			}
		}
	}
	return down
}

func benchCorrelate(b *testing.B, h *bigHost, down map[string]bool) {
	b.Helper()
	var res Correlation
	b.ReportAllocs()
	for b.Loop() {
		res = Correlate(h.graph, h.checked, down, CorrelateOptions{})
	}
	b.ReportMetric(float64(len(down)), "down-assets")
	b.ReportMetric(float64(len(res.Roots)), "roots")
}

// BenchmarkCorrelateHypervisorAt1M correlates, on a host of a million
// sites, the failure of one hypervisor with everything on it, and 100,000
// sites down at random at once. The targets are 100 ms and 2 s.
func BenchmarkCorrelateHypervisorAt1M(b *testing.B) {
	h := largeHost(b)
	b.Run("hypervisor", func(b *testing.B) {
		benchCorrelate(b, h, below(h.graph, h.hv))
	})
	b.Run("100k-sites", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		down := make(map[string]bool, 100_000)
		for len(down) < 100_000 {
			down[h.sites[rng.IntN(len(h.sites))]] = true
		}
		benchCorrelate(b, h, down)
	})
}
