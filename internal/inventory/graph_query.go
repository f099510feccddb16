package inventory

// Kind returns the kind of the named asset, or "" when the graph has no
// asset of that name.
func (g *Graph) Kind(name string) string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	i, ok := g.lookup(name)
	if !ok {
		return ""
	}
	return g.kindOf(i)
}
