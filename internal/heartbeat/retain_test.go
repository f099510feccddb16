package heartbeat

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestRetainDeletesOnlyLongIdleTokensOfRemovedChecks(t *testing.T) {
	now := t0.Add(OrphanRetention + 10*24*time.Hour)
	recent := now.Add(-time.Hour)
	long := now.Add(-OrphanRetention - time.Hour)
	rows := []struct {
		key      string
		live     bool
		created  time.Time
		lastPing time.Time // zero: never pinged
		kept     bool
	}{
		{"web/backup", true, t0, time.Time{}, true}, // a silent check that exists
		{"old/never-pinged", false, t0, time.Time{}, false},
		{"old/silent", false, t0, long, false},
		{"old/still-pinging", false, t0, recent, true},
		{"new/not-yet-in-checks", false, recent, time.Time{}, true},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newTestStore(db)
		var live, want []string
		for _, r := range rows {
			clock.Set(r.created)
			token := ensure(t, s, r.key)
			if !r.lastPing.IsZero() {
				if _, err := s.Record(ctx, token, Ping{Status: StatusOK}, r.lastPing); err != nil {
					t.Fatal(err)
				}
			}
			if r.live {
				live = append(live, r.key)
			}
			if r.kept {
				want = append(want, r.key)
			}
		}
		if _, err := s.Retain(ctx, nil, now); err == nil {
			t.Fatal("Retain with no list of checks deleted")
		}
		n, err := s.Retain(ctx, func(key string) bool { return slices.Contains(live, key) }, now)
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(len(rows)-len(want)) {
			t.Errorf("Retain deleted %d, want %d", n, len(rows)-len(want))
		}
		beats, err := s.LastAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for k := range beats {
			got = append(got, k)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("kept %v, want %v", got, want)
		}
	})
}
