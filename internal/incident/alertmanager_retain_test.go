package incident

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestDedupStoreRetainForgetsOnlyOldResolvedAlerts(t *testing.T) {
	before := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	rows := []struct {
		fingerprint string
		firing      bool
		seen        time.Time
		kept        bool
	}{
		{"resolved-old", false, before.Add(-30 * 24 * time.Hour), false},
		{"resolved-just-before", false, before.Add(-time.Microsecond), false},
		{"resolved-at-horizon", false, before, true},
		{"resolved-recent", false, before.Add(time.Hour), true},
		{"firing-old", true, before.Add(-365 * 24 * time.Hour), true},
		{"firing-recent", true, before.Add(time.Hour), true},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewDedupStore(db)
		var want []string
		for _, r := range rows {
			a := AlertSignal{Fingerprint: r.fingerprint, Asset: "web-01", Name: "NodeDown", Firing: r.firing, StartsAt: r.seen.Add(-time.Hour)}
			if !r.firing {
				a.EndsAt = r.seen
			}
			if _, err := s.Receive(ctx, []AlertSignal{a}, r.seen); err != nil {
				t.Fatal(err)
			}
			if r.kept {
				want = append(want, r.fingerprint)
			}
		}
		n, err := s.Retain(ctx, before)
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(len(rows)-len(want)) {
			t.Errorf("Retain deleted %d rows, want %d", n, len(rows)-len(want))
		}
		var got []string
		err = store.Each(ctx, db, "dedup rows", `SELECT fingerprint FROM alert_dedup`, nil, func(rows *sql.Rows) error {
			var fp string
			err := rows.Scan(&fp)
			got = append(got, fp)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("kept %v, want %v", got, want)
		}
	})
}
