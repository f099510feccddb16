package probe

import (
	"hash/maphash"
	"iter"
)

// entryIndex finds the scheduler's entries by key: an open-addressing
// table of entry pointers with linear probing, the key read from the entry
// itself. A map[string]*entry held the key a second time beside each
// pointer and cost about 77 bytes an entry; this costs 8 per slot, at
// most three quarters full (10 to 16 bytes an entry). Like a map it never
// shrinks. The zero value is empty and ready.
type entryIndex struct {
	slots []*entry // nil is free; the length is a power of two
	n     int
	seed  maphash.Seed
}

// minIndexSlots is the size of the table once it holds an entry.
const minIndexSlots = 16

func (x *entryIndex) len() int { return x.n }

// home is where the probe for key starts.
func (x *entryIndex) home(key string) int {
	return int(maphash.String(x.seed, key) & uint64(len(x.slots)-1))
}

// get returns the entry with key, or nil.
func (x *entryIndex) get(key string) *entry {
	if x.n == 0 {
		return nil
	}
	mask := len(x.slots) - 1
	for i := x.home(key); ; i = (i + 1) & mask {
		e := x.slots[i]
		if e == nil || e.key == key {
			return e
		}
	}
}

// put adds e, whose key must not be in the index yet.
func (x *entryIndex) put(e *entry) {
	if (x.n+1)*4 > len(x.slots)*3 {
		x.grow()
	}
	x.place(e)
	x.n++
}

// place puts e in the first free slot from its home.
func (x *entryIndex) place(e *entry) {
	mask := len(x.slots) - 1
	i := x.home(e.key)
	for x.slots[i] != nil {
		i = (i + 1) & mask
	}
	x.slots[i] = e
}

// grow doubles the table, or makes the first one.
func (x *entryIndex) grow() {
	old := x.slots
	if len(old) == 0 {
		x.seed = maphash.MakeSeed()
	}
	x.slots = make([]*entry, max(2*len(old), minIndexSlots))
	for _, e := range old {
		if e != nil {
			x.place(e)
		}
	}
}

// delete takes e out; it does nothing when e is not in the index.
func (x *entryIndex) delete(e *entry) {
	if x.n == 0 {
		return
	}
	mask := len(x.slots) - 1
	i := x.home(e.key)
	for x.slots[i] != e {
		if x.slots[i] == nil {
			return
		}
		i = (i + 1) & mask
	}
	x.slots[i] = nil
	x.n--
	// Shift back the entries after the hole that could not sit in it,
	// so that no probe meets a free slot before its entry: no tombstones.
	hole := i
	for j := (i + 1) & mask; x.slots[j] != nil; j = (j + 1) & mask {
		h := x.home(x.slots[j].key)
		// The entry at j stays unless its home lies cyclically in (hole, j].
		if (j > hole && (h <= hole || h > j)) || (j < hole && h <= hole && h > j) {
			x.slots[hole], x.slots[j] = x.slots[j], nil
			hole = j
		}
	}
}

// all yields every entry, in no particular order. The index must not
// change meanwhile.
func (x *entryIndex) all() iter.Seq[*entry] {
	return func(yield func(*entry) bool) {
		for _, e := range x.slots {
			if e != nil && !yield(e) {
				return
			}
		}
	}
}
