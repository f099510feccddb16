package detect_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// storeT0 is the start of the store scenarios.
var storeT0 = time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)

// storeSignals are five signals on two assets, one minute apart.
func storeSignals() []detect.Signal {
	res := []check.Result{
		{Phase: check.PhaseConnect, Reason: check.ReasonTimeout, Message: "connect timed out",
			Started: storeT0, Timings: check.Timings{Connect: 10 * time.Second, Total: 10 * time.Second}},
		{OK: true, Phase: check.PhaseDone, Started: storeT0.Add(30 * time.Second),
			Timings: check.Timings{DNS: time.Millisecond, Connect: 2 * time.Millisecond, FirstByte: 90 * time.Millisecond, Total: 120 * time.Millisecond}},
	}
	at := func(m int) time.Time { return storeT0.Add(time.Duration(m) * time.Minute) }
	return []detect.Signal{
		{Kind: detect.CheckDown, Check: "web/http", Asset: "web", At: at(0), From: detect.Up, To: detect.Down,
			Reason: check.ReasonTimeout, Message: "connect timed out", Results: res},
		{Kind: detect.LocationProblem, Check: "web/http", Asset: "web", Location: "paris", At: at(1), From: detect.Up, To: detect.Down, Reason: check.ReasonRefused},
		{Kind: detect.CheckUp, Check: "web/http", Asset: "web", At: at(2), From: detect.Down, To: detect.Up, Results: res[1:]},
		{Kind: detect.CheckDown, Check: "db/tcp", Asset: "db", At: at(3), From: detect.Unknown, To: detect.Down, Reason: check.ReasonRefused},
		{Kind: detect.LocationSilent, Location: "montreal", At: at(4), From: detect.Up, To: detect.Unknown, Message: "no poll for 2m"},
	}
}

func TestStoreSignalsRoundTripWithFiltersAndPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := detect.NewStore(db)
		want := storeSignals()
		if err := s.Append(ctx, want); err != nil {
			t.Fatal(err)
		}
		all, err := s.Signals(ctx, detect.SignalFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(want) {
			t.Fatalf("%d signals, want %d", len(all), len(want))
		}
		for i, got := range all {
			w := want[len(want)-1-i] // newest first
			if !reflect.DeepEqual(got.Signal, w) {
				t.Errorf("signal %d:\n got %+v\nwant %+v", i, got.Signal, w)
			}
			if i > 0 && got.ID >= all[i-1].ID {
				t.Errorf("signal %d has id %d after id %d: want decreasing ids", i, got.ID, all[i-1].ID)
			}
		}
		id := func(i int) int64 { return all[len(all)-1-i].ID } // id of want[i]
		for _, tc := range []struct {
			name string
			f    detect.SignalFilter
			want []int // indexes in want, newest first
		}{
			{"asset", detect.SignalFilter{Asset: "web"}, []int{2, 1, 0}},
			{"check", detect.SignalFilter{Check: "db/tcp"}, []int{3}},
			{"kind", detect.SignalFilter{Kind: detect.CheckDown}, []int{3, 0}},
			{"since until", detect.SignalFilter{Since: storeT0.Add(time.Minute), Until: storeT0.Add(3 * time.Minute)}, []int{2, 1}},
			{"limit", detect.SignalFilter{Limit: 2}, []int{4, 3}},
			{"next page", detect.SignalFilter{Limit: 2, Before: id(3)}, []int{2, 1}},
			{"last page", detect.SignalFilter{Limit: 2, Before: id(1)}, []int{0}},
			{"asset page", detect.SignalFilter{Asset: "web", Limit: 1, Before: id(2)}, []int{1}},
			{"none", detect.SignalFilter{Asset: "nope"}, nil},
		} {
			got, err := s.Signals(ctx, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var ids, wantIDs []int64
			for _, g := range got {
				ids = append(ids, g.ID)
			}
			for _, i := range tc.want {
				wantIDs = append(wantIDs, id(i))
			}
			if !reflect.DeepEqual(ids, wantIDs) {
				t.Errorf("%s: ids %v, want %v", tc.name, ids, wantIDs)
			}
		}
	})
}

func TestStoreSavesTenThousandSignalsInOneCall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := detect.NewStore(db)
		signals := make([]detect.Signal, 10_000)
		for i := range signals {
			signals[i] = detect.Signal{Kind: detect.CheckUp, Check: "c/http", Asset: "c", At: storeT0.Add(time.Duration(i) * time.Second), From: detect.Down, To: detect.Up}
		}
		if err := s.Append(ctx, signals); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM signals`); n != len(signals) {
			t.Fatalf("%d signals stored, want %d", n, len(signals))
		}
	})
}

// countRows runs a COUNT query.
func countRows(t testing.TB, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
