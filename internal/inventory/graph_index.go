package inventory

import "hash/maphash"

// nameIndex finds a node by its name: an open-addressing table (linear
// probing) of node indexes, the names being the nodes' own, so that it
// costs a few bytes per node where a map[string]int32 costs some forty.
type nameIndex struct {
	// slots hold node indexes plus one; 0 is an empty slot.
	slots []int32
	n     int
	seed  maphash.Seed
}

func newNameIndex(n int) nameIndex {
	x := nameIndex{seed: maphash.MakeSeed()}
	x.slots = make([]int32, slotsFor(n))
	return x
}

// slotsFor is the table size for n names: a power of two, at most three
// quarters full.
func slotsFor(n int) int {
	size := 8
	for size*3/4 < n {
		size *= 2
	}
	return size
}

func (x *nameIndex) home(name string) int {
	return int(maphash.String(x.seed, name) & uint64(len(x.slots)-1))
}

// slot returns where name is, or the empty slot where it would go.
func (x *nameIndex) slot(nodes []node, name string) (int, bool) {
	mask := len(x.slots) - 1
	for s := x.home(name); ; s = (s + 1) & mask {
		v := x.slots[s]
		if v == 0 {
			return s, false
		}
		if nodes[v-1].name == name {
			return s, true
		}
	}
}

// get returns the node named name.
func (x *nameIndex) get(nodes []node, name string) (int32, bool) {
	s, ok := x.slot(nodes, name)
	if !ok {
		return 0, false
	}
	return x.slots[s] - 1, true
}

// put indexes node i under its name, or points the name at i when it is
// already indexed.
func (x *nameIndex) put(nodes []node, i int32) {
	if s, ok := x.slot(nodes, nodes[i].name); ok {
		x.slots[s] = i + 1
		return
	}
	if (x.n + 1) > len(x.slots)*3/4 {
		old := x.slots
		x.slots = make([]int32, len(old)*2)
		for _, v := range old {
			if v != 0 {
				s, _ := x.slot(nodes, nodes[v-1].name)
				x.slots[s] = v
			}
		}
	}
	s, _ := x.slot(nodes, nodes[i].name)
	x.slots[s] = i + 1
	x.n++
}

// del removes name, moving back the names probed past it so that no
// probe stops short of them.
func (x *nameIndex) del(nodes []node, name string) {
	s, ok := x.slot(nodes, name)
	if !ok {
		return
	}
	x.n--
	mask := len(x.slots) - 1
	for {
		x.slots[s] = 0
		j := s
		for {
			j = (j + 1) & mask
			v := x.slots[j]
			if v == 0 {
				return
			}
			// The name at j may move to s unless its home lies
			// cyclically in (s, j].
			h := x.home(nodes[v-1].name)
			if s <= j && s < h && h <= j || s > j && (s < h || h <= j) {
				continue
			}
			x.slots[s] = v
			s = j
			break
		}
	}
}

// each calls fn on every indexed node.
func (x *nameIndex) each(fn func(i int32)) {
	for _, v := range x.slots {
		if v != 0 {
			fn(v - 1)
		}
	}
}
