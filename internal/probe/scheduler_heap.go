package probe

import "time"

// dueHeap is a 4-ary min-heap of entries by due time. Each item carries
// its due time, so that sifting compares without reading the entries: with
// 100,000 entries that saves most cache misses. A 4-ary heap is half as
// deep as a binary one.
type dueHeap struct {
	items []heapItem
}

type heapItem struct {
	at time.Duration // the entry's due time, since the scheduler's epoch
	e  *entry
}

func (h *dueHeap) len() int { return len(h.items) }

// peek is the entry due first; the heap must not be empty.
func (h *dueHeap) peek() *entry { return h.items[0].e }

// push adds e.
func (h *dueHeap) push(e *entry) {
	h.items = append(h.items, heapItem{e.due(), e})
	e.index = int32(len(h.items) - 1)
	h.up(len(h.items) - 1)
}

// fix moves e to its place after its due time changed.
func (h *dueHeap) fix(e *entry) {
	i := int(e.index)
	h.items[i].at = e.due()
	if !h.down(i) {
		h.up(i)
	}
}

// remove takes e out.
func (h *dueHeap) remove(e *entry) {
	i, last := int(e.index), len(h.items)-1
	if i != last {
		h.swap(i, last)
	}
	h.items[last] = heapItem{}
	h.items = h.items[:last]
	e.index = -1
	if i != last && !h.down(i) {
		h.up(i)
	}
}

func (h *dueHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].e.index = int32(i)
	h.items[j].e.index = int32(j)
}

func (h *dueHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 4
		if h.items[parent].at <= h.items[i].at {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

// down sinks item i and tells whether it moved.
func (h *dueHeap) down(i int) bool {
	start, n := i, len(h.items)
	for {
		least := i
		first := 4*i + 1
		for c := first; c < first+4 && c < n; c++ {
			if h.items[c].at < h.items[least].at {
				least = c
			}
		}
		if least == i {
			return i != start
		}
		h.swap(i, least)
		i = least
	}
}
