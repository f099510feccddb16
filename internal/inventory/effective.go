package inventory

import (
	"cmp"
	"hash/maphash"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/keyindex"
)

// EffectiveSet is every check the inventory implies at one version (what
// EffectiveChecks returns), with the secrets in clear, shared by whatever
// runs or assigns the checks. It is immutable: a change of the inventory
// gives a new set that shares all but the changed part with the old one,
// so that a version costs what it changed, not the size of the inventory.
//
// The checks are kept in shards chosen by their asset's name, each sorted
// by key; a new version copies the array of shard pointers and the few
// shards it touches. The set also remembers what the last versions
// changed, for Changes.
type EffectiveSet struct {
	version int64
	shards  *[effShards]*effShard
	n       int
	// recent are the changes of the last versions, oldest first.
	recent []*effDelta
}

// effShards is the number of shards: at a million assets a shard holds
// about a thousand, which a change copies.
const effShards = 1024

// effRecent is how many versions of changes a set remembers, and
// effMaxDelta how many checks at most Changes merges, beyond which the
// whole list is as cheap.
const (
	effRecent   = 256
	effMaxDelta = 50_000
)

// effShard holds the checks of the assets of one shard, sorted by key
// (an asset's checks are among those whose key starts with ASSET/): no map
// by asset and no key strings, which a set holds for each of its checks.
type effShard struct {
	checks []*check.Check
	// byKey indexes checks by key for Get, built at its first call (the
	// result intake asks for every result, the built-in monitor never):
	// slots of an index in checks plus one, about 8 B per check where a
	// binary search over the keys cost a dozen string comparisons.
	index sync.Once
	byKey keyindex.Index[int32]
}

// keyHash is the hash of a check's key, ASSET/NAME, without building it.
func keyHash(seed maphash.Seed, c *check.Check) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	id := c.ID()
	_, _ = h.WriteString(id.Asset)
	_ = h.WriteByte('/')
	_, _ = h.WriteString(id.Name)
	return h.Sum64()
}

// isKey tells whether key is the key of c, without building it.
func isKey(c *check.Check, key string) bool {
	id := c.ID()
	return len(key) == len(id.Asset)+1+len(id.Name) && key[len(id.Asset)] == '/' &&
		strings.HasPrefix(key, id.Asset) && strings.HasSuffix(key, id.Name)
}

// get returns the shard's check of asset with key, or nil: two checks
// may share a key when an asset's name holds a slash.
func (sh *effShard) get(asset, key string) *check.Check {
	sh.index.Do(func() {
		sh.byKey = keyindex.New[int32](len(sh.checks))
		hash := func(seed maphash.Seed, v int32) uint64 { return keyHash(seed, sh.checks[v-1]) }
		for i := range sh.checks {
			sh.byKey.Insert(int32(i+1), hash)
		}
	})
	v, ok := sh.byKey.Find(sh.byKey.Hash(key), func(v int32) bool {
		c := sh.checks[v-1]
		return c.Asset == asset && isKey(c, key)
	})
	if !ok {
		return nil
	}
	return sh.checks[v-1]
}

// keyParts are the parts of a check's key, ASSET/NAME, compared without
// being joined.
type keyParts [3]string

func partsOf(c *check.Check) keyParts {
	id := c.ID()
	return keyParts{id.Asset, "/", id.Name}
}

// compareParts compares the strings x and y join into; with prefix, only
// the first len(y) bytes of x (0 when y is a prefix of x).
func compareParts(x, y keyParts, prefix bool) int {
	var xp, yp string
	i, j := 0, 0
	for {
		for xp == "" && i < len(x) {
			xp, i = x[i], i+1
		}
		for yp == "" && j < len(y) {
			yp, j = y[j], j+1
		}
		if yp == "" && prefix {
			return 0
		}
		if xp == "" || yp == "" {
			return cmp.Compare(len(xp), len(yp))
		}
		n := min(len(xp), len(yp))
		if c := strings.Compare(xp[:n], yp[:n]); c != 0 {
			return c
		}
		xp, yp = xp[n:], yp[n:]
	}
}

// compareCheckKeys compares the keys of two checks as strings.Compare
// compares their Key().
func compareCheckKeys(a, b *check.Check) int { return compareParts(partsOf(a), partsOf(b), false) }

// sortByKey sorts checks by key, without building the keys.
func sortByKey(list []*check.Check) { slices.SortFunc(list, compareCheckKeys) }

// ofAsset returns the shard's checks of asset, sorted by key, sharing the
// shard's array when they are all together.
func (sh *effShard) ofAsset(asset string) []*check.Check {
	at := keyParts{asset, "/"}
	lo := sort.Search(len(sh.checks), func(i int) bool { return compareParts(partsOf(sh.checks[i]), at, false) >= 0 })
	hi := lo
	for hi < len(sh.checks) && compareParts(partsOf(sh.checks[hi]), at, true) == 0 {
		hi++
	}
	// Keys of ASSET/... may be those of other assets of the shard whose
	// names start with ASSET/: rare.
	var out []*check.Check
	for k, c := range sh.checks[lo:hi] {
		if c.Asset != asset {
			if out == nil {
				out = slices.Clip(sh.checks[lo : lo+k])
			}
			continue
		}
		if out != nil {
			out = append(out, c)
		}
	}
	if out == nil {
		return sh.checks[lo:hi:hi]
	}
	return out
}

// effDelta is what versions (from, to] changed: the checks added or
// changed, as they are at to, and the keys removed. all means too much to
// list (a big import, a full reload).
type effDelta struct {
	from, to int64
	changed  []*check.Check
	removed  []string
	// assets are the assets written.
	assets []string
	all    bool
}

var effSeed = maphash.MakeSeed()

func shardOf(asset string) int {
	return int(maphash.String(effSeed, asset) % effShards)
}

// newEffectiveSet derives the set of inv at version.
func newEffectiveSet(inv *Inventory, version int64) *EffectiveSet {
	s := &EffectiveSet{version: version, shards: new([effShards]*effShard)}
	list := EffectiveChecks(inv)
	// The list is sorted by key: so are the shards, filled in its order,
	// each to the size counted first.
	shard := make([]uint16, len(list))
	var size [effShards]int
	for i := range list {
		k := shardOf(list[i].Asset)
		shard[i] = uint16(k)
		size[k]++
	}
	for k := range s.shards {
		s.shards[k] = &effShard{checks: make([]*check.Check, 0, size[k])}
	}
	for i := range list {
		sh := s.shards[shard[i]]
		sh.checks = append(sh.checks, &list[i])
	}
	s.n = len(list)
	return s
}

// Version is the inventory version the set reflects.
func (s *EffectiveSet) Version() int64 { return s.version }

// Len is the number of checks.
func (s *EffectiveSet) Len() int { return s.n }

// Get returns the check with key (ASSET/NAME), or nil. The check is
// shared: never modify it.
func (s *EffectiveSet) Get(key string) *check.Check {
	// An asset name may hold a slash: try each split, the last first.
	for i := strings.LastIndexByte(key, '/'); i > 0; i = strings.LastIndexByte(key[:i], '/') {
		if c := s.shards[shardOf(key[:i])].get(key[:i], key); c != nil {
			return c
		}
	}
	return nil
}

// HasAsset reports whether the asset has at least one check.
func (s *EffectiveSet) HasAsset(asset string) bool {
	return len(s.shards[shardOf(asset)].ofAsset(asset)) > 0
}

// OfAsset returns the checks of an asset, sorted by key; they are shared:
// never modify them.
func (s *EffectiveSet) OfAsset(asset string) []*check.Check {
	return slices.Clone(s.shards[shardOf(asset)].ofAsset(asset))
}

// Each calls fn on every check, in no particular order, until fn returns
// false. The checks are shared: never modify them.
func (s *EffectiveSet) Each(fn func(c *check.Check) bool) {
	for _, sh := range s.shards {
		for _, c := range sh.checks {
			if !fn(c) {
				return
			}
		}
	}
}

// Sorted returns copies of the checks for which keep returns true (every
// check when keep is nil), sorted by key.
func (s *EffectiveSet) Sorted(keep func(c *check.Check) bool) []check.Check {
	out := make([]check.Check, 0, s.n)
	s.Each(func(c *check.Check) bool {
		if keep == nil || keep(c) {
			out = append(out, *c)
		}
		return true
	})
	sortChecks(out)
	return out
}

// sortChecks sorts list by key, each key built once.
func sortChecks(list []check.Check) {
	ks := make([]keyed, len(list))
	for i := range list {
		ks[i] = keyed{key: list[i].Key(), i: int32(i)}
	}
	sortKeyed(ks)
	sorted := make([]check.Check, len(list))
	for j, k := range ks {
		sorted[j] = list[k.i]
	}
	copy(list, sorted)
}

// EffectiveChanges is what changed between two versions of the set.
type EffectiveChanges struct {
	// Changed are the checks added or changed, as they are now, sorted by
	// key; they are shared: never modify them.
	Changed []*check.Check
	// Removed are the keys of the checks gone, sorted.
	Removed []string
	// Assets are the assets written meanwhile (their checks, or their
	// dependencies, may have changed), sorted.
	Assets []string
}

// Changes lists what changed since version. ok is false when the set does
// not remember that far back (or the change was too big to list): the
// caller then takes the whole set. Since the set's own version gives no
// change.
func (s *EffectiveSet) Changes(since int64) (ch EffectiveChanges, ok bool) {
	if since == s.version {
		return EffectiveChanges{}, true
	}
	if since > s.version || len(s.recent) == 0 {
		return EffectiveChanges{}, false
	}
	// The first delta reaching past since must begin at or before it: its
	// checks, as they are at its end, then cover what since lacks.
	first := len(s.recent)
	for i, d := range s.recent {
		if d.to > since {
			first = i
			break
		}
	}
	if first == len(s.recent) || s.recent[first].from > since {
		return EffectiveChanges{}, false
	}
	state := map[string]*check.Check{}
	assets := map[string]bool{}
	for _, d := range s.recent[first:] {
		if d.all || len(state)+len(d.changed)+len(d.removed)+len(assets)+len(d.assets) > effMaxDelta {
			return EffectiveChanges{}, false
		}
		for _, c := range d.changed {
			state[c.Key()] = c
		}
		for _, k := range d.removed {
			state[k] = nil
		}
		for _, a := range d.assets {
			assets[a] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(state)) {
		if c := state[k]; c != nil {
			ch.Changed = append(ch.Changed, c)
		} else {
			ch.Removed = append(ch.Removed, k)
		}
	}
	ch.Assets = slices.Sorted(maps.Keys(assets))
	return ch, true
}

// with returns the set at version to, where the assets named in touched
// were derived again from inputs (an asset of touched missing from inputs
// is gone), as were the assets of inputs whose kind is in kinds (their
// default check changed). inputs holds those assets, their declared checks
// and every default check.
func (s *EffectiveSet) with(to int64, inputs *Inventory, touched, kinds []string) *EffectiveSet {
	derived := map[string][]check.Check{}
	for _, c := range EffectiveChecks(inputs) {
		derived[c.Asset] = append(derived[c.Asset], c)
	}
	names := map[string]bool{}
	for _, n := range touched {
		names[n] = true
	}
	if len(kinds) > 0 {
		byKind := map[string]bool{}
		for _, k := range kinds {
			byKind[k] = true
		}
		for i := range inputs.Assets {
			if byKind[inputs.Assets[i].Kind] {
				names[inputs.Assets[i].Name] = true
			}
		}
	}
	next := &EffectiveSet{version: to, n: s.n}
	shards := *s.shards
	next.shards = &shards
	// The assets changed, by shard, with their checks now.
	changed := map[int]map[string][]*check.Check{}
	d := &effDelta{from: s.version, to: to, assets: touched}
	for name := range names {
		i := shardOf(name)
		old := shards[i].ofAsset(name)
		now := make([]*check.Check, len(derived[name]))
		for j := range now {
			now[j] = &derived[name][j]
		}
		if sameChecks(old, now) {
			continue
		}
		if changed[i] == nil {
			changed[i] = map[string][]*check.Check{}
		}
		changed[i][name] = now
		next.n += len(now) - len(old)
		diffAssetChecks(d, old, now)
	}
	for i, byAsset := range changed {
		shards[i] = shards[i].replace(byAsset)
	}
	next.recent = appendDelta(s.recent, d)
	return next
}

// replace returns the shard where the assets of byAsset have the checks
// given: the others kept, merged with the new ones sorted.
func (sh *effShard) replace(byAsset map[string][]*check.Check) *effShard {
	var added []*check.Check
	for _, now := range byAsset {
		added = append(added, now...)
	}
	sortByKey(added)
	keep := func(c *check.Check) bool { _, changed := byAsset[c.Asset]; return !changed }
	n := len(added)
	for _, c := range sh.checks {
		if keep(c) {
			n++
		}
	}
	list := make([]*check.Check, 0, n)
	for _, c := range sh.checks {
		if !keep(c) {
			continue
		}
		for len(added) > 0 && compareCheckKeys(added[0], c) < 0 {
			list = append(list, added[0])
			added = added[1:]
		}
		list = append(list, c)
	}
	return &effShard{checks: append(list, added...)}
}

// reset returns a whole new set at inv's version, remembering that
// everything may have changed.
func (s *EffectiveSet) reset(inv *Inventory, version int64) *EffectiveSet {
	next := newEffectiveSet(inv, version)
	next.recent = appendDelta(s.recent, &effDelta{from: s.version, to: version, all: true})
	return next
}

func appendDelta(recent []*effDelta, d *effDelta) []*effDelta {
	if len(recent) >= effRecent {
		recent = recent[len(recent)-effRecent+1:]
	}
	out := make([]*effDelta, 0, len(recent)+1)
	return append(append(out, recent...), d)
}

func sameChecks(a, b []*check.Check) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if compareCheckKeys(a[i], b[i]) != 0 || !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// diffAssetChecks adds to d what turns an asset's old checks into its new ones.
func diffAssetChecks(d *effDelta, old, now []*check.Check) {
	prev := make(map[string]*check.Check, len(old))
	for _, c := range old {
		prev[c.Key()] = c
	}
	for _, c := range now {
		key := c.Key()
		if p, ok := prev[key]; !ok || !p.Equal(c) {
			d.changed = append(d.changed, c)
		}
		delete(prev, key)
	}
	for k := range prev {
		d.removed = append(d.removed, k)
	}
}
