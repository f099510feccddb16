package probe

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestDueHeapPopsInDueOrder(t *testing.T) {
	var h dueHeap
	rng := rand.New(rand.NewPCG(1, 2))
	var entries []*entry
	for range 1000 {
		e := &entry{next: time.Duration(rng.IntN(1_000_000)), retry: noRetry}
		entries = append(entries, e)
		h.push(e)
	}
	// Move some, remove others.
	for i, e := range entries {
		switch i % 3 {
		case 0:
			e.next = time.Duration(rng.IntN(1_000_000))
			h.fix(e)
		case 1:
			h.remove(e)
		}
	}
	var last time.Duration
	popped := 0
	for h.len() > 0 {
		e := h.peek()
		if e.next < last {
			t.Fatalf("popped %v after %v", e.next, last)
		}
		last = e.next
		h.remove(e)
		popped++
	}
	if popped != 667 {
		t.Errorf("popped %d entries, want 667", popped)
	}
}
