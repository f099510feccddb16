package keyindex

import "hash/maphash"

// Positions finds the elements of a slice by key, the key read from the
// element: each slot is an element's position plus one, 4 bytes, where a
// map[string]int32 holds the key a second time beside each position
// (some forty bytes an entry). The slice is the caller's, read through a
// pointer, so that the index sees it grow; the caller tells the index of
// every element it adds, removes or moves (Add, Delete), before the
// element's key changes. Not safe for concurrent use while it changes.
type Positions[E any] struct {
	x     Index[int32]
	elems *[]E
	key   func(*E) string
	hash  Hash[int32]
}

// NewPositions returns an index of the elements of *elems, whose key
// reads an element's key, sized to take n without growing. It indexes
// nothing yet: Add each element.
func NewPositions[E any](elems *[]E, key func(*E) string, n int) *Positions[E] {
	p := &Positions[E]{x: New[int32](n), elems: elems, key: key}
	p.hash = func(seed maphash.Seed, s int32) uint64 { return maphash.String(seed, p.keyAt(s)) }
	return p
}

func (p *Positions[E]) keyAt(slot int32) string { return p.key(&(*p.elems)[slot-1]) }

// Len is the number of positions held.
func (p *Positions[E]) Len() int { return p.x.Len() }

// Get returns the position of the element with key k.
func (p *Positions[E]) Get(k string) (int32, bool) {
	if p.x.Len() == 0 {
		return 0, false
	}
	s, ok := p.x.Find(p.x.Hash(k), func(s int32) bool { return p.keyAt(s) == k })
	return s - 1, ok
}

// Add indexes the element at position i, whose key must not be held yet.
func (p *Positions[E]) Add(i int32) { p.x.Insert(i+1, p.hash) }

// Delete takes position i out, while the element there still has the key
// it was added with; nothing when i is not held.
func (p *Positions[E]) Delete(i int32) { p.x.Delete(i+1, p.hash) }

// Append adds e at the end of the slice and indexes it; its key must not
// be held yet.
func (p *Positions[E]) Append(e E) {
	*p.elems = append(*p.elems, e)
	p.Add(int32(len(*p.elems) - 1))
}

// Remove takes the element at position i out of the slice and the index:
// the last element moves into its place, and the slice is one shorter.
func (p *Positions[E]) Remove(i int32) {
	s := *p.elems
	last := int32(len(s) - 1)
	p.Delete(i)
	if i != last {
		p.Delete(last)
		s[i] = s[last]
		p.Add(i)
	}
	var zero E
	s[last] = zero
	*p.elems = s[:last]
}
