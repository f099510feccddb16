package inventory

import "slices"

// CountKind returns how many assets of a kind the graph holds.
func (g *Graph) CountKind(kind string) int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n := 0
	for i := range g.nodes {
		if g.nodes[i].live && g.kindOf(int32(i)) == kind {
			n++
		}
	}
	return n
}

// Owner returns the customer owning an asset, or "".
func (g *Graph) Owner(name string) string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	i, ok := g.lookup(name)
	if !ok || g.nodes[i].owner < 0 {
		return ""
	}
	return g.custIDs[g.nodes[i].owner]
}

// Names returns the sorted names of the assets of a kind.
func (g *Graph) Names(kind string) []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	var out []string
	for i := range g.nodes {
		if g.nodes[i].live && g.kindOf(int32(i)) == kind {
			out = append(out, g.nodes[i].name)
		}
	}
	slices.Sort(out)
	return out
}
