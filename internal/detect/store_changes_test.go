package detect_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// One customer's pages read the history of all their assets at once: the
// changes inside the period, and the last of each kind before it, of the
// named assets only, whatever their number (more than one IN list).
func TestCheckChangesReadsManyAssetsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := detect.NewStore(db)
		at := func(h int) time.Time { return storeT0.Add(time.Duration(h) * time.Hour) }
		var log []detect.Signal
		add := func(kind detect.SignalKind, asset string, h int) {
			log = append(log, detect.Signal{Kind: kind, Check: asset + "/http", Asset: asset, At: at(h), From: detect.Up, To: detect.Down})
		}
		var names []string
		for i := range 1200 {
			name := fmt.Sprintf("site%04d", i)
			names = append(names, name)
			add(detect.CheckUp, name, 0)   // before, older: left out
			add(detect.CheckDown, name, 1) // before, the last down
			add(detect.CheckUp, name, 2)   // before, the last up
			add(detect.CheckDown, name, 10)
			add(detect.CheckUp, name, 30) // after: left out
		}
		add(detect.CheckDown, "other", 10)        // another asset
		add(detect.LocationProblem, names[0], 11) // another kind
		log[len(log)-1].Location = "paris"        // (as the detector writes it)
		if err := s.Append(ctx, log); err != nil {
			t.Fatal(err)
		}
		got, err := s.CheckChanges(ctx, names, at(5), at(20))
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, sg := range got {
			lines = append(lines, fmt.Sprintf("%s %s %d", sg.Asset, sg.Kind, int(sg.At.Sub(storeT0)/time.Hour)))
		}
		slices.Sort(lines)
		var want []string
		for _, n := range names {
			want = append(want, n+" check-down 1", n+" check-down 10", n+" check-up 2")
		}
		slices.Sort(want)
		if !slices.Equal(lines, want) {
			t.Fatalf("%d changes, want %d; first: %s", len(lines), len(want), strings.Join(lines[:min(6, len(lines))], "; "))
		}

		states := []detect.StateRow{{Check: "site0001/http", State: detect.Up, Since: at(2)}, {Check: "site0001/http", Location: "paris", State: detect.Up, Since: at(2)},
			{Check: "other/http", State: detect.Down, Since: at(10)}}
		if err := s.SaveStates(ctx, states); err != nil {
			t.Fatal(err)
		}
		rows, err := s.StatesOf(ctx, []string{"site0001/http", "nothing/http", "site0001/http"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Check != "site0001/http" || rows[0].Location != "" || rows[1].Location != "paris" {
			t.Fatalf("states of site0001: %+v", rows)
		}
	})
}
