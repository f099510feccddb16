package inventory

import (
	"bytes"
	"encoding/binary"
	"slices"
)

// Trigrams: for every three consecutive bytes of the lower-cased names,
// the entries holding them, in name order (one flat array of gaps, cut
// per trigram by triOff). A substring search reads the shortest list of its
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

// buildTrigrams fills ix.triKeys, ix.triOff and ix.tri, counting first so
// that the lists live in one array. Each list holds the gaps between its
// entries (the first entry plus one, then each entry minus the one before)
// as uvarints: entries in name order share most of their trigrams with
// their neighbours, so most gaps take a byte. Only the keys of trigrams
// present are kept, sorted, with where their list starts.
func (ix *searchIndex) buildTrigrams() {
	const keys = 1 << (3 * triBits)
	size := make([]uint32, keys+1)
	last := make([]int32, keys) // the last entry counted per key, plus one
	each := func(visit func(key uint32, gap uint32)) {
		for e := range ix.len() {
			name := ix.lower(e)
			for i := 0; i+3 <= len(name); i++ {
				if k := triKey(name[i:]); last[k] != int32(e)+1 {
					gap := uint32(int32(e) + 1 - last[k])
					last[k] = int32(e) + 1
					visit(k, gap)
				}
			}
		}
	}
	each(func(k, gap uint32) { size[k+1] += uint32(uvarintLen(gap)) })
	present := 0
	for k := range keys {
		if size[k+1] > 0 {
			present++
		}
		size[k+1] += size[k]
	}
	ix.tri = make([]byte, size[keys])
	ix.triKeys = make([]uint32, 0, present)
	ix.triOff = make([]uint32, 0, present+1)
	for k := range uint32(keys) {
		if size[k+1] > size[k] {
			ix.triKeys = append(ix.triKeys, k)
			ix.triOff = append(ix.triOff, size[k])
		}
	}
	ix.triOff = append(ix.triOff, size[keys])
	clear(last)
	fill := size[:keys] // where each list goes on
	each(func(k, gap uint32) {
		fill[k] += uint32(binary.PutUvarint(ix.tri[fill[k]:], uint64(gap)))
	})
}

func uvarintLen(v uint32) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// triList returns the list of trigram key k (empty when no name holds it).
func (ix *searchIndex) triList(k uint32) []byte {
	j, ok := slices.BinarySearch(ix.triKeys, k)
	if !ok {
		return nil
	}
	return ix.tri[ix.triOff[j]:ix.triOff[j+1]]
}

// candidates returns the list of the entries that may hold needle (three
// bytes or more): the shortest among its trigrams'.
func (ix *searchIndex) candidates(needle []byte) []byte {
	var best []byte
	for i := 0; i+3 <= len(needle); i++ {
		list := ix.triList(triKey(needle[i:]))
		if i == 0 || len(list) < len(best) {
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
		list, e := ix.candidates(needle), -1
		for len(list) > 0 {
			gap, n := binary.Uvarint(list)
			list = list[n:]
			e += int(gap)
			if e >= lo && e < hi || !bytes.Contains(ix.lower(e), needle) {
				continue
			}
			if !visit(e) {
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
