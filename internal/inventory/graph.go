package inventory

import (
	"math/bits"
	"slices"
	"strings"
	"sync"

	"github.com/vigie/vigie/internal/store"
)

// Impact is what depends on an asset: the count of assets that depend on it
// transitively, how many of them are sites, and the sorted ids of the
// customers owning the asset or any of them.
type Impact struct {
	Asset     string   `json:"asset"`
	Assets    int      `json:"assets"`
	Sites     int      `json:"sites"`
	Customers []string `json:"customers"`
}

// Graph is the in-memory index of the dependency graph. It answers impact
// and reachability questions without touching the database, and is kept
// current by the Service after every committed change.
type Graph struct {
	mu      sync.RWMutex
	version int64
	index   map[string]int32
	nodes   []node
	free    []int32
	// Customer ids are interned: nodes refer to their owner by index.
	custIndex map[string]int32
	custIDs   []string
	// byRank lists customer indexes in id order and rank is its inverse, so
	// that impact lists customers sorted without sorting strings.
	byRank []int32
	rank   []int32
	kinds  map[string]string
	// custNames are the customers' names by id; search and custSearch
	// index the names of assets and customers, built on the first search.
	custNames  map[string]string
	search     *searchIndex
	custSearch *searchIndex
	// buildMu lets one search build the indexes while the others wait;
	// pending gathers the changes applied meanwhile, and custChanged
	// says customers changed.
	buildMu     sync.Mutex
	pending     *searchIndex
	custChanged bool
	// whileBuilding, in tests, runs between building and installing.
	whileBuilding func()
}

type node struct {
	name       string
	kind       string
	owner      int32 // -1 when the asset has no owner
	live       bool
	deps       []int32
	dependents []int32
}

// NewGraph builds the index of inv at the given inventory version.
func NewGraph(inv *Inventory, version int64) *Graph {
	g := &Graph{
		version:   version,
		index:     make(map[string]int32, len(inv.Assets)),
		nodes:     make([]node, 0, len(inv.Assets)),
		custIndex: make(map[string]int32, len(inv.Customers)),
		kinds:     map[string]string{},
		custNames: make(map[string]string, len(inv.Customers)),
	}
	for i := range inv.Customers {
		g.custNames[inv.Customers[i].ID] = inv.Customers[i].Name
	}
	for i := range inv.Assets {
		g.addNode(&inv.Assets[i])
	}
	for i := range inv.Assets {
		g.setDeps(g.index[inv.Assets[i].Name], inv.Assets[i].DependsOn)
	}
	g.rankCustomers()
	return g
}

// rankCustomers sorts the interned customer ids when new ones came in.
func (g *Graph) rankCustomers() {
	if len(g.rank) == len(g.custIDs) {
		return
	}
	g.byRank = make([]int32, len(g.custIDs))
	for i := range g.byRank {
		g.byRank[i] = int32(i)
	}
	slices.SortFunc(g.byRank, func(a, b int32) int { return strings.Compare(g.custIDs[a], g.custIDs[b]) })
	g.rank = make([]int32, len(g.custIDs))
	for r, c := range g.byRank {
		g.rank[c] = int32(r)
	}
}

// Version returns the inventory version the graph reflects.
func (g *Graph) Version() int64 {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.version
}

// Len returns the number of assets in the graph.
func (g *Graph) Len() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.index)
}

func (g *Graph) intern(kind string) string {
	if k, ok := g.kinds[kind]; ok {
		return k
	}
	g.kinds[kind] = kind
	return kind
}

func (g *Graph) customer(id string) int32 {
	if id == "" {
		return -1
	}
	if i, ok := g.custIndex[id]; ok {
		return i
	}
	i := int32(len(g.custIDs))
	g.custIDs = append(g.custIDs, id)
	g.custIndex[id] = i
	return i
}

func (g *Graph) addNode(a *Asset) int32 {
	n := node{name: a.Name, kind: g.intern(a.Kind), owner: g.customer(a.Owner), live: true}
	var i int32
	if l := len(g.free); l > 0 {
		i = g.free[l-1]
		g.free = g.free[:l-1]
		g.nodes[i] = n
	} else {
		i = int32(len(g.nodes))
		g.nodes = append(g.nodes, n)
	}
	g.index[a.Name] = i
	return i
}

// setDeps replaces the dependencies of node i, keeping dependents in step.
// Every name must already be in the graph.
func (g *Graph) setDeps(i int32, names []string) {
	for _, d := range g.nodes[i].deps {
		g.nodes[d].dependents = remove(g.nodes[d].dependents, i)
	}
	deps := make([]int32, 0, len(names))
	for _, name := range names {
		if d, ok := g.index[name]; ok {
			deps = append(deps, d)
			g.nodes[d].dependents = append(g.nodes[d].dependents, i)
		}
	}
	if len(deps) == 0 {
		deps = nil
	}
	g.nodes[i].deps = deps
}

func remove(s []int32, v int32) []int32 {
	if k := slices.Index(s, v); k >= 0 {
		s[k] = s[len(s)-1]
		s = s[:len(s)-1]
	}
	if len(s) == 0 {
		return nil
	}
	return s
}

// apply brings the graph to the state after p was committed at version.
func (g *Graph) apply(p *Plan, version int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i := range p.AddAssets {
		g.addNode(&p.AddAssets[i])
	}
	for i := range p.ChangeAssets {
		a := &p.ChangeAssets[i]
		n := &g.nodes[g.index[a.Name]]
		n.kind, n.owner = g.intern(a.Kind), g.customer(a.Owner)
	}
	for i := range p.AddAssets {
		g.setDeps(g.index[p.AddAssets[i].Name], p.AddAssets[i].DependsOn)
	}
	for i := range p.ChangeAssets {
		g.setDeps(g.index[p.ChangeAssets[i].Name], p.ChangeAssets[i].DependsOn)
	}
	for _, name := range p.RemoveAssets {
		i, ok := g.index[name]
		if !ok {
			continue
		}
		g.setDeps(i, nil)
		for _, d := range g.nodes[i].dependents {
			g.nodes[d].deps = remove(g.nodes[d].deps, i)
		}
		g.nodes[i] = node{}
		delete(g.index, name)
		g.free = append(g.free, i)
	}
	g.rankCustomers()
	g.noteSearchChanges(p)
	g.version = version
}

// Impact computes the impact of the named asset.
func (g *Graph) Impact(name string) (Impact, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	root, ok := g.index[name]
	if !ok {
		return Impact{}, store.NotFound("asset", name)
	}
	seen := newBitset(len(g.nodes))
	// Owners are marked by rank: reading the bits in order gives the ids sorted.
	owners := newBitset(len(g.custIDs))
	addOwner := func(c int32) {
		if c >= 0 {
			owners.set(g.rank[c])
		}
	}
	addOwner(g.nodes[root].owner)
	seen.set(root)
	queue := []int32{root}
	imp := Impact{Asset: name}
	for len(queue) > 0 {
		i := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, d := range g.nodes[i].dependents {
			if seen.test(d) {
				continue
			}
			seen.set(d)
			queue = append(queue, d)
			n := &g.nodes[d]
			imp.Assets++
			if n.kind == KindSite {
				imp.Sites++
			}
			addOwner(n.owner)
		}
	}
	imp.Customers = []string{}
	for w, word := range owners {
		for word != 0 {
			r := w*64 + bits.TrailingZeros64(word)
			imp.Customers = append(imp.Customers, g.custIDs[g.byRank[r]])
			word &= word - 1
		}
	}
	return imp, nil
}

// Dependents returns the sorted names of the assets that depend directly on name.
func (g *Graph) Dependents(name string) []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	i, ok := g.index[name]
	if !ok {
		return nil
	}
	out := make([]string, 0, len(g.nodes[i].dependents))
	for _, d := range g.nodes[i].dependents {
		out = append(out, g.nodes[d].name)
	}
	slices.Sort(out)
	return out
}

// DependsOn returns the names of the assets name depends on directly.
func (g *Graph) DependsOn(name string) []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	i, ok := g.index[name]
	if !ok {
		return nil
	}
	out := make([]string, 0, len(g.nodes[i].deps))
	for _, d := range g.nodes[i].deps {
		out = append(out, g.nodes[d].name)
	}
	return out
}

// PathTo returns a dependency path from one of the assets in from to the asset
// to (from[k] -> ... -> to), or nil when to cannot be reached. It is used to
// refuse an edit that would close a cycle and to name that cycle.
func (g *Graph) PathTo(from []string, to string) []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	target, ok := g.index[to]
	if !ok {
		return nil
	}
	parent := map[int32]int32{}
	var queue []int32
	for _, name := range from {
		if i, ok := g.index[name]; ok {
			if _, dup := parent[i]; !dup {
				parent[i] = -1
				queue = append(queue, i)
			}
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		if i == target {
			var path []string
			for j := i; j >= 0; j = parent[j] {
				path = append(path, g.nodes[j].name)
			}
			slices.Reverse(path)
			return path
		}
		for _, d := range g.nodes[i].deps {
			if _, ok := parent[d]; !ok {
				parent[d] = i
				queue = append(queue, d)
			}
		}
	}
	return nil
}

type bitset []uint64

func newBitset(n int) bitset       { return make(bitset, (n+63)/64) }
func (b bitset) set(i int32)       { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) test(i int32) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }
