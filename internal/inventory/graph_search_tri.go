package inventory

import "bytes"

// Trigrams: for every three consecutive bytes of the lower-cased names,
// the entries holding them, in name order (one flat array, cut per
// trigram by triStart). A substring search reads the shortest list of its
// trigrams and checks those names only, rather than the whole buffer.

// triBits is the width of one byte's code in a trigram key: the bytes of
// asset names (lower-cased letters, digits, ". _ : @ / -") have codes of
// their own; every other byte shares the last code, which keeps lists a
// superset of the names to check.
const triBits = 6

var triCode = func() (t [256]uint32) {
	for i := range t {
		t[i] = 1<<triBits - 1
	}
	next := uint32(0)
	for _, c := range []byte("abcdefghijklmnopqrstuvwxyz0123456789._:@/-") {
		t[c] = next
		next++
	}
	return t
}()

func triKey(b []byte) uint32 {
	return triCode[b[0]]<<(2*triBits) | triCode[b[1]]<<triBits | triCode[b[2]]
}

// buildTrigrams fills ix.tri and ix.triStart, counting first so that the
// lists live in one array.
func (ix *searchIndex) buildTrigrams() {
	const keys = 1 << (3 * triBits)
	ix.triStart = make([]int32, keys+1)
	last := make([]int32, keys) // the last entry counted per key, plus one
	each := func(visit func(key uint32, e int32)) {
		for e := range ix.names {
			name := ix.lower(e)
			for i := 0; i+3 <= len(name); i++ {
				if k := triKey(name[i:]); last[k] != int32(e)+1 {
					last[k] = int32(e) + 1
					visit(k, int32(e))
				}
			}
		}
	}
	each(func(k uint32, _ int32) { ix.triStart[k+1]++ })
	for k := range keys {
		ix.triStart[k+1] += ix.triStart[k]
	}
	ix.tri = make([]int32, ix.triStart[keys])
	clear(last)
	fill := make([]int32, keys)
	copy(fill, ix.triStart[:keys])
	each(func(k uint32, e int32) {
		ix.tri[fill[k]] = e
		fill[k]++
	})
}

// candidates returns the entries that may hold needle (three bytes or
// more): the shortest list among its trigrams.
func (ix *searchIndex) candidates(needle []byte) []int32 {
	var best []int32
	for i := 0; i+3 <= len(needle); i++ {
		k := triKey(needle[i:])
		list := ix.tri[ix.triStart[k]:ix.triStart[k+1]]
		if best == nil || len(list) < len(best) {
			best = list
		}
		if len(best) == 0 {
			break
		}
	}
	return best
}

// holding calls visit with each entry outside [lo, hi) whose name holds
// needle, in name order, until visit returns false.
func (ix *searchIndex) holding(needle []byte, lo, hi int, visit func(e int) bool) {
	if len(needle) >= 3 {
		for _, e := range ix.candidates(needle) {
			if int(e) >= lo && int(e) < hi || !bytes.Contains(ix.lower(int(e)), needle) {
				continue
			}
			if !visit(int(e)) {
				return
			}
		}
		return
	}
	// Shorter needles match most names: one pass over the buffer, one hit
	// per name, skipping the prefix run, ends soon.
	entry := 0
	for at := 0; at < len(ix.text); {
		k := bytes.Index(ix.text[at:], needle)
		if k < 0 {
			return
		}
		entry = ix.entryAt(at+k, entry)
		at = int(ix.starts[entry+1])
		if entry >= lo && entry < hi {
			at = int(ix.starts[hi])
			continue
		}
		if !visit(entry) {
			return
		}
	}
}
