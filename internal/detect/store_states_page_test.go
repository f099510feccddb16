package detect_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// walkStates follows the pages of f to the end.
func walkStates(t *testing.T, s *detect.Store, f detect.StatePage) []detect.StateRow {
	t.Helper()
	all := []detect.StateRow{}
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("the pages never end")
		}
		rows, more, err := s.StatesPage(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > f.Limit || (more && len(rows) != f.Limit) {
			t.Fatalf("page of %d for limit %d, more %v", len(rows), f.Limit, more)
		}
		all = append(all, rows...)
		if !more {
			return all
		}
		last := rows[len(rows)-1]
		f.After = detect.StateKey{Check: last.Check, Location: last.Location}
	}
}

// TestStatesPagesWalkTheWholeListOnceInOrder: following the pages, with
// any limit and filter, gives every stored state the full list gives that
// the filter keeps, once each, by check then location; asset names that
// prefix one another ("s1", "s1-b", "s10") keep to their own checks.
func TestStatesPagesWalkTheWholeListOnceInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := detect.NewStore(db)
		r := rand.New(rand.NewPCG(14, 4))
		var rows []detect.StateRow
		states := []detect.State{detect.Up, detect.Down, detect.Unknown}
		for i := range 40 {
			for _, asset := range []string{fmt.Sprintf("s%d", i), fmt.Sprintf("s%d-b", i)} {
				for _, name := range []string{"http", "tcp"} {
					for _, loc := range []string{"", "montreal", "paris"} {
						if r.IntN(4) > 0 {
							rows = append(rows, detect.StateRow{Check: asset + "/" + name, Location: loc,
								State: states[r.IntN(3)], Since: storeT0})
						}
					}
				}
			}
		}
		if err := s.SaveStates(ctx, rows); err != nil {
			t.Fatal(err)
		}
		full, err := s.States(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(full) < 300 {
			t.Fatalf("only %d states", len(full))
		}
		down := detect.Down
		filters := []detect.StatePage{{}, {Asset: "s1"}, {Asset: "s1-b"}, {Location: "paris"}, {State: &down},
			{Asset: "s3", Location: "", State: &down}, {Asset: "nope"}}
		for _, f := range filters {
			want := []detect.StateRow{}
			for _, row := range full {
				asset, _, _ := cutKey(row.Check)
				if (f.Asset == "" || asset == f.Asset) && (f.Location == "" || row.Location == f.Location) &&
					(f.State == nil || row.State == *f.State) {
					want = append(want, row)
				}
			}
			limits := []int{3, 50}
			if f.Asset == "" && f.Location == "" && f.State == nil {
				limits = []int{1, 7, 1000}
			}
			for _, limit := range limits {
				f.Limit = limit
				if got := walkStates(t, s, f); !reflect.DeepEqual(got, want) {
					t.Fatalf("filter %+v limit %d:\n got %v\nwant %v", f, limit, got, want)
				}
			}
		}
		if _, _, err := s.StatesPage(ctx, detect.StatePage{}); err == nil {
			t.Fatal("a page of no limit was accepted")
		}
	})
}

func cutKey(key string) (string, string, bool) {
	for i := range len(key) {
		if key[i] == '/' {
			return key[:i], key[i+1:], true
		}
	}
	return key, "", false
}
