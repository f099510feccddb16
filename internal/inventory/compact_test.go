package inventory

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/check"
)

// trickyName is a name of the letters that sort around '/' in keys: '-'
// and '.' come before it, letters after.
func trickyName(r *rand.Rand, n int) string {
	var b strings.Builder
	for range 1 + r.IntN(n) {
		b.WriteByte("ab/-."[r.IntN(5)])
	}
	return b.String()
}

func TestCompareCheckKeysIsTheOrderOfTheKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20_000 {
		a := &check.Check{Asset: trickyName(r, 5), Name: trickyName(r, 3)}
		b := &check.Check{Asset: trickyName(r, 5), Kind: check.HTTP}
		if r.IntN(3) == 0 {
			b.Asset = a.Asset
		}
		if got, want := compareCheckKeys(a, b), strings.Compare(a.Key(), b.Key()); got != want {
			t.Fatalf("compareCheckKeys(%q, %q) = %d, want %d", a.Key(), b.Key(), got, want)
		}
		p := trickyName(r, 4)
		got := compareParts(partsOf(a), keyParts{p, "/"}, true) == 0
		if want := strings.HasPrefix(a.Key(), p+"/"); got != want {
			t.Fatalf("%q starts with %q/: %v, want %v", a.Key(), p, got, want)
		}
	}
}

// trickyHost is assets of tricky names, many of them sharing a shard with
// an asset whose name starts with theirs and a slash, with checks whose
// names may hold slashes too, so that keys of different assets are equal.
func trickyHost(r *rand.Rand) *Inventory {
	inv := &Inventory{CheckDefaults: []CheckDefault{{AssetKind: "vm", Check: check.Check{Kind: check.TCP}}}}
	seen := map[string]bool{}
	for len(inv.Assets) < 3000 {
		name := trickyName(r, 7)
		if seen[name] {
			continue
		}
		seen[name] = true
		inv.Assets = append(inv.Assets, Asset{Name: name, Kind: []string{"vm", "site"}[r.IntN(2)], Address: "127.0.0.1:1"})
		for range r.IntN(3) {
			inv.Checks = append(inv.Checks, check.Check{Asset: name, Name: trickyName(r, 3), Kind: check.TCP, Interval: check.Duration(r.IntN(1000))})
		}
	}
	// Shards are chosen by a random seed: a few assets are made to share
	// theirs with one whose name starts with theirs and a slash, the two
	// having a check of the same key.
	for _, a := range slices.Clone(inv.Assets[:5]) {
		for i := 0; ; i++ {
			sub := fmt.Sprintf("s%d", i)
			if name := a.Name + "/" + sub; !seen[name] && shardOf(name) == shardOf(a.Name) {
				seen[name] = true
				inv.Assets = append(inv.Assets, Asset{Name: name, Kind: "vm", Address: "127.0.0.1:1"})
				inv.Checks = append(inv.Checks, check.Check{Asset: name, Name: "x", Kind: check.TCP},
					check.Check{Asset: a.Name, Name: sub + "/x", Kind: check.TCP, Interval: 1})
				break
			}
		}
	}
	// Explicit checks of one asset have distinct names.
	slices.SortStableFunc(inv.Checks, func(a, b check.Check) int { return strings.Compare(a.Key(), b.Key()) })
	inv.Checks = slices.CompactFunc(inv.Checks, func(a, b check.Check) bool { return a.Asset == b.Asset && a.Name == b.Name })
	return inv
}

// checkSetAgainstList compares what set answers with list, the effective
// checks it was made of; it returns how many assets share their shard's
// run of keys with another asset.
func checkSetAgainstList(t *testing.T, set *EffectiveSet, list []check.Check, assets []string) int {
	t.Helper()
	if set.Len() != len(list) {
		t.Fatalf("Len = %d, want %d", set.Len(), len(list))
	}
	byAsset := map[string][]check.Check{}
	for _, c := range list {
		byAsset[c.Asset] = append(byAsset[c.Asset], c)
	}
	mixed := 0
	for _, a := range assets {
		var got []check.Check
		for _, c := range set.OfAsset(a) {
			got = append(got, *c)
		}
		if !reflect.DeepEqual(got, byAsset[a]) {
			t.Fatalf("OfAsset(%q) = %v, want %v", a, got, byAsset[a])
		}
		if set.HasAsset(a) != (len(byAsset[a]) > 0) {
			t.Fatalf("HasAsset(%q) = %v", a, set.HasAsset(a))
		}
		sh := set.shards[shardOf(a)]
		for _, c := range sh.checks {
			if c.Asset != a && strings.HasPrefix(c.Key(), a+"/") {
				mixed++
				break
			}
		}
	}
	// Get, as the map by asset answered it: the longest asset first.
	for _, c := range list {
		key := c.Key()
		var want *check.Check
		for i := strings.LastIndexByte(key, '/'); i > 0 && want == nil; i = strings.LastIndexByte(key[:i], '/') {
			for j := range byAsset[key[:i]] {
				if byAsset[key[:i]][j].Key() == key {
					want = &byAsset[key[:i]][j]
					break
				}
			}
		}
		if got := set.Get(key); !reflect.DeepEqual(got, want) {
			t.Fatalf("Get(%q) = %v, want %v", key, got, want)
		}
	}
	if got := set.Get("nothing/here"); got != nil {
		t.Fatalf("Get of an unknown key = %v", got)
	}
	var paged []check.Check
	for after := ""; ; {
		page, more := set.Page(after, 97, nil)
		paged = append(paged, page...)
		if !more {
			break
		}
		after = page[len(page)-1].Key()
	}
	// Checks of one key (of two assets) come in no given order.
	sorted := set.Sorted(nil)
	byKeyThenAsset := func(a, b check.Check) int {
		return cmp.Or(strings.Compare(a.Key(), b.Key()), strings.Compare(a.Asset, b.Asset))
	}
	if !slices.Equal(keysOf(paged), keysOf(sorted)) || !slices.IsSortedFunc(paged, func(a, b check.Check) int { return strings.Compare(a.Key(), b.Key()) }) {
		t.Fatalf("the pages hold %d checks, Sorted %d", len(paged), len(sorted))
	}
	slices.SortFunc(paged, byKeyThenAsset)
	slices.SortFunc(sorted, byKeyThenAsset)
	if !reflect.DeepEqual(paged, sorted) || len(paged) != len(list) {
		t.Fatalf("the pages hold %d checks, Sorted %d, the list %d", len(paged), len(sorted), len(list))
	}
	return mixed
}

func TestEffectiveSetAnswersAsItsList(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	inv := trickyHost(r)
	names := func(inv *Inventory) []string {
		var out []string
		for _, a := range inv.Assets {
			out = append(out, a.Name)
		}
		return append(out, "missing")
	}
	set := newEffectiveSet(inv, 1)
	if mixed := checkSetAgainstList(t, set, EffectiveChecks(inv), names(inv)); mixed == 0 {
		t.Fatal("no asset shares its shard's keys with another: the test misses its case")
	}
	// Change, add and remove assets and checks, as a write does.
	for v := int64(2); v < 5; v++ {
		next := &Inventory{CheckDefaults: inv.CheckDefaults, Checks: slices.Clone(inv.Checks)}
		var touched []string
		for _, a := range inv.Assets {
			switch r.IntN(20) {
			case 0:
				touched = append(touched, a.Name) // removed
				continue
			case 1:
				a.Kind = "site"
				touched = append(touched, a.Name)
			}
			next.Assets = append(next.Assets, a)
		}
		for range 50 {
			a := Asset{Name: trickyName(r, 8) + "x", Kind: "vm", Address: "127.0.0.1:2"}
			if !slices.ContainsFunc(next.Assets, func(b Asset) bool { return b.Name == a.Name }) {
				next.Assets = append(next.Assets, a)
				touched = append(touched, a.Name)
			}
		}
		for i := range next.Checks {
			if r.IntN(30) == 0 {
				next.Checks[i].Interval++
				touched = append(touched, next.Checks[i].Asset)
			}
		}
		present := map[string]bool{}
		for _, a := range next.Assets {
			present[a.Name] = true
		}
		next.Checks = slices.DeleteFunc(next.Checks, func(c check.Check) bool { return !present[c.Asset] })
		set = set.with(v, next, touched, nil)
		inv = next
		checkSetAgainstList(t, set, EffectiveChecks(inv), names(inv))
		ch, ok := set.Changes(v - 1)
		if !ok || len(ch.Changed)+len(ch.Removed) == 0 {
			t.Fatalf("version %d: changes %v, ok %v", v, ch, ok)
		}
	}
}

func TestNameIndexFollowsAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var nodes []node
	x := newNameIndex(0)
	want := map[string]int32{}
	for range 50_000 {
		name := fmt.Sprintf("n%d", r.IntN(3000))
		if i, ok := want[name]; ok && r.IntN(2) == 0 {
			x.del(nodes, name)
			nodes[i] = node{}
			delete(want, name)
		} else if !ok {
			nodes = append(nodes, node{name: name})
			x.put(nodes, int32(len(nodes)-1))
			want[name] = int32(len(nodes) - 1)
		}
		if probe := fmt.Sprintf("n%d", r.IntN(3000)); true {
			i, ok := x.get(nodes, probe)
			j, found := want[probe]
			if ok != found || i != j {
				t.Fatalf("get(%s) = %d, %v; want %d, %v", probe, i, ok, j, found)
			}
		}
	}
	if x.len() != len(want) {
		t.Fatalf("n = %d, want %d", x.len(), len(want))
	}
	got := map[string]int32{}
	x.each(func(i int32) { got[nodes[i].name] = i })
	if !maps.Equal(got, want) {
		t.Fatal("each does not list the names indexed")
	}
}

// A dependency removed gives its place to the last one, as it always did:
// DependsOn tells the order, and PathTo walks it.
func TestDependsOnKeepsItsOrderWhenADependencyGoes(t *testing.T) {
	base := &Inventory{Assets: []Asset{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"},
		{Name: "x", DependsOn: []string{"a", "b", "c", "d"}}, {Name: "y", DependsOn: []string{"x"}}}}
	g := NewGraph(base, 1)
	desired := &Inventory{Assets: slices.Clone(base.Assets)}
	desired.Assets = slices.Delete(desired.Assets, 1, 2)
	g.apply(Diff(base, desired), 2)
	if got := g.DependsOn("x"); !slices.Equal(got, []string{"a", "d", "c"}) {
		t.Fatalf("DependsOn(x) = %v", got)
	}
	if got := g.Dependents("x"); !slices.Equal(got, []string{"y"}) {
		t.Fatalf("Dependents(x) = %v", got)
	}
}

// Random plans applied one after another leave the graph a new one would
// be: the same dependencies, dependents, impact and search.
func TestGraphAppliedEqualsGraphRebuilt(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	randomHost := func() *Inventory {
		inv := &Inventory{Customers: []Customer{{ID: "C1"}, {ID: "C2"}}}
		for i := range 300 {
			if r.IntN(4) == 0 {
				continue
			}
			a := Asset{Name: fmt.Sprintf("A%03d", i), Kind: []string{"vm", "site"}[r.IntN(2)]}
			if r.IntN(2) == 0 {
				a.Owner = "C1"
			}
			for range r.IntN(4) {
				if j := r.IntN(300); j < i {
					a.DependsOn = append(a.DependsOn, fmt.Sprintf("A%03d", j))
				}
			}
			inv.Assets = append(inv.Assets, a)
		}
		// Dependencies on assets left out are dropped, as validation would.
		present := map[string]bool{}
		for _, a := range inv.Assets {
			present[a.Name] = true
		}
		for i := range inv.Assets {
			inv.Assets[i].DependsOn = slices.DeleteFunc(inv.Assets[i].DependsOn, func(d string) bool { return !present[d] })
		}
		return inv
	}
	inv := randomHost()
	g := NewGraph(inv, 1)
	g.WarmSearch()
	for v := int64(2); v < 12; v++ {
		next := randomHost()
		g.apply(Diff(inv, next), v)
		inv = next
		want := NewGraph(inv, v)
		if g.Len() != want.Len() {
			t.Fatalf("version %d: %d assets, want %d", v, g.Len(), want.Len())
		}
		for _, a := range inv.Assets {
			gotDeps, wantDeps := g.DependsOn(a.Name), want.DependsOn(a.Name)
			slices.Sort(gotDeps)
			slices.Sort(wantDeps)
			if !slices.Equal(gotDeps, wantDeps) || !slices.Equal(g.Dependents(a.Name), want.Dependents(a.Name)) {
				t.Fatalf("version %d, %s: depends on %v, dependents %v; want %v, %v", v, a.Name,
					gotDeps, g.Dependents(a.Name), wantDeps, want.Dependents(a.Name))
			}
			gi, _ := g.Impact(a.Name)
			wi, _ := want.Impact(a.Name)
			if !reflect.DeepEqual(gi, wi) || g.Kind(a.Name) != a.Kind || g.Owner(a.Name) != a.Owner {
				t.Fatalf("version %d, %s: impact %+v, want %+v", v, a.Name, gi, wi)
			}
		}
		for _, q := range []string{"a0", "a1", "A2", "5", "99"} {
			if got, exp := g.Search(q, 10), want.Search(q, 10); !reflect.DeepEqual(got, exp) {
				t.Fatalf("version %d: Search(%q) = %+v, want %+v", v, q, got, exp)
			}
		}
	}
}

// Every name is found by its own name, whatever its case and wherever it
// sorts (the last one included), as the graph's names.
func TestSearchFindsEveryNameByItself(t *testing.T) {
	inv, _ := randomSites(rand.New(rand.NewPCG(11, 12)), 500)
	inv.Assets = append(inv.Assets, Asset{Name: "zz-LAST", Kind: "site"}, Asset{Name: "Zz-last", Kind: "vm"})
	g := NewGraph(inv, 1)
	for _, a := range inv.Assets {
		res := g.Search(a.Name, 100)
		if !slices.ContainsFunc(res.Assets, func(h AssetHit) bool { return h.Name == a.Name && h.Kind == a.Kind && h.Prefix }) {
			t.Fatalf("Search(%q) = %+v", a.Name, res.Assets)
		}
	}
	desired := &Inventory{Assets: inv.Assets[:len(inv.Assets)-1]}
	g.apply(Diff(inv, desired), 2)
	if res := g.Search("zz-last", 10); len(res.Assets) != 1 || res.Assets[0].Name != "zz-LAST" || res.Total != 1 {
		t.Fatalf("after Zz-last went: %+v", res)
	}
}

func keysOf(list []check.Check) []string {
	out := make([]string, len(list))
	for i := range list {
		out[i] = list[i].Key()
	}
	return out
}
