package incident

import (
	"slices"

	"github.com/vigie/vigie/internal/inventory"
)

// DefaultInferThreshold is how many checked direct dependents must be down,
// all of them, before an asset is inferred failed.
const DefaultInferThreshold = 2

// DependencyGraph is what correlation asks of the dependency graph; *inventory.Graph
// implements it.
type DependencyGraph interface {
	// DependsOn returns the names of the assets name depends on directly.
	DependsOn(name string) []string
	// Dependents returns the names of the assets that depend directly on name.
	Dependents(name string) []string
	// Kind returns the kind of the named asset, or "" when there is none.
	Kind(name string) string
}

var _ DependencyGraph = (*inventory.Graph)(nil)

// CorrelateOptions tune correlation; the zero value is the default.
type CorrelateOptions struct {
	// InferThreshold is the least number of checked direct dependents, all
	// down, that make an asset inferred failed: 0 means
	// DefaultInferThreshold and a negative value turns inference off.
	InferThreshold int
	// Groups maps the name of a redundancy group to its members. A group
	// is an asset of the graph that others depend on; it fails only when
	// every one of its members has failed, and a failure passes through it
	// to its dependents only then.
	Groups map[string][]string
}

func (o CorrelateOptions) threshold() int {
	if o.InferThreshold == 0 {
		return DefaultInferThreshold
	}
	return o.InferThreshold
}

// Failure says why correlation counts an asset as failed.
type Failure string

// The causes of a failure.
const (
	FailedOwn      Failure = "own"      // one of its own checks is down
	FailedInferred Failure = "inferred" // all of its checked direct dependents are down
	FailedGroup    Failure = "group"    // it is a redundancy group and all its members failed
)

// RootCause is one root cause: a failed asset with no failed ancestor, and the
// down assets it explains.
type RootCause struct {
	Asset string `json:"asset"`
	Kind  string `json:"kind"`
	// Inferred is true when the root has no failing check of its own.
	Inferred bool `json:"inferred"`
	// Symptoms are the sorted down assets the root explains: itself when
	// its own check is down, and down assets that depend on it.
	Symptoms []string `json:"symptoms"`
	// SiteProblem is true for a site failing alone while what it depends
	// on and at least one sibling site sharing it are fine: a matter for
	// its owner, not an outage of the host.
	SiteProblem bool `json:"site_problem"`
}

// Correlation is the outcome of correlating a set of failures.
type Correlation struct {
	// Failed holds every failed asset and why.
	Failed map[string]Failure
	// Scope maps every failed asset to the root it belongs to.
	Scope map[string]string
	// Roots are the root causes, sorted by asset name. A failed asset with
	// no failed ancestor is one unless it is inferred and every down asset
	// below it went to another root.
	Roots []RootCause
}

// Correlate finds the root causes of the assets whose own checks are down.
// checked holds the assets that have at least one check; down those whose
// own checks are down. A down asset belongs to exactly one root: the root
// itself or a failed transitive dependency of it with no failed ancestor.
// When several roots are above an asset, one failing on its own checks is
// preferred, then the first by name.
// Correlate reads g and its arguments only and always gives the same
// result for the same input.
func Correlate(g DependencyGraph, checked, down map[string]bool, opt CorrelateOptions) Correlation {
	return CorrelateWith(g, func(asset string) bool { return checked[asset] }, down, opt)
}

// CorrelateWith is Correlate with the assets that have checks told by a
// function, such as the inventory's effective set answers, rather than
// listed in a map.
func CorrelateWith(g DependencyGraph, checked func(asset string) bool, down map[string]bool, opt CorrelateOptions) Correlation {
	c := &correlator{
		g:       g,
		checked: checked,
		down:    down,
		own:     map[string]bool{},
		fine:    map[string]int{},
		groups:  opt.Groups,
		failed:  make(map[string]Failure, len(down)),
	}
	for name := range down {
		c.failed[name] = FailedOwn
	}
	if t := opt.threshold(); t > 0 {
		c.infer(sortedNames(down), t)
	}
	c.failGroups()
	return c.result(down)
}

// correlator is the working state of one Correlate call.
type correlator struct {
	g       DependencyGraph
	checked func(asset string) bool
	down    map[string]bool
	own     map[string]bool // memo of ownAbove
	fine    map[string]int  // memo of fineSitesUnder
	groups  map[string][]string
	failed  map[string]Failure
	memo    map[string]*above
}

// result assigns every failed asset to its root and describes the roots.
func (c *correlator) result(down map[string]bool) Correlation {
	res := Correlation{Failed: c.failed, Scope: make(map[string]string, len(c.failed))}
	c.memo = make(map[string]*above, len(c.failed))
	byRoot := map[string]*RootCause{}
	for _, name := range sortedNames(c.failed) {
		root := c.rootOf(name)
		res.Scope[name] = root
		r := byRoot[root]
		if r == nil {
			r = &RootCause{Asset: root, Kind: c.g.Kind(root), Inferred: c.failed[root] != FailedOwn, Symptoms: []string{}}
			byRoot[root] = r
		}
		if down[name] {
			// Names come sorted, so symptoms are too.
			r.Symptoms = append(r.Symptoms, name)
		}
	}
	res.Roots = make([]RootCause, 0, len(byRoot))
	for _, root := range sortedNames(byRoot) {
		r := byRoot[root]
		if len(r.Symptoms) == 0 {
			// An inferred candidate whose evidence all went to another
			// root has nothing to say.
			continue
		}
		r.SiteProblem = c.siteProblem(r)
		res.Roots = append(res.Roots, *r)
	}
	return res
}

func sortedNames[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
