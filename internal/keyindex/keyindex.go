// Package keyindex is a hash index whose keys live in what it indexes:
// an open-addressing table (linear probing, no tombstones) of slots, each
// a value whose key the caller reads from it. Where a map[string]V holds
// each key a second time beside its value (some forty bytes an entry), a
// slot costs its own size, at most three quarters full.
package keyindex

import (
	"hash/maphash"
	"iter"
)

// Index holds slots of S; the zero S is a free slot, so S must never be
// stored as zero (an index into a slice is stored plus one). The zero
// Index is empty and ready. It never shrinks, and is not safe for
// concurrent use while it changes.
type Index[S comparable] struct {
	slots []S // the length is a power of two, or zero
	n     int
	seed  maphash.Seed
}

// Hash is how a caller hashes the key of a slot: with the index's seed,
// the same hash as maphash.String(seed, key).
type Hash[S comparable] func(seed maphash.Seed, s S) uint64

// New returns an index sized to take n slots without growing.
func New[S comparable](n int) Index[S] {
	x := Index[S]{seed: maphash.MakeSeed()}
	if n > 0 {
		x.slots = make([]S, sizeFor(n))
	}
	return x
}

// sizeFor is the table size for n slots: a power of two, at most three
// quarters full, at least 8.
func sizeFor(n int) int {
	size := 8
	for size*3/4 < n {
		size *= 2
	}
	return size
}

// Len is the number of slots held.
func (x *Index[S]) Len() int { return x.n }

// Find returns the slot whose key hashes to h and that match accepts.
func (x *Index[S]) Find(h uint64, match func(S) bool) (S, bool) {
	var zero S
	if x.n == 0 {
		return zero, false
	}
	mask := uint64(len(x.slots) - 1)
	for i := h & mask; x.slots[i] != zero; i = (i + 1) & mask {
		if match(x.slots[i]) {
			return x.slots[i], true
		}
	}
	return zero, false
}

// Hash is the hash of key k for Find: maphash.String with the index's
// seed.
func (x *Index[S]) Hash(k string) uint64 { return maphash.String(x.seed, k) }

// Get returns the slot with key k, key reading a slot's key.
func (x *Index[S]) Get(k string, key func(S) string) (S, bool) {
	if x.n == 0 {
		var zero S
		return zero, false
	}
	return x.Find(x.Hash(k), func(s S) bool { return key(s) == k })
}

// Insert adds s without looking for a slot of the same key (Put does):
// slots sharing a key are all kept, for Find's match to tell apart.
func (x *Index[S]) Insert(s S, hash Hash[S]) {
	if (x.n+1)*4 > len(x.slots)*3 {
		x.grow(hash)
	}
	x.place(s, hash)
	x.n++
}

// Put adds s, or puts it in the slot of the key it shares with another.
func (x *Index[S]) Put(s S, key func(S) string) {
	var zero S
	if x.n > 0 {
		k := key(s)
		mask := uint64(len(x.slots) - 1)
		for i := maphash.String(x.seed, k) & mask; x.slots[i] != zero; i = (i + 1) & mask {
			if key(x.slots[i]) == k {
				x.slots[i] = s
				return
			}
		}
	}
	x.Insert(s, ByKey(key))
}

// ByKey is the Hash of slots whose key reads as a string.
func ByKey[S comparable](key func(S) string) Hash[S] {
	return func(seed maphash.Seed, s S) uint64 { return maphash.String(seed, key(s)) }
}

func (x *Index[S]) place(s S, hash Hash[S]) {
	var zero S
	mask := uint64(len(x.slots) - 1)
	i := hash(x.seed, s) & mask
	for x.slots[i] != zero {
		i = (i + 1) & mask
	}
	x.slots[i] = s
}

// grow doubles the table, or makes the first one.
func (x *Index[S]) grow(hash Hash[S]) {
	var zero S
	old := x.slots
	if len(old) == 0 && x.seed == (maphash.Seed{}) {
		x.seed = maphash.MakeSeed()
	}
	x.slots = make([]S, max(2*len(old), 8))
	for _, s := range old {
		if s != zero {
			x.place(s, hash)
		}
	}
}

// Delete takes out the slot equal to s; nothing when there is none.
func (x *Index[S]) Delete(s S, hash Hash[S]) {
	var zero S
	if x.n == 0 || s == zero {
		return
	}
	mask := uint64(len(x.slots) - 1)
	i := hash(x.seed, s) & mask
	for x.slots[i] != s {
		if x.slots[i] == zero {
			return
		}
		i = (i + 1) & mask
	}
	x.slots[i] = zero
	x.n--
	// Move back the slots after the hole that a probe could no longer
	// reach past it: those whose home is not cyclically in (hole, j].
	hole := i
	for j := (i + 1) & mask; x.slots[j] != zero; j = (j + 1) & mask {
		h := hash(x.seed, x.slots[j]) & mask
		if (j > hole && (h <= hole || h > j)) || (j < hole && h <= hole && h > j) {
			x.slots[hole], x.slots[j] = x.slots[j], zero
			hole = j
		}
	}
}

// All yields every slot, in no particular order. The index must not
// change meanwhile.
func (x *Index[S]) All() iter.Seq[S] {
	return func(yield func(S) bool) {
		var zero S
		for _, s := range x.slots {
			if s != zero && !yield(s) {
				return
			}
		}
	}
}
