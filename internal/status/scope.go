package status

import (
	"slices"

	"github.com/vigie/vigie/internal/inventory"
)

// reach is what an incident or a window reaches in the graph, as the page
// needs it: which components, whether it touches the customer the page is
// for, and whether it is platform-wide. Owners stay inside: a page never
// shows another customer's id, site or count.
type reach struct {
	assets map[string]bool
	// comps are the indexes of the components reached, with how many of
	// their covered assets are.
	comps map[int]int
	// owners are the distinct owners of the assets reached.
	owners int
	// unownedRoot is set when a root is a platform asset no one owns.
	unownedRoot bool
	// mine is set when an asset reached belongs to the page's customer;
	// sites are the customer's sites reached, sorted.
	mine  bool
	sites []string
}

// platform reports whether more than one customer, or none, is reached.
func (r *reach) platform() bool { return r.owners != 1 }

// wide reports whether the reach is a matter for every customer: a
// platform asset or more than one customer.
func (r *reach) wide() bool { return r.unownedRoot || r.owners > 1 }

// reachOf computes the reach of roots.
func (b *builder) reachOf(roots []string) *reach {
	g := b.in.Graph
	r := &reach{assets: map[string]bool{}, comps: map[int]int{}}
	var names []string
	if g != nil {
		names = g.Scope(roots)
	} else {
		names = slices.Clone(roots)
	}
	owners := map[string]bool{}
	for _, name := range names {
		r.assets[name] = true
		if g == nil {
			continue
		}
		owner := g.Owner(name)
		if owner == "" {
			continue
		}
		owners[owner] = true
		if b.customer != "" && owner == b.customer {
			r.mine = true
			if g.Kind(name) == inventory.KindSite {
				r.sites = append(r.sites, name)
			}
		}
	}
	r.owners = len(owners)
	for _, root := range roots {
		if g != nil && g.Kind(root) != "" && g.Owner(root) == "" {
			r.unownedRoot = true
		}
	}
	for i := range b.covered {
		n := 0
		for _, a := range b.covered[i] {
			if r.assets[a] {
				n++
			}
		}
		if n > 0 {
			r.comps[i] = n
		}
	}
	return r
}
