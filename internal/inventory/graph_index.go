package inventory

import (
	"hash/maphash"

	"github.com/vigie/vigie/internal/keyindex"
)

// nameIndex finds a node by its name, the names being the nodes' own: a
// few bytes per node where a map[string]int32 costs some forty. Its slots
// hold node indexes plus one (0 is a free slot).
type nameIndex struct {
	x keyindex.Index[int32]
}

func newNameIndex(n int) nameIndex { return nameIndex{x: keyindex.New[int32](n)} }

// nameOf reads the name of a slot in nodes.
func nameOf(nodes []node) func(int32) string {
	return func(v int32) string { return nodes[v-1].name }
}

func hashOf(nodes []node) keyindex.Hash[int32] {
	return func(seed maphash.Seed, v int32) uint64 { return maphash.String(seed, nodes[v-1].name) }
}

// get returns the node named name.
func (x *nameIndex) get(nodes []node, name string) (int32, bool) {
	v, ok := x.x.Get(name, nameOf(nodes))
	if !ok {
		return 0, false
	}
	return v - 1, true
}

// put indexes node i under its name, or points the name at i when it is
// already indexed.
func (x *nameIndex) put(nodes []node, i int32) { x.x.Put(i+1, nameOf(nodes)) }

// del removes name.
func (x *nameIndex) del(nodes []node, name string) {
	if v, ok := x.x.Get(name, nameOf(nodes)); ok {
		x.x.Delete(v, hashOf(nodes))
	}
}

// len is the number of names indexed.
func (x *nameIndex) len() int { return x.x.Len() }

// each calls fn on every indexed node.
func (x *nameIndex) each(fn func(i int32)) {
	for v := range x.x.All() {
		fn(v - 1)
	}
}
