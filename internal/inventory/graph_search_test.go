package inventory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// naiveSearch is what Search must answer: prefix matches, then the
// others, each in name order (ignoring case), with the count capped.
func naiveSearch(names []string, q string, limit int) (hits []string, total int, more bool) {
	q = strings.ToLower(q)
	sorted := slices.Clone(names)
	slices.SortFunc(sorted, func(a, b string) int {
		if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	var prefix, inside []string
	for _, n := range sorted {
		l := strings.ToLower(n)
		switch {
		case strings.HasPrefix(l, q):
			prefix = append(prefix, n)
		case strings.Contains(l, q):
			inside = append(inside, n)
		}
	}
	total = len(prefix) + len(inside)
	if total > SearchCountCap {
		total, more = SearchCountCap, true
	}
	all := append(prefix, inside...)
	return all[:min(len(all), limit)], total, more
}

func randomName(r *rand.Rand) string {
	parts := []string{"site", "vm", "Web", "db", "mail", "hv", "ns"}
	return fmt.Sprintf("%s-%d.%s", parts[r.IntN(len(parts))], r.IntN(5000), []string{"example", "exemple", "ex"}[r.IntN(3)])
}

func assetNames(g *Graph) []string {
	var out []string
	for i := range g.nodes {
		if g.nodes[i].live {
			out = append(out, g.nodes[i].name)
		}
	}
	return out
}

func checkSearch(t *testing.T, g *Graph, queries []string) {
	t.Helper()
	names := assetNames(g)
	for _, q := range queries {
		for _, limit := range []int{1, 7, 50} {
			got := g.Search(q, limit)
			want, total, more := naiveSearch(names, q, limit)
			var gotNames []string
			for _, h := range got.Assets {
				gotNames = append(gotNames, h.Name)
				if h.Prefix != strings.HasPrefix(strings.ToLower(h.Name), strings.ToLower(q)) {
					t.Errorf("Search(%q): %s marked prefix=%v", q, h.Name, h.Prefix)
				}
			}
			if !slices.Equal(gotNames, want) || got.Total != total || got.More != more {
				t.Fatalf("Search(%q, %d) = %v (total %d, more %v), want %v (total %d, more %v)",
					q, limit, gotNames, got.Total, got.More, want, total, more)
			}
		}
	}
}

var searchQueries = []string{"site", "SITE-1", "-12", "12", "e.ex", "example", "ex", "vm-4999", "web-", "zzz", "s", ".", "b-3", "mple"}

// randomSites is n sites of random names, and the names.
func randomSites(r *rand.Rand, n int) (*Inventory, map[string]bool) {
	inv := &Inventory{}
	seen := map[string]bool{}
	for len(inv.Assets) < n {
		if n := randomName(r); !seen[n] {
			seen[n] = true
			inv.Assets = append(inv.Assets, Asset{Name: n, Kind: "site"})
		}
	}
	return inv, seen
}

func TestSearchMatchesANaiveScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	inv, seen := randomSites(r, 3000)
	g := NewGraph(inv, 1)
	checkSearch(t, g, searchQueries)
	// Changes after the index was built: removals and additions, some of
	// them names removed then added back, then enough to rebuild it.
	for round := range 3 {
		desired := &Inventory{Assets: slices.Clone(inv.Assets)}
		desired.Assets = slices.DeleteFunc(desired.Assets, func(Asset) bool { return r.IntN(10) == 0 })
		for range 200 * (round + 1) * (round + 1) {
			if n := randomName(r) + "x"; !seen[n] {
				seen[n] = true
				desired.Assets = append(desired.Assets, Asset{Name: n, Kind: "vm"})
			}
		}
		if round == 1 {
			desired.Assets = append(desired.Assets, inv.Assets[:50]...) // back again
			desired.Assets = slices.CompactFunc(desired.Assets, func(a, b Asset) bool { return a.Name == b.Name })
			uniq := map[string]bool{}
			desired.Assets = slices.DeleteFunc(desired.Assets, func(a Asset) bool { d := uniq[a.Name]; uniq[a.Name] = true; return d })
		}
		g.apply(Diff(inv, desired), int64(round+2))
		inv = desired
		checkSearch(t, g, append(searchQueries, "x", "0x"))
	}
}

func TestSearchFindsCustomersByIDAndName(t *testing.T) {
	inv := &Inventory{Customers: []Customer{{ID: "C1", Name: "Alice Martin"}, {ID: "C2", Name: "Bob"}, {ID: "ALI", Name: "Zed"}}}
	g := NewGraph(inv, 1)
	got := g.Search("ali", 10)
	// An id starting with the query comes first.
	if len(got.Customers) != 2 || got.Customers[0].ID != "ALI" || got.Customers[1].ID != "C1" {
		t.Fatalf("customers = %+v", got.Customers)
	}
	desired := &Inventory{Customers: []Customer{{ID: "C1", Name: "Alice Martin"}, {ID: "C2", Name: "Bob Alix"}}}
	g.apply(Diff(inv, desired), 2)
	got = g.Search("ali", 10)
	if len(got.Customers) != 2 || got.Customers[0].ID != "C1" || got.Customers[1].Name != "Bob Alix" {
		t.Fatalf("after the change, customers = %+v", got.Customers)
	}
}

func TestChangesAppliedWhileTheIndexIsBuiltAreNotLost(t *testing.T) {
	base := &Inventory{Customers: []Customer{{ID: "C1", Name: "Alice"}},
		Assets: []Asset{{Name: "web-1", Kind: "site"}, {Name: "web-2", Kind: "site"}}}
	g := NewGraph(base, 1)
	desired := &Inventory{Customers: []Customer{{ID: "C1", Name: "Alice"}, {ID: "C2", Name: "Webster"}},
		Assets: []Asset{{Name: "web-1", Kind: "site"}, {Name: "web-3", Kind: "site"}}}
	g.whileBuilding = func() {
		g.whileBuilding = nil
		g.apply(Diff(base, desired), 2) // takes the lock: the build must not hold it
	}
	got := g.Search("web", 10)
	var names []string
	for _, a := range got.Assets {
		names = append(names, a.Name)
	}
	if !slices.Equal(names, []string{"web-1", "web-3"}) || got.Total != 2 {
		t.Fatalf("search after a change during the build: %v (total %d)", names, got.Total)
	}
	if len(got.Customers) != 1 || got.Customers[0].ID != "C2" {
		t.Fatalf("customers after a change during the build: %+v", got.Customers)
	}
}
