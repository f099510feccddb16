package incident

import "github.com/vigie/vigie/internal/inventory"

// above is what lies above an asset in the graph: whether any transitive
// dependency has failed, and the root it then belongs to.
type above struct {
	failed bool
	root   string // "" while failed is false, unless the asset is a root
}

// parents returns the assets a failure can come to name from: its direct
// dependencies, or for a redundancy group its members, and only once they
// have all failed.
func (c *correlator) parents(name string) []string {
	if members, group := c.groups[name]; group {
		if c.failed[name] != FailedGroup {
			return nil
		}
		return members
	}
	return c.g.DependsOn(name)
}

// rootOf returns the root of name: name itself when it failed and nothing
// above it did, else the first of the roots above it, or "" when
// nothing above it failed. Results are kept for every asset walked, so the
// walk over many failures shares their common ancestors.
func (c *correlator) rootOf(name string) string {
	return c.walk(name).root
}

// before orders the roots an asset may belong to: those failing on their
// own checks first, being certain, then by name.
func (c *correlator) before(a, b string) bool {
	if ownA, ownB := c.failed[a] == FailedOwn, c.failed[b] == FailedOwn; ownA != ownB {
		return ownA
	}
	return a < b
}

func (c *correlator) walk(name string) *above {
	if a, ok := c.memo[name]; ok {
		// An asset met again while being walked is on a cycle, which the inventory
		// refuses; it is taken as adding nothing rather than looping.
		return a
	}
	a := &above{}
	c.memo[name] = a
	for _, p := range c.parents(name) {
		pa := c.walk(p)
		_, failed := c.failed[p]
		if failed || pa.failed {
			a.failed = true
		}
		if pa.root != "" && (a.root == "" || c.before(pa.root, a.root)) {
			a.root = pa.root
		}
	}
	if _, failed := c.failed[name]; failed && !a.failed {
		a.root = name
	}
	return a
}

// siteProblem reports whether r is a site failing alone on its own check
// while at least one sibling site, one with checks sharing a direct
// dependency with it, is fine. Being a root, nothing it depends on failed.
func (c *correlator) siteProblem(r *RootCause) bool {
	if r.Kind != inventory.KindSite || r.Inferred || len(r.Symptoms) != 1 || r.Symptoms[0] != r.Asset {
		return false
	}
	for _, p := range c.g.DependsOn(r.Asset) {
		// r failed, so any fine site under p is a sibling.
		if c.fineSitesUnder(p) > 0 {
			return true
		}
	}
	return false
}

// fineSitesUnder counts the sites with checks depending directly on p
// that did not fail; counts are kept, many roots sharing a VM.
func (c *correlator) fineSitesUnder(p string) int {
	if n, ok := c.fine[p]; ok {
		return n
	}
	n := 0
	for _, s := range c.g.Dependents(p) {
		if _, failed := c.failed[s]; !failed && c.checked(s) && c.g.Kind(s) == inventory.KindSite {
			n++
		}
	}
	c.fine[p] = n
	return n
}
