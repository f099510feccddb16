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
	index   nameIndex
	nodes   []node
	free    []int32
	// Customer ids are interned: nodes refer to their owner by index.
	custIndex map[string]int32
	custIDs   []string
	// byRank lists customer indexes in id order and rank is its inverse, so
	// that impact lists customers sorted without sorting strings.
	byRank []int32
	rank   []int32
	// Kinds are interned too: nodes refer to theirs by index.
	kinds     map[string]int32
	kindNames []string
	// custName and custKnown are, by customer index, the names of the
	// inventory's customers (an id stays interned once its customer is
	// gone); search and custSearch index the names of assets and
	// customers, built on the first search.
	custName   []string
	custKnown  []bool
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
	name string
	// adj holds the node's dependencies, in their order, then its
	// dependents, in no order: one slice rather than two.
	adj   []int32
	ndeps int32
	owner int32 // -1 when the asset has no owner
	kind  int32 // in kindNames
	live  bool
}

func (n *node) deps() []int32       { return n.adj[:n.ndeps] }
func (n *node) dependents() []int32 { return n.adj[n.ndeps:] }

// NewGraph builds the index of inv at the given inventory version.
func NewGraph(inv *Inventory, version int64) *Graph {
	g := &Graph{
		version:   version,
		index:     newNameIndex(len(inv.Assets)),
		nodes:     make([]node, 0, len(inv.Assets)),
		custIndex: make(map[string]int32, len(inv.Customers)),
		kinds:     map[string]int32{},
	}
	for i := range inv.Customers {
		g.setCustomer(inv.Customers[i].ID, inv.Customers[i].Name)
	}
	for i := range inv.Assets {
		g.addNode(&inv.Assets[i])
	}
	if g.index.len() == len(inv.Assets) {
		g.linkAll(inv.Assets)
	} else {
		// Names given twice: each later asset replaces the one before.
		for i := range inv.Assets {
			n, _ := g.lookup(inv.Assets[i].Name)
			g.setDeps(n, inv.Assets[i].DependsOn)
		}
	}
	g.rankCustomers()
	return g
}

// linkAll sets the dependencies of the new graph's nodes, asset i being
// node i: counted first, every node's list is cut from one array, without
// the slack of growing each (further changes copy a node's list out).
func (g *Graph) linkAll(assets []Asset) {
	ndeps := make([]int32, len(g.nodes))
	size := make([]int32, len(g.nodes))
	total := 0
	for i := range assets {
		for _, name := range assets[i].DependsOn {
			if d, ok := g.lookup(name); ok {
				ndeps[i]++
				size[i]++
				size[d]++
				total += 2
			}
		}
	}
	arena := make([]int32, total)
	for i := range g.nodes {
		n := &g.nodes[i]
		if size[i] > 0 {
			n.adj = arena[:size[i]:size[i]]
			arena = arena[size[i]:]
		}
		n.ndeps = ndeps[i]
	}
	// ndeps now says where each node's next dependent goes.
	for i := range assets {
		k := 0
		for _, name := range assets[i].DependsOn {
			if d, ok := g.lookup(name); ok {
				g.nodes[i].adj[k] = d
				k++
				g.nodes[d].adj[ndeps[d]] = int32(i)
				ndeps[d]++
			}
		}
	}
}

// lookup returns the node named name.
func (g *Graph) lookup(name string) (int32, bool) { return g.index.get(g.nodes, name) }

// kindOf returns the kind of node i.
func (g *Graph) kindOf(i int32) string { return g.kindNames[g.nodes[i].kind] }

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
	return g.index.len()
}

func (g *Graph) intern(kind string) int32 {
	if k, ok := g.kinds[kind]; ok {
		return k
	}
	k := int32(len(g.kindNames))
	g.kinds[kind] = k
	g.kindNames = append(g.kindNames, kind)
	return k
}

// customer returns the index of an owner's id, -1 for none.
func (g *Graph) customer(id string) int32 {
	if id == "" {
		return -1
	}
	return g.internCustomer(id)
}

func (g *Graph) internCustomer(id string) int32 {
	if i, ok := g.custIndex[id]; ok {
		return i
	}
	i := int32(len(g.custIDs))
	g.custIDs = append(g.custIDs, id)
	g.custName = append(g.custName, "")
	g.custKnown = append(g.custKnown, false)
	g.custIndex[id] = i
	return i
}

// setCustomer records a customer of the inventory and its name.
func (g *Graph) setCustomer(id, name string) {
	c := g.internCustomer(id)
	g.custName[c], g.custKnown[c] = name, true
}

// dropCustomer forgets a customer of the inventory.
func (g *Graph) dropCustomer(id string) {
	if c, ok := g.custIndex[id]; ok {
		g.custName[c], g.custKnown[c] = "", false
	}
}

// customerName returns a customer's name and whether the inventory has it.
func (g *Graph) customerName(id string) (string, bool) {
	c, ok := g.custIndex[id]
	if !ok || !g.custKnown[c] {
		return "", false
	}
	return g.custName[c], true
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
	g.index.put(g.nodes, i)
	return i
}

// setDeps replaces the dependencies of node i, keeping dependents in step.
// Every name must already be in the graph.
func (g *Graph) setDeps(i int32, names []string) {
	for _, d := range g.nodes[i].deps() {
		g.removeDependent(d, i)
	}
	var deps []int32
	for _, name := range names {
		if d, ok := g.lookup(name); ok {
			deps = append(deps, d)
		}
	}
	n := &g.nodes[i]
	var adj []int32
	if l := len(deps) + len(n.dependents()); l > 0 {
		adj = append(append(make([]int32, 0, l), deps...), n.dependents()...)
	}
	n.adj, n.ndeps = adj, int32(len(deps))
	for _, d := range deps {
		g.nodes[d].adj = append(g.nodes[d].adj, i)
	}
}

// removeDependent takes one v out of the dependents of node d.
func (g *Graph) removeDependent(d, v int32) {
	n := &g.nodes[d]
	if k := slices.Index(n.dependents(), v); k >= 0 {
		k += int(n.ndeps)
		n.adj[k] = n.adj[len(n.adj)-1]
		n.adj = n.adj[:len(n.adj)-1]
	}
	if len(n.adj) == 0 {
		n.adj = nil
	}
}

// removeDep takes one v out of the dependencies of node d, the last
// taking its place.
func (g *Graph) removeDep(d, v int32) {
	n := &g.nodes[d]
	if k := slices.Index(n.deps(), v); k >= 0 {
		last := n.ndeps - 1
		n.adj[k] = n.adj[last]
		n.adj[last] = n.adj[len(n.adj)-1] // a dependent, moved in front of the others
		n.adj = n.adj[:len(n.adj)-1]
		n.ndeps--
	}
	if len(n.adj) == 0 {
		n.adj = nil
	}
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
		i, _ := g.lookup(a.Name)
		n := &g.nodes[i]
		n.kind, n.owner = g.intern(a.Kind), g.customer(a.Owner)
	}
	for i := range p.AddAssets {
		n, _ := g.lookup(p.AddAssets[i].Name)
		g.setDeps(n, p.AddAssets[i].DependsOn)
	}
	for i := range p.ChangeAssets {
		n, _ := g.lookup(p.ChangeAssets[i].Name)
		g.setDeps(n, p.ChangeAssets[i].DependsOn)
	}
	for _, name := range p.RemoveAssets {
		i, ok := g.lookup(name)
		if !ok {
			continue
		}
		g.setDeps(i, nil)
		for _, d := range g.nodes[i].dependents() {
			g.removeDep(d, i)
		}
		g.index.del(g.nodes, name)
		g.nodes[i] = node{}
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
	root, ok := g.lookup(name)
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
		for _, d := range g.nodes[i].dependents() {
			if seen.test(d) {
				continue
			}
			seen.set(d)
			queue = append(queue, d)
			n := &g.nodes[d]
			imp.Assets++
			if g.kindNames[n.kind] == KindSite {
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
	i, ok := g.lookup(name)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(g.nodes[i].dependents()))
	for _, d := range g.nodes[i].dependents() {
		out = append(out, g.nodes[d].name)
	}
	slices.Sort(out)
	return out
}

// DependsOn returns the names of the assets name depends on directly.
func (g *Graph) DependsOn(name string) []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	i, ok := g.lookup(name)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(g.nodes[i].deps()))
	for _, d := range g.nodes[i].deps() {
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
	target, ok := g.lookup(to)
	if !ok {
		return nil
	}
	parent := map[int32]int32{}
	var queue []int32
	for _, name := range from {
		if i, ok := g.lookup(name); ok {
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
		for _, d := range g.nodes[i].deps() {
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
