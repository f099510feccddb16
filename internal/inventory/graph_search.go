package inventory

import (
	"slices"
	"strings"
)

// Search returns up to limit asset names containing q, ignoring case:
// those starting with it first, then the others, each group sorted.
func (g *Graph) Search(q string, limit int) []string {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" || limit <= 0 {
		return nil
	}
	g.mu.RLock()
	var prefix, inside []string
	for i := range g.nodes {
		n := &g.nodes[i]
		if !n.live {
			continue
		}
		switch name := strings.ToLower(n.name); {
		case strings.HasPrefix(name, q):
			prefix = append(prefix, n.name)
		case strings.Contains(name, q):
			inside = append(inside, n.name)
		}
	}
	g.mu.RUnlock()
	slices.Sort(prefix)
	slices.Sort(inside)
	out := append(prefix, inside...)
	return out[:min(len(out), limit)]
}
