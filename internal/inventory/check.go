package inventory

import (
	"fmt"
	"slices"
	"strings"
)

// entrySource says where an entry of the desired inventory comes from: entry i
// of document doc, or of the base inventory when doc is fromBase.
type entrySource struct {
	doc int32
	i   int32
}

const fromBase = -1

// checker merges documents over a base inventory and checks the result.
type checker struct {
	base      *Inventory
	docs      []*Document
	ps        Problems
	customers map[string]int32 // id → index in custSrc
	custSrc   []entrySource
	assets    map[string]int32 // name → index in assetSrc
	assetSrc  []entrySource
	// dupAssets are document entries with the name of an earlier one.
	dupAssets []entrySource
}

// Check validates documents together against the current inventory base
// (nil means empty) and returns the desired complete inventory after the
// import: with prune false, base merged with the documents (document entries
// replace base entries of the same id or name); with prune true, only what
// the documents list. Customers are sorted by ID, assets by Name, and each
// asset's DependsOn is sorted; public components follow the documents'
// order (see mergeComponents).
//
// Check first normalises and checks every entry as Parse does, so documents
// built by hand meet the same rules; then it reports duplicates across
// documents, unknown owners and dependencies, and dependency cycles. When
// anything is wrong it returns every problem at once, sorted, and a nil
// inventory. Nil documents are skipped. As the field checks are repeated,
// a caller showing the problems of both Parse and Check shows those twice:
// it reports Parse's problems and stops, or calls Check alone.
func Check(base *Inventory, prune bool, docs ...*Document) (*Inventory, Problems) {
	if base == nil || prune {
		base = &Inventory{}
	}
	c := &checker{base: base, docs: docs}
	c.validate()
	c.mergeCustomers()
	c.mergeAssets()
	g := c.resolve()
	c.checkCycles(g)
	checks, defaults := c.mergeChecks()
	rules := c.mergeRules()
	components := c.mergeComponents()
	if len(c.ps) > 0 {
		c.ps.Sort()
		return nil, c.ps
	}
	inv := c.desired()
	inv.Checks, inv.CheckDefaults, inv.Rules, inv.Components = checks, defaults, rules, components
	return inv, nil
}

// entryFile is the file of an entry, or of its document when not set.
func entryFile(entryFile string, d *Document) string {
	if entryFile != "" {
		return entryFile
	}
	return d.File
}

func (c *checker) validate() {
	for _, d := range c.docs {
		if d == nil {
			continue
		}
		for i := range d.Customers {
			e := &d.Customers[i]
			validateCustomerEntry(e, entryFile(e.File, d), 0, &c.ps)
		}
		for i := range d.Assets {
			e := &d.Assets[i]
			validateAssetEntry(e, entryFile(e.File, d), 0, &c.ps)
		}
	}
}

// placeString returns "file:line", or the file alone when the line is not
// known.
func placeString(file string, line int) string {
	if line < 1 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, line)
}

func (c *checker) mergeCustomers() {
	n := len(c.base.Customers)
	for _, d := range c.docs {
		if d != nil {
			n += len(d.Customers)
		}
	}
	c.customers = make(map[string]int32, n)
	c.custSrc = make([]entrySource, 0, n)
	for i := range c.base.Customers {
		c.customers[c.base.Customers[i].ID] = int32(len(c.custSrc))
		c.custSrc = append(c.custSrc, entrySource{doc: fromBase, i: int32(i)})
	}
	for di, d := range c.docs {
		if d == nil {
			continue
		}
		for i := range d.Customers {
			e := &d.Customers[i]
			if e.ID == "" {
				continue // reported by validate
			}
			src := entrySource{doc: int32(di), i: int32(i)}
			j, ok := c.customers[e.ID]
			switch {
			case !ok:
				c.customers[e.ID] = int32(len(c.custSrc))
				c.custSrc = append(c.custSrc, src)
			case c.custSrc[j].doc == fromBase:
				c.custSrc[j] = src
			default:
				first := c.customerEntry(c.custSrc[j])
				c.ps.add(entryFile(e.File, d), e.Lines.Of(FieldID), "duplicate customer %q (also at %s)",
					e.ID, placeString(entryFile(first.File, c.docs[c.custSrc[j].doc]), first.Lines.Of(FieldID)))
			}
		}
	}
}

func (c *checker) mergeAssets() {
	n := len(c.base.Assets)
	for _, d := range c.docs {
		if d != nil {
			n += len(d.Assets)
		}
	}
	c.assets = make(map[string]int32, n)
	c.assetSrc = make([]entrySource, 0, n)
	for i := range c.base.Assets {
		c.assets[c.base.Assets[i].Name] = int32(len(c.assetSrc))
		c.assetSrc = append(c.assetSrc, entrySource{doc: fromBase, i: int32(i)})
	}
	for di, d := range c.docs {
		if d == nil {
			continue
		}
		for i := range d.Assets {
			e := &d.Assets[i]
			if e.Name == "" {
				continue // reported by validate
			}
			src := entrySource{doc: int32(di), i: int32(i)}
			j, ok := c.assets[e.Name]
			switch {
			case !ok:
				c.assets[e.Name] = int32(len(c.assetSrc))
				c.assetSrc = append(c.assetSrc, src)
			case c.assetSrc[j].doc == fromBase:
				c.assetSrc[j] = src
			default:
				c.dupAssets = append(c.dupAssets, src)
				first := c.assetEntry(c.assetSrc[j])
				c.ps.add(entryFile(e.File, d), e.Lines.Of(FieldName), "duplicate asset %q (also at %s)",
					e.Name, placeString(entryFile(first.File, c.docs[c.assetSrc[j].doc]), first.Lines.Of(FieldName)))
			}
		}
	}
}

func (c *checker) customerEntry(s entrySource) *CustomerEntry {
	return &c.docs[s.doc].Customers[s.i]
}

func (c *checker) customer(s entrySource) *Customer {
	if s.doc == fromBase {
		return &c.base.Customers[s.i]
	}
	return &c.customerEntry(s).Customer
}

// assetEntry returns the document entry of s, or nil when s is in the base.
func (c *checker) assetEntry(s entrySource) *AssetEntry {
	if s.doc == fromBase {
		return nil
	}
	return &c.docs[s.doc].Assets[s.i]
}

func (c *checker) asset(s entrySource) *Asset {
	if s.doc == fromBase {
		return &c.base.Assets[s.i]
	}
	return &c.docs[s.doc].Assets[s.i].Asset
}

// resolve builds the dependency graph of the desired assets, reporting the
// owners and dependencies that document entries name but the desired
// inventory lacks. Base entries need no check: with prune false nothing is
// removed, and with prune true the base is not used.
func (c *checker) resolve() depGraph {
	g := depGraph{
		offsets: make([]int32, len(c.assetSrc)+1),
		targets: make([]int32, 0, 2*len(c.assetSrc)),
	}
	for v, s := range c.assetSrc {
		g.targets = c.refs(s, int32(v), g.targets)
		g.offsets[v+1] = int32(len(g.targets))
	}
	for _, s := range c.dupAssets {
		c.refs(s, -1, nil)
	}
	return g
}

// refs reports the unknown owner and dependencies of the asset from s when
// it is a document entry and, when it is node self of the graph, appends to
// targets the nodes it depends on.
func (c *checker) refs(s entrySource, self int32, targets []int32) []int32 {
	a := c.asset(s)
	e := c.assetEntry(s)
	var file string
	if e != nil {
		file = entryFile(e.File, c.docs[s.doc])
		if _, ok := c.customers[a.Owner]; !ok && a.Owner != "" {
			c.ps.add(file, e.Lines.Of(FieldOwner), "owner: unknown customer %q", a.Owner)
		}
	}
	for k, dep := range a.DependsOn {
		w, ok := c.assets[dep]
		switch {
		case ok && self >= 0 && w != self: // a self-dependency is reported by validate
			targets = append(targets, w)
		case !ok && e != nil && dep != "": // an empty one too
			c.ps.add(file, e.itemLine(FieldDependsOn, k), "depends_on: unknown asset %q", dep)
		}
	}
	return targets
}

// keyed is an entry's id or name with its index, sorted instead of the
// entries themselves: moving a few bytes is much cheaper.
type keyed struct {
	key string
	i   int32
}

func sortKeyed(ks []keyed) {
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
}

// desired builds the inventory after the import, sorted.
func (c *checker) desired() *Inventory {
	inv := &Inventory{
		Customers: make([]Customer, len(c.custSrc)),
		Assets:    make([]Asset, len(c.assetSrc)),
	}
	ks := make([]keyed, len(c.custSrc), max(len(c.custSrc), len(c.assetSrc)))
	for j, s := range c.custSrc {
		ks[j] = keyed{key: c.customer(s).ID, i: int32(j)}
	}
	sortKeyed(ks)
	for j, k := range ks {
		inv.Customers[j] = *c.customer(c.custSrc[k.i])
	}
	ks = ks[:len(c.assetSrc)]
	for j, s := range c.assetSrc {
		ks[j] = keyed{key: c.asset(s).Name, i: int32(j)}
	}
	sortKeyed(ks)
	for j, k := range ks {
		a := *c.asset(c.assetSrc[k.i])
		switch {
		case len(a.DependsOn) == 0:
			a.DependsOn = nil
		case !slices.IsSorted(a.DependsOn):
			// A copy, so the document keeps its order and DependsOnLines
			// still match.
			a.DependsOn = slices.Clone(a.DependsOn)
			slices.Sort(a.DependsOn)
		}
		if len(a.Labels) == 0 {
			a.Labels = nil
		}
		inv.Assets[j] = a
	}
	return inv
}
