// Package naive is the baseline the inventory graph is measured against:
// string maps and a breadth-first walk, the way one would first write it.
// Benchmarks only.
package naive

import (
	"fmt"
	"maps"
	"slices"

	"github.com/vigie/vigie/internal/inventory"
)

// Graph indexes an inventory with string maps.
type Graph struct {
	dependents map[string][]string
	kind       map[string]string
	owner      map[string]string
}

// New indexes inv.
func New(inv *inventory.Inventory) *Graph {
	g := &Graph{dependents: map[string][]string{}, kind: map[string]string{}, owner: map[string]string{}}
	for i := range inv.Assets {
		a := &inv.Assets[i]
		g.kind[a.Name] = a.Kind
		if a.Owner != "" {
			g.owner[a.Name] = a.Owner
		}
		for _, d := range a.DependsOn {
			g.dependents[d] = append(g.dependents[d], a.Name)
		}
	}
	return g
}

// Impact walks the dependents breadth first, counting what
// inventory.Graph.Impact counts.
func (g *Graph) Impact(name string) (inventory.Impact, error) {
	if _, ok := g.kind[name]; !ok {
		return inventory.Impact{}, fmt.Errorf("asset %q not found", name)
	}
	imp := inventory.Impact{Asset: name}
	seen := map[string]bool{name: true}
	owners := map[string]bool{}
	if o := g.owner[name]; o != "" {
		owners[o] = true
	}
	queue := []string{name}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, d := range g.dependents[cur] {
			if seen[d] {
				continue
			}
			seen[d] = true
			queue = append(queue, d)
			imp.Assets++
			if g.kind[d] == inventory.KindSite {
				imp.Sites++
			}
			if o := g.owner[d]; o != "" {
				owners[o] = true
			}
		}
	}
	imp.Customers = slices.Sorted(maps.Keys(owners))
	return imp, nil
}
