package probe

import (
	"iter"

	"github.com/vigie/vigie/internal/keyindex"
)

// entryIndex finds the scheduler's entries by key, the key read from the
// entry itself: a map[string]*entry held the key a second time beside
// each pointer (about 77 bytes an entry), this 10 to 16. The zero value is
// empty and ready.
type entryIndex struct {
	x keyindex.Index[*entry]
}

func entryKey(e *entry) string { return e.key }

var entryHash = keyindex.ByKey(entryKey)

func (x *entryIndex) len() int { return x.x.Len() }

// get returns the entry with key, or nil.
func (x *entryIndex) get(key string) *entry {
	e, _ := x.x.Get(key, entryKey)
	return e
}

// put adds e, whose key must not be in the index yet.
func (x *entryIndex) put(e *entry) { x.x.Insert(e, entryHash) }

// delete takes e out; it does nothing when e is not in the index.
func (x *entryIndex) delete(e *entry) { x.x.Delete(e, entryHash) }

// all yields every entry, in no particular order. The index must not
// change meanwhile.
func (x *entryIndex) all() iter.Seq[*entry] { return x.x.All() }
