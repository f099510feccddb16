package keyindex

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

type item struct{ key string }

func itemKey(it *item) string { return it.key }

// The index finds what a map would, through inserts, puts and deletes in
// any order, growing from empty: deletes move back the slots after them,
// across the end of the table too, and deleting another value with the
// same key deletes nothing.
func TestIndexAgreesWithAMap(t *testing.T) {
	for _, presized := range []bool{false, true} {
		var x Index[*item]
		if presized {
			x = New[*item](500)
		}
		want := map[string]*item{}
		rng := rand.New(rand.NewPCG(3, 4))
		for step := range 20_000 {
			key := fmt.Sprintf("site-%d/http", rng.IntN(2_000))
			switch e, ok := want[key]; {
			case ok && rng.IntN(3) > 0:
				x.Delete(e, ByKey(itemKey))
				delete(want, key)
			case ok: // Put replaces the value of a key it holds
				e = &item{key: key}
				x.Put(e, itemKey)
				want[key] = e
			case rng.IntN(2) == 0:
				e = &item{key: key}
				x.Insert(e, ByKey(itemKey))
				want[key] = e
			default:
				e = &item{key: key}
				x.Put(e, itemKey)
				want[key] = e
			}
			x.Delete(&item{key: key}, ByKey(itemKey)) // not the one indexed: nothing
			if step%1000 == 0 || step == 19_999 {
				check(t, &x, want)
			}
		}
		for key, e := range want {
			x.Delete(e, ByKey(itemKey))
			delete(want, key)
		}
		check(t, &x, want)
	}
}

func check(t *testing.T, x *Index[*item], want map[string]*item) {
	t.Helper()
	if x.Len() != len(want) {
		t.Fatalf("len %d, want %d", x.Len(), len(want))
	}
	for key, e := range want {
		if got, ok := x.Get(key, itemKey); !ok || got != e {
			t.Fatalf("Get(%q) = %p, want %p", key, got, e)
		}
	}
	for i := range 2_000 {
		key := fmt.Sprintf("site-%d/http", i)
		if _, ok := want[key]; !ok {
			if _, found := x.Get(key, itemKey); found {
				t.Fatalf("Get(%q) finds a deleted entry", key)
			}
		}
	}
	n := 0
	for e := range x.All() {
		if want[e.key] != e {
			t.Fatalf("All yields %q, not indexed", e.key)
		}
		n++
	}
	if n != len(want) {
		t.Fatalf("All yields %d, want %d", n, len(want))
	}
}

// Positions finds what a map of positions would, through appends and
// removals that move the last element into the hole.
func TestPositionsAgreeWithAMap(t *testing.T) {
	var elems []item
	p := NewPositions(&elems, itemKey, 0)
	want := map[string]int32{}
	rng := rand.New(rand.NewPCG(5, 6))
	for step := range 20_000 {
		key := fmt.Sprintf("site-%d/http", rng.IntN(2_000))
		if i, ok := want[key]; ok {
			p.Remove(i)
			delete(want, key)
			if int(i) < len(elems) {
				want[elems[i].key] = i // the last one moved there
			}
		} else {
			p.Append(item{key: key})
			want[key] = int32(len(elems) - 1)
		}
		if step%1000 == 0 || step == 19_999 {
			if p.Len() != len(want) {
				t.Fatalf("step %d: len %d, want %d", step, p.Len(), len(want))
			}
			for i := range 2_000 {
				key := fmt.Sprintf("site-%d/http", i)
				got, ok := p.Get(key)
				if w, held := want[key]; ok != held || (held && got != w) {
					t.Fatalf("step %d: Get(%q) = %d, %v; want %d, %v", step, key, got, ok, w, held)
				}
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() { p.Get("site-7/http") }); n != 0 {
		t.Errorf("a lookup allocates %.0f times", n)
	}
}
