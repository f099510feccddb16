package inventory

import (
	"slices"
	"testing"
)

func TestScopeIsTheRootsAndEverythingDependingOnThemTransitively(t *testing.T) {
	g := NewGraph(smallHost(), 1)
	tests := []struct {
		roots []string
		want  []string
	}{
		{[]string{"hv1"}, []string{"db1", "hv1", "site1", "site2", "vm1", "vps1"}},
		{[]string{"db1"}, []string{"db1", "site2"}},
		{[]string{"db1", "vm1"}, []string{"db1", "site1", "site2", "vm1"}},
		{[]string{"site1"}, []string{"site1"}},
		{[]string{"gone", "site1", "gone"}, []string{"gone", "site1"}},
		{nil, []string{}},
	}
	for _, tt := range tests {
		if got := g.Scope(tt.roots); !slices.Equal(got, tt.want) {
			t.Errorf("Scope(%v) = %v, want %v", tt.roots, got, tt.want)
		}
	}
}

func TestOwnedSitesListsOnlyTheCustomersSites(t *testing.T) {
	inv := smallHost()
	inv.Assets = append(inv.Assets, Asset{Name: "site3", Kind: "site", Owner: "C1", DependsOn: []string{"vm1"}})
	g := NewGraph(inv, 1)
	for customer, want := range map[string][]string{
		"C1": {"site2", "site3"},
		"C2": {"site1"},
		"C3": nil, // owns a VM, no site
		"C9": nil,
	} {
		if got := g.Owned(customer, KindSite); !slices.Equal(got, want) {
			t.Errorf("Owned(%s, site) = %v, want %v", customer, got, want)
		}
	}
}
