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

func TestStoreStatesUpsertAndReload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := detect.NewStore(db)
		first := []detect.StateRow{
			{Check: "web/http", State: detect.Up, Since: storeT0},
			{Check: "web/http", Location: "paris", State: detect.Up, Since: storeT0},
			{Check: "db/tcp", State: detect.Down, Since: storeT0, Reason: check.ReasonRefused, Message: "connection refused"},
		}
		if err := s.SaveStates(ctx, first); err != nil {
			t.Fatal(err)
		}
		later := storeT0.Add(time.Hour)
		second := []detect.StateRow{
			{Check: "web/http", State: detect.Down, Since: storeT0.Add(time.Minute), Reason: check.ReasonTimeout},
			// Repeated in one call: the last one wins.
			{Check: "web/http", State: detect.Up, Since: later},
			{Check: "db/tcp", Location: "montreal", State: detect.Down, Since: later, Reason: check.ReasonRefused},
		}
		if err := s.SaveStates(ctx, second); err != nil {
			t.Fatal(err)
		}
		got, err := s.States(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []detect.StateRow{
			first[2],
			second[2],
			second[1],
			first[1],
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("states:\n got %+v\nwant %+v", got, want)
		}
	})
}

func TestStoreStatesOfReadsOnlyTheChecksAsked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := detect.NewStore(db)
		rows := []detect.StateRow{
			{Check: "web/http", State: detect.Up, Since: storeT0},
			{Check: "web/http", Location: "paris", State: detect.Up, Since: storeT0},
			{Check: "web/tls", State: detect.Down, Since: storeT0, Reason: check.ReasonRefused},
			{Check: "db/tcp", State: detect.Down, Since: storeT0},
		}
		if err := s.SaveStates(ctx, rows); err != nil {
			t.Fatal(err)
		}
		got, err := s.StatesOf(ctx, []string{"web/tls", "web/http", "nowhere/x"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].Check != "web/http" || got[0].Location != "" || got[1].Location != "paris" || got[2].Check != "web/tls" || got[2].State != detect.Down {
			t.Fatalf("StatesOf = %+v", got)
		}
		if none, err := s.StatesOf(ctx, nil); err != nil || len(none) != 0 {
			t.Fatalf("StatesOf(nil) = %v, %v", none, err)
		}
	})
}
