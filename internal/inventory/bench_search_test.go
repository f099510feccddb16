package inventory_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
)

// searchQueries are the searches benchmarked: a name's prefix, a rare and a
// common substring, and one that matches nothing (the whole index read).
var benchSearches = []struct{ name, q string }{
	{"prefix", "s00123"},
	{"rare-substring", "98765"},
	{"common-substring", "000"},
	{"no-match", "zzz"},
}

// naiveSearch is the baseline: every name of a sorted list, lower-cased
// once, tested with strings.HasPrefix and strings.Contains, keeping the
// first limit of each and counting up to the cap, as Graph.Search does.
func naiveSearch(lower []string, q string, limit int) (int, []string) {
	var prefix, inside []string
	total := 0
	for _, n := range lower {
		switch {
		case strings.HasPrefix(n, q):
			if len(prefix) < limit {
				prefix = append(prefix, n)
			}
		case strings.Contains(n, q):
			if len(inside) < limit {
				inside = append(inside, n)
			}
		default:
			continue
		}
		if total++; total > inventory.SearchCountCap && len(prefix)+len(inside) >= limit {
			break
		}
	}
	return total, append(prefix, inside...)
}

func benchSearch(b *testing.B, g *inventory.Graph, names []string) {
	lower := make([]string, len(names))
	for i, n := range names {
		lower[i] = strings.ToLower(n)
	}
	slices.Sort(lower)
	// The index is built on the first search: its time and the heap it
	// keeps are reported once.
	before := heapAfterGC()
	start := time.Now()
	g.Search("warm", 1)
	b.Logf("index of %d names built in %d ms, keeping %.1f MB", len(names), time.Since(start).Milliseconds(), float64(heapAfterGC()-before)/1e6)
	for _, s := range benchSearches {
		b.Run("index/"+s.name, func(b *testing.B) {
			var res inventory.SearchResult
			for b.Loop() {
				res = g.Search(s.q, 20)
			}
			b.ReportMetric(float64(res.Total), "matches")
		})
		b.Run("naive/"+s.name, func(b *testing.B) {
			var total int
			for b.Loop() {
				total, _ = naiveSearch(lower, s.q, 20)
			}
			b.ReportMetric(float64(min(total, inventory.SearchCountCap)), "matches")
		})
	}
}

// BenchmarkSearch1M searches the names of the 1,000,000-site host (its
// graph alone, without the naive graph of the impact benchmarks, so that
// the collector scans the same heap as in a server).
func BenchmarkSearch1M(b *testing.B) {
	if testing.Short() {
		b.Skip("the 1,000,000-site host takes seconds and gigabytes to build")
	}
	inv := simulate.Generate(simulate.Params{Sites: benchSites})
	names := make([]string, len(inv.Assets))
	for i := range inv.Assets {
		names[i] = inv.Assets[i].Name
	}
	benchSearch(b, inventory.NewGraph(inv, 1), names)
}

// BenchmarkSearch1MLongNames searches 1,000,000 sites named like real ones
// (www.shop-0123456.example.org, 28 characters), whose buffer is three
// times the simulated host's.
func BenchmarkSearch1MLongNames(b *testing.B) {
	if testing.Short() {
		b.Skip("1,000,000 names")
	}
	words := []string{"shop", "blog", "asso", "mairie", "club", "atelier"}
	inv := &inventory.Inventory{Assets: make([]inventory.Asset, benchSites)}
	names := make([]string, benchSites)
	for i := range inv.Assets {
		names[i] = fmt.Sprintf("www.%s-%07d.example.org", words[i%len(words)], i)
		inv.Assets[i] = inventory.Asset{Name: names[i], Kind: "site"}
	}
	benchSearch(b, inventory.NewGraph(inv, 1), names)
}

// BenchmarkSearchBuild1M builds the search indexes of the 1,000,000-site
// host, on a new graph each time (built outside the timing).
func BenchmarkSearchBuild1M(b *testing.B) {
	if testing.Short() {
		b.Skip("the 1,000,000-site host takes seconds and gigabytes to build")
	}
	inv := simulate.Generate(simulate.Params{Sites: benchSites})
	for b.Loop() {
		b.StopTimer()
		g := inventory.NewGraph(inv, 1)
		b.StartTimer()
		g.WarmSearch()
	}
}
