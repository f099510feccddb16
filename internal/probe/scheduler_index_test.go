package probe

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The index of entries finds what a map would, through puts and deletes
// in any order, growing from empty: deletes shift back the entries after
// them, across the end of the table too.
func TestEntryIndexAgreesWithAMap(t *testing.T) {
	var x entryIndex
	want := map[string]*entry{}
	rng := rand.New(rand.NewPCG(3, 4))
	for step := range 20_000 {
		key := fmt.Sprintf("site-%d/http", rng.IntN(2_000))
		if e, ok := want[key]; ok && rng.IntN(3) > 0 {
			x.delete(e)
			delete(want, key)
		} else if !ok {
			e := &entry{key: key}
			x.put(e)
			want[key] = e
		}
		x.delete(&entry{key: key}) // not the one indexed: nothing
		if step%1000 == 0 || step == 19_999 {
			checkIndex(t, &x, want)
		}
	}
	for key, e := range want {
		x.delete(e)
		delete(want, key)
	}
	checkIndex(t, &x, want)
}

func checkIndex(t *testing.T, x *entryIndex, want map[string]*entry) {
	t.Helper()
	if x.len() != len(want) {
		t.Fatalf("len %d, want %d", x.len(), len(want))
	}
	for key, e := range want {
		if got := x.get(key); got != e {
			t.Fatalf("get(%q) = %p, want %p", key, got, e)
		}
	}
	for i := range 2_000 {
		key := fmt.Sprintf("site-%d/http", i)
		if _, ok := want[key]; !ok && x.get(key) != nil {
			t.Fatalf("get(%q) finds a deleted entry", key)
		}
	}
	n := 0
	for e := range x.all() {
		if want[e.key] != e {
			t.Fatalf("all yields %q, not indexed", e.key)
		}
		n++
	}
	if n != len(want) {
		t.Fatalf("all yields %d entries, want %d", n, len(want))
	}
}
