package inventory

import (
	"hash/maphash"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/vigie/vigie/internal/check"
)

// EffectiveSet is every check the inventory implies at one version (what
// EffectiveChecks returns), with the secrets in clear, shared by whatever
// runs or assigns the checks. It is immutable: a change of the inventory
// gives a new set that shares all but the changed part with the old one,
// so that a version costs what it changed, not the size of the inventory.
//
// The checks are kept by asset in shards chosen by the asset's name; a new
// version copies the array of shard pointers and the few shards it
// touches. The set also remembers what the last versions changed, for
// Changes.
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

type effShard struct {
	// byAsset holds each asset's checks, sorted by key.
	byAsset map[string][]effEntry
	// sorted holds every entry of the shard sorted by key, made on first
	// need (Page): a shard never changes once published, and a new
	// version makes new shards of those it changes, which sort again.
	sortOnce sync.Once
	sorted   []effEntry
}

type effEntry struct {
	key   string
	check *check.Check
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
	for i := range s.shards {
		s.shards[i] = &effShard{byAsset: map[string][]effEntry{}}
	}
	list := EffectiveChecks(inv)
	for i := range list {
		c := &list[i]
		sh := s.shards[shardOf(c.Asset)]
		sh.byAsset[c.Asset] = append(sh.byAsset[c.Asset], effEntry{key: c.Key(), check: c})
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
		for _, e := range s.shards[shardOf(key[:i])].byAsset[key[:i]] {
			if e.key == key {
				return e.check
			}
		}
	}
	return nil
}

// HasAsset reports whether the asset has at least one check.
func (s *EffectiveSet) HasAsset(asset string) bool {
	return len(s.shards[shardOf(asset)].byAsset[asset]) > 0
}

// OfAsset returns the checks of an asset, sorted by key; they are shared:
// never modify them.
func (s *EffectiveSet) OfAsset(asset string) []*check.Check {
	list := s.shards[shardOf(asset)].byAsset[asset]
	out := make([]*check.Check, len(list))
	for i, e := range list {
		out[i] = e.check
	}
	return out
}

// Each calls fn on every check, in no particular order, until fn returns
// false. The checks are shared: never modify them.
func (s *EffectiveSet) Each(fn func(c *check.Check) bool) {
	for _, sh := range s.shards {
		for _, list := range sh.byAsset {
			for _, e := range list {
				if !fn(e.check) {
					return
				}
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
	copied := map[int]bool{}
	d := &effDelta{from: s.version, to: to, assets: touched}
	for name := range names {
		i := shardOf(name)
		old := shards[i].byAsset[name]
		now := derived[name]
		entries := make([]effEntry, len(now))
		for j := range now {
			entries[j] = effEntry{key: now[j].Key(), check: &now[j]}
		}
		if sameEntries(old, entries) {
			continue
		}
		if !copied[i] {
			shards[i] = &effShard{byAsset: maps.Clone(shards[i].byAsset)}
			copied[i] = true
		}
		if len(entries) == 0 {
			delete(shards[i].byAsset, name)
		} else {
			shards[i].byAsset[name] = entries
		}
		next.n += len(entries) - len(old)
		diffEntries(d, old, entries)
	}
	next.recent = appendDelta(s.recent, d)
	return next
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

func sameEntries(a, b []effEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].key != b[i].key || !reflect.DeepEqual(a[i].check, b[i].check) {
			return false
		}
	}
	return true
}

// diffEntries adds to d what turns an asset's old checks into its new ones.
func diffEntries(d *effDelta, old, now []effEntry) {
	prev := make(map[string]*check.Check, len(old))
	for _, e := range old {
		prev[e.key] = e.check
	}
	for _, e := range now {
		if p, ok := prev[e.key]; !ok || !reflect.DeepEqual(p, e.check) {
			d.changed = append(d.changed, e.check)
		}
		delete(prev, e.key)
	}
	for k := range prev {
		d.removed = append(d.removed, k)
	}
}
