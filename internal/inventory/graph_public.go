package inventory

import "slices"

// Scope returns the sorted names of the roots and of every asset that
// depends on one of them, transitively: what a failure or a maintenance of
// the roots reaches. A root the graph does not know is kept as it is, so
// that an incident on a removed asset still names its own root.
func (g *Graph) Scope(roots []string) []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	seen := newBitset(len(g.nodes))
	out := make([]string, 0, len(roots))
	var queue []int32
	for _, name := range roots {
		i, ok := g.lookup(name)
		if !ok {
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
			continue
		}
		if !seen.test(i) {
			seen.set(i)
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		i := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		out = append(out, g.nodes[i].name)
		for _, d := range g.nodes[i].dependents() {
			if !seen.test(d) {
				seen.set(d)
				queue = append(queue, d)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Owned returns the sorted names of the assets a customer owns, of one
// kind, or of any when kind is "": what their overview shows, and nothing
// of anyone else's.
func (g *Graph) Owned(customer, kind string) []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	c, ok := g.custIndex[customer]
	if !ok {
		return nil
	}
	var out []string
	for i := range g.nodes {
		if n := &g.nodes[i]; n.live && n.owner == c && (kind == "" || g.kindNames[n.kind] == kind) {
			out = append(out, n.name)
		}
	}
	slices.Sort(out)
	return out
}
