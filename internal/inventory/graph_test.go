package inventory

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vigie/vigie/internal/store"
)

// smallHost is dc1 <- hv1 <- vm1 <- site1, site2 (owned by C2, C1), and
// hv1 <- vps1 (owned by C3), with a db service used by site2.
func smallHost() *Inventory {
	return &Inventory{
		Customers: []Customer{{ID: "C1"}, {ID: "C2"}, {ID: "C3"}},
		Assets: []Asset{
			{Name: "dc1", Kind: "datacenter"},
			{Name: "hv1", Kind: "hypervisor", DependsOn: []string{"dc1"}},
			{Name: "vm1", Kind: "vm", DependsOn: []string{"hv1"}},
			{Name: "vps1", Kind: "vm", Owner: "C3", DependsOn: []string{"hv1"}},
			{Name: "db1", Kind: "service", DependsOn: []string{"vm1"}},
			{Name: "site1", Kind: "site", Owner: "C2", DependsOn: []string{"vm1"}},
			{Name: "site2", Kind: "site", Owner: "C1", DependsOn: []string{"vm1", "db1"}},
		},
	}
}

func TestImpactCountsTransitiveDependentsOnce(t *testing.T) {
	g := NewGraph(smallHost(), 1)
	tests := []struct {
		asset     string
		assets    int
		sites     int
		customers []string
	}{
		{"dc1", 6, 2, []string{"C1", "C2", "C3"}},
		{"vm1", 3, 2, []string{"C1", "C2"}},
		{"db1", 1, 1, []string{"C1"}},
		{"vps1", 0, 0, []string{"C3"}},
		{"site1", 0, 0, []string{"C2"}},
	}
	for _, tt := range tests {
		got, err := g.Impact(tt.asset)
		if err != nil {
			t.Fatalf("%s: %v", tt.asset, err)
		}
		if got.Assets != tt.assets || got.Sites != tt.sites || !slices.Equal(got.Customers, tt.customers) {
			t.Errorf("Impact(%s) = %+v, want assets=%d sites=%d customers=%v", tt.asset, got, tt.assets, tt.sites, tt.customers)
		}
	}
	if _, err := g.Impact("nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown asset: %v", err)
	}
}

func TestImpactWithoutCustomersIsAnEmptyList(t *testing.T) {
	g := NewGraph(&Inventory{Assets: []Asset{{Name: "x", Kind: "vm"}}}, 1)
	got, err := g.Impact("x")
	if err != nil {
		t.Fatal(err)
	}
	if got.Customers == nil || len(got.Customers) != 0 {
		t.Fatal("customers must be an empty list, not nil, so that JSON says []")
	}
}

func TestGraphApplyFollowsPlans(t *testing.T) {
	base := smallHost()
	g := NewGraph(base, 1)
	desired := smallHost()
	// Move site1 to its own new VM on hv1, drop vps1, change site2's owner.
	desired.Assets = slices.DeleteFunc(desired.Assets, func(a Asset) bool { return a.Name == "vps1" })
	desired.Assets = append(desired.Assets, Asset{Name: "vm2", Kind: "vm", DependsOn: []string{"hv1"}})
	for i := range desired.Assets {
		switch desired.Assets[i].Name {
		case "site1":
			desired.Assets[i].DependsOn = []string{"vm2"}
		case "site2":
			desired.Assets[i].Owner = "C3"
		}
	}
	p := Diff(base, desired)
	if len(p.AddAssets) != 1 || len(p.ChangeAssets) != 2 || len(p.RemoveAssets) != 1 {
		t.Fatalf("plan = %+v", p)
	}
	g.apply(p, 2)
	if g.Version() != 2 {
		t.Fatalf("version = %d", g.Version())
	}
	want := NewGraph(desired, 2)
	for _, a := range desired.Assets {
		got, _ := g.Impact(a.Name)
		exp, _ := want.Impact(a.Name)
		if got.Assets != exp.Assets || got.Sites != exp.Sites || !slices.Equal(got.Customers, exp.Customers) {
			t.Errorf("after apply, Impact(%s) = %+v, rebuilt graph says %+v", a.Name, got, exp)
		}
	}
	if _, err := g.Impact("vps1"); err == nil {
		t.Fatal("removed asset still in the graph")
	}
	if deps := g.Dependents("hv1"); !slices.Equal(deps, []string{"vm1", "vm2"}) {
		t.Fatalf("Dependents(hv1) = %v", deps)
	}
}

func TestPathToFindsTheCycleAnEditWouldClose(t *testing.T) {
	g := NewGraph(smallHost(), 1)
	// Making dc1 depend on site2 would close dc1 -> site2 -> vm1 -> hv1 -> dc1.
	path := g.PathTo([]string{"site2"}, "dc1")
	if !slices.Equal(path, []string{"site2", "vm1", "hv1", "dc1"}) {
		t.Fatalf("path = %v", path)
	}
	if p := g.PathTo([]string{"dc1"}, "site2"); p != nil {
		t.Fatalf("dc1 does not depend on site2, got %v", p)
	}
}

// TestImpactMatchesANaiveWalkOnRandomGraphs checks the index against a plain
// map-based traversal over random acyclic graphs.
func TestImpactMatchesANaiveWalkOnRandomGraphs(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 7))
		inv := &Inventory{}
		for c := range 5 {
			inv.Customers = append(inv.Customers, Customer{ID: fmt.Sprintf("C%d", c)})
		}
		n := 40 + r.IntN(60)
		for i := range n {
			a := Asset{Name: fmt.Sprintf("a%03d", i), Kind: []string{"vm", "site", "service"}[r.IntN(3)]}
			if r.IntN(2) == 0 {
				a.Owner = fmt.Sprintf("C%d", r.IntN(5))
			}
			// Edges only to lower indices keep the graph acyclic.
			for j := 0; j < i; j++ {
				if r.IntN(n) < 2 {
					a.DependsOn = append(a.DependsOn, fmt.Sprintf("a%03d", j))
				}
			}
			inv.Assets = append(inv.Assets, a)
		}
		g := NewGraph(inv, 1)
		for _, a := range inv.Assets {
			got, err := g.Impact(a.Name)
			if err != nil {
				t.Fatal(err)
			}
			want := naiveImpact(inv, a.Name)
			if got.Assets != want.Assets || got.Sites != want.Sites || !slices.Equal(got.Customers, want.Customers) {
				t.Fatalf("seed %d: Impact(%s) = %+v, want %+v", seed, a.Name, got, want)
			}
		}
	}
}

func naiveImpact(inv *Inventory, root string) Impact {
	byName := map[string]Asset{}
	for _, a := range inv.Assets {
		byName[a.Name] = a
	}
	affected := map[string]bool{root: true}
	for changed := true; changed; {
		changed = false
		for _, a := range inv.Assets {
			if affected[a.Name] {
				continue
			}
			for _, d := range a.DependsOn {
				if affected[d] {
					affected[a.Name] = true
					changed = true
					break
				}
			}
		}
	}
	imp := Impact{Asset: root, Customers: []string{}}
	owners := map[string]bool{}
	for name := range affected {
		a := byName[name]
		if name != root {
			imp.Assets++
			if a.Kind == KindSite {
				imp.Sites++
			}
		}
		if a.Owner != "" && !owners[a.Owner] {
			owners[a.Owner] = true
			imp.Customers = append(imp.Customers, a.Owner)
		}
	}
	slices.Sort(imp.Customers)
	return imp
}
