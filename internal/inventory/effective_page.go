package inventory

import (
	"container/heap"
	"sort"

	"github.com/vigie/vigie/internal/check"
)

// Page returns copies of up to limit checks whose key comes after after
// ("" from the first) and for which keep returns true (keep gets the key,
// and the check, which it must not modify), sorted by key as Sorted sorts
// them, and whether more follow. It merges the shards, each sorted by key.
func (s *EffectiveSet) Page(after string, limit int, keep func(key string, c *check.Check) bool) ([]check.Check, bool) {
	h := make(shardHeap, 0, effShards)
	from := keyParts{after}
	for _, sh := range s.shards {
		list := sh.checks
		i := sort.Search(len(list), func(i int) bool { return compareParts(partsOf(list[i]), from, false) > 0 })
		if i < len(list) {
			h = append(h, list[i:])
		}
	}
	heap.Init(&h)
	out := make([]check.Check, 0, min(limit, 1024))
	for len(h) > 0 {
		e := h[0][0]
		if len(h[0]) == 1 {
			heap.Pop(&h)
		} else {
			h[0] = h[0][1:]
			heap.Fix(&h, 0)
		}
		if keep != nil && !keep(e.Key(), e) {
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, *e)
	}
	return out, false
}

// shardHeap holds what remains to merge of each shard, the smallest key
// first.
type shardHeap [][]*check.Check

func (h shardHeap) Len() int           { return len(h) }
func (h shardHeap) Less(i, j int) bool { return compareCheckKeys(h[i][0], h[j][0]) < 0 }
func (h shardHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *shardHeap) Push(x any)        { *h = append(*h, x.([]*check.Check)) }
func (h *shardHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
