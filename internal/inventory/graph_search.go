package inventory

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"sort"
	"strings"
)

// SearchCountCap is how many matches a search counts before it stops and
// says there are more: enough to tell a precise query from a vague one.
const SearchCountCap = 1000

// AssetHit is an asset a search found.
type AssetHit struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Owner string `json:"owner,omitempty"`
	// Prefix is true when the name starts with the query.
	Prefix bool `json:"prefix"`
}

// CustomerHit is a customer whose id or name holds the query.
type CustomerHit struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SearchResult is the answer to a search: the first assets whose names
// start with the query (in name order), then those that hold it elsewhere;
// Total counts every match up to SearchCountCap, More says the count
// stopped there.
type SearchResult struct {
	Query     string        `json:"query"`
	Assets    []AssetHit    `json:"assets"`
	Total     int           `json:"total"`
	More      bool          `json:"more"`
	Customers []CustomerHit `json:"customers"`
}

// searchIndex holds the names of the graph as one buffer, lower-cased,
// sorted and separated by '\n' (prefixes by binary search), their trigrams
// (substrings), and the names added and removed since it was built. It is rebuilt, on
// the next search, once those changes grow past a fraction of it.
//
// An entry's answer is its lower-cased name, read back from the buffer,
// unless it differs (a name with capitals, a customer's id): those are
// kept aside, so that the index holds no second copy of the names.
type searchIndex struct {
	// text is "\n" + lower(name0) + "\n" + lower(name1) + "\n" …; name i
	// is text[starts[i] : starts[i+1]-1], and starts ends with len(text).
	text   []byte
	starts []int32
	// oddAt are the entries, in order, whose answer is not their text,
	// and odd those answers.
	oddAt []int32
	odd   []string
	// triKeys, triOff and tri are the trigrams of the names
	// (graph_search_tri.go).
	triKeys, triOff []uint32
	tri             []byte
	// added are the names added since (unsorted), removed those gone.
	added   []string
	removed map[string]struct{}
}

// searchEntry is one name of an index: what is searched (lower-cased)
// and what is answered.
type searchEntry struct{ lower, name string }

// assetEntries are the names to index: what is searched, lower-cased.
func assetEntries(names []string) []searchEntry {
	entries := make([]searchEntry, len(names))
	for i, n := range names {
		entries[i] = searchEntry{strings.ToLower(n), n}
	}
	return entries
}

// customerEntries index customers by id and name; the answers are ids.
func customerEntries(ids, names []string) []searchEntry {
	entries := make([]searchEntry, len(ids))
	for i, id := range ids {
		entries[i] = searchEntry{strings.ToLower(id) + "\t" + strings.ToLower(names[i]), id}
	}
	return entries
}

// buildSearch builds the missing indexes without holding the graph's lock
// (seconds at a million names: impact and writes go on meanwhile). It
// copies the names under the lock; the changes applied while it builds
// are gathered in g.pending and become the new index's first changes.
func (g *Graph) buildSearch() {
	g.buildMu.Lock()
	defer g.buildMu.Unlock()
	g.mu.Lock()
	needAssets, needCustomers := g.search == nil, g.custSearch == nil
	var names []string
	var ids, custNames []string
	if needAssets {
		names = make([]string, 0, g.index.len())
		for i := range g.nodes {
			if g.nodes[i].live {
				names = append(names, g.nodes[i].name)
			}
		}
		g.pending = &searchIndex{removed: map[string]struct{}{}}
	}
	if needCustomers {
		for c, known := range g.custKnown {
			if known {
				ids = append(ids, g.custIDs[c])
				custNames = append(custNames, g.custName[c])
			}
		}
		g.custChanged = false
	}
	g.mu.Unlock()
	var ix, cx *searchIndex
	if needAssets {
		ix = indexEntries(assetEntries(names))
	}
	if needCustomers {
		cx = indexEntries(customerEntries(ids, custNames))
	}
	if g.whileBuilding != nil {
		g.whileBuilding()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if ix != nil {
		ix.added, ix.removed = g.pending.added, g.pending.removed
		g.search, g.pending = ix, nil
	}
	if cx != nil && !g.custChanged {
		g.custSearch = cx // else built again on the next search
	}
}

func indexEntries(entries []searchEntry) *searchIndex {
	slices.SortFunc(entries, func(a, b searchEntry) int {
		return cmp.Or(strings.Compare(a.lower, b.lower), strings.Compare(a.name, b.name))
	})
	size := 1
	for _, e := range entries {
		size += len(e.lower) + 1
	}
	ix := &searchIndex{text: make([]byte, 1, size), starts: make([]int32, 0, len(entries)+1),
		removed: map[string]struct{}{}}
	ix.text[0] = '\n'
	for i, e := range entries {
		ix.starts = append(ix.starts, int32(len(ix.text)))
		ix.text = append(ix.text, e.lower...)
		ix.text = append(ix.text, '\n')
		if e.name != e.lower {
			ix.oddAt = append(ix.oddAt, int32(i))
			ix.odd = append(ix.odd, e.name)
		}
	}
	ix.starts = append(ix.starts, int32(len(ix.text)))
	ix.oddAt, ix.odd = slices.Clip(ix.oddAt), slices.Clip(ix.odd)
	ix.buildTrigrams()
	return ix
}

// stale reports whether the changes since the build are enough to rebuild.
func (ix *searchIndex) stale() bool {
	return len(ix.added)+len(ix.removed) > 1024+ix.len()/32
}

// len is the number of entries.
func (ix *searchIndex) len() int { return len(ix.starts) - 1 }

func (ix *searchIndex) lower(i int) []byte { return ix.text[ix.starts[i] : ix.starts[i+1]-1] }

// name returns the answer of entry i.
func (ix *searchIndex) name(i int) string {
	if k, odd := slices.BinarySearch(ix.oddAt, int32(i)); odd {
		return ix.odd[k]
	}
	return string(ix.lower(i))
}

// gone reports whether entry i was removed since the build.
func (ix *searchIndex) gone(i int) bool {
	if len(ix.removed) == 0 {
		return false
	}
	var ok bool
	if k, odd := slices.BinarySearch(ix.oddAt, int32(i)); odd {
		_, ok = ix.removed[ix.odd[k]]
	} else {
		_, ok = ix.removed[string(ix.lower(i))]
	}
	return ok
}

// noteChanges records what p adds and removes; g.mu is held for writing.
func (g *Graph) noteSearchChanges(p *Plan) {
	for i := range p.AddCustomers {
		g.setCustomer(p.AddCustomers[i].ID, p.AddCustomers[i].Name)
	}
	for i := range p.ChangeCustomers {
		g.setCustomer(p.ChangeCustomers[i].ID, p.ChangeCustomers[i].Name)
	}
	for _, id := range p.RemoveCustomers {
		g.dropCustomer(id)
	}
	if len(p.AddCustomers)+len(p.ChangeCustomers)+len(p.RemoveCustomers) > 0 {
		g.custSearch, g.custChanged = nil, true
	}
	ix := g.search
	if ix == nil {
		ix = g.pending // an index being built
	}
	if ix == nil {
		return
	}
	for i := range p.AddAssets {
		name := p.AddAssets[i].Name
		if _, gone := ix.removed[name]; gone {
			delete(ix.removed, name) // back in the base, where it always was
			continue
		}
		ix.added = append(ix.added, name)
	}
	for _, name := range p.RemoveAssets {
		if k := slices.Index(ix.added, name); k >= 0 {
			ix.added = slices.Delete(ix.added, k, k+1)
			continue
		}
		ix.removed[name] = struct{}{}
	}
	if ix == g.search && ix.stale() {
		g.search = nil
	}
}

// WarmSearch builds the search indexes now, if they are not built, so
// that the first search after start-up does not wait for them (seconds at
// a million assets). Searches build them anyway when needed.
func (g *Graph) WarmSearch() {
	if !g.SearchReady() {
		g.buildSearch()
	}
}

// SearchReady tells whether the search indexes are built.
func (g *Graph) SearchReady() bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.search != nil && g.custSearch != nil
}

// Search finds the assets whose names hold q, ignoring case, and the
// customers whose id or name does: at most limit of each.
func (g *Graph) Search(q string, limit int) SearchResult {
	res := SearchResult{Query: q, Assets: []AssetHit{}, Customers: []CustomerHit{}}
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" || limit <= 0 || strings.ContainsRune(q, '\n') {
		return res
	}
	g.mu.RLock()
	for g.search == nil || g.custSearch == nil {
		g.mu.RUnlock()
		g.buildSearch()
		g.mu.RLock()
	}
	defer g.mu.RUnlock()
	names, total, more := g.search.find(q, limit)
	res.Total, res.More = total, more
	for _, name := range names {
		hit := AssetHit{Name: name, Prefix: strings.HasPrefix(strings.ToLower(name), q)}
		if i, ok := g.lookup(name); ok {
			hit.Kind = g.kindOf(i)
			if o := g.nodes[i].owner; o >= 0 {
				hit.Owner = g.custIDs[o]
			}
		}
		res.Assets = append(res.Assets, hit)
	}
	res.Customers = g.searchCustomers(q, limit)
	return res
}

// find returns the first limit names holding q (prefix matches first, each
// group in name order), how many match up to SearchCountCap, and whether
// there are more. The scan stops once it has both the names to show and
// the count.
func (ix *searchIndex) find(q string, limit int) (names []string, total int, more bool) {
	needle := []byte(q)
	count := func() {
		if total < SearchCountCap {
			total++
		} else {
			more = true
		}
	}
	// The names added since the build: few, checked one by one.
	var addedPrefix, addedInside []string
	for _, name := range ix.added {
		l := strings.ToLower(name)
		switch {
		case strings.HasPrefix(l, q):
			addedPrefix = append(addedPrefix, name)
		case strings.Contains(l, q):
			addedInside = append(addedInside, name)
		default:
			continue
		}
		count()
	}
	var prefix, inside []string
	// Names starting with q form one run of the sorted buffer.
	lo := sort.Search(ix.len(), func(i int) bool {
		name := ix.lower(i)
		return bytes.Compare(name[:min(len(name), len(needle))], needle) >= 0
	})
	hi := lo
	for ; hi < ix.len() && bytes.HasPrefix(ix.lower(hi), needle); hi++ {
		if len(prefix) >= limit && more {
			break
		}
		if ix.gone(hi) {
			continue
		}
		if len(prefix) < limit {
			prefix = append(prefix, ix.name(hi))
		}
		count()
	}
	// Elsewhere in the names.
	if len(prefix) < limit || !more {
		ix.holding(needle, lo, hi, func(e int) bool {
			if ix.gone(e) {
				return true
			}
			if len(prefix)+len(inside) < limit {
				inside = append(inside, ix.name(e))
			}
			count()
			return len(prefix)+len(inside) < limit || !more
		})
	}
	if len(ix.added) > 0 {
		byLower := func(a, b string) int {
			return cmp.Or(strings.Compare(strings.ToLower(a), strings.ToLower(b)), strings.Compare(a, b))
		}
		prefix = append(prefix, addedPrefix...)
		inside = append(inside, addedInside...)
		slices.SortFunc(prefix, byLower)
		slices.SortFunc(inside, byLower)
	}
	names = append(prefix, inside...)
	return names[:min(len(names), limit)], total, more
}

// entryAt returns the entry holding byte pos of the buffer, searching from
// entry from on: hits come in increasing order, often close together, so
// it gallops forward before a binary search.
func (ix *searchIndex) entryAt(pos, from int) int {
	n := ix.len()
	lo, hi, step := from, from+1, 1
	for hi < n && int(ix.starts[hi]) <= pos {
		lo = hi
		hi += step
		step *= 2
	}
	hi = min(hi, n)
	// The last entry in [lo, hi) starting at or before pos.
	return lo + sort.Search(hi-lo, func(j int) bool { return int(ix.starts[lo+j]) > pos }) - 1
}

// searchCustomers returns the first limit customers whose id or name
// holds q (lower-cased), those whose id starts with it first; g.mu is held.
func (g *Graph) searchCustomers(q string, limit int) []CustomerHit {
	ids, _, _ := g.custSearch.find(q, limit)
	out := make([]CustomerHit, len(ids))
	for i, id := range ids {
		name, _ := g.customerName(id)
		out[i] = CustomerHit{ID: id, Name: name}
	}
	return out
}

// Search finds assets and customers by name in the in-memory graph.
func (s *Service) Search(ctx context.Context, q string, limit int) (SearchResult, error) {
	if err := s.LoadGraph(ctx); err != nil {
		return SearchResult{}, err
	}
	return s.Graph().Search(q, limit), nil
}
