package inventory

import (
	"container/heap"
	"slices"
	"sort"
	"strings"

	"github.com/vigie/vigie/internal/check"
)

// Page returns copies of up to limit checks whose key comes after after
// ("" from the first) and for which keep returns true (keep gets the key,
// and the check, which it must not modify), sorted by key as Sorted sorts
// them, and whether more follow. It merges the shards' entries, each shard
// sorted the first time a page reads it: after a small change, the first
// page costs the few shards changed, not the size of the set.
func (s *EffectiveSet) Page(after string, limit int, keep func(key string, c *check.Check) bool) ([]check.Check, bool) {
	h := make(shardHeap, 0, effShards)
	for _, sh := range s.shards {
		list := sh.entries()
		i := sort.Search(len(list), func(i int) bool { return list[i].key > after })
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
		if keep != nil && !keep(e.key, e.check) {
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, *e.check)
	}
	return out, false
}

// entries returns the shard's entries sorted by key.
func (sh *effShard) entries() []effEntry {
	sh.sortOnce.Do(func() {
		n := 0
		for _, list := range sh.byAsset {
			n += len(list)
		}
		all := make([]effEntry, 0, n)
		for _, list := range sh.byAsset {
			all = append(all, list...)
		}
		slices.SortFunc(all, func(a, b effEntry) int { return strings.Compare(a.key, b.key) })
		sh.sorted = all
	})
	return sh.sorted
}

// shardHeap holds what remains to merge of each shard, the smallest key
// first.
type shardHeap [][]effEntry

func (h shardHeap) Len() int           { return len(h) }
func (h shardHeap) Less(i, j int) bool { return h[i][0].key < h[j][0].key }
func (h shardHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *shardHeap) Push(x any)        { *h = append(*h, x.([]effEntry)) }
func (h *shardHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
