package incident_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/settings"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestAChangedSettleWindowTakesEffectWithoutRestart has staff shorten the
// settle window in the settings while an incident is unsettled: the
// running engine settles it at its next tick past the new window.
func TestAChangedSettleWindowTakesEffectWithoutRestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		t0 := c.t
		set, err := settings.New(db, settings.Values{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		set.Now = c.now
		inv := inventory.NewService(db, nil)
		if _, err := inv.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(engineHost)}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		st := incident.NewStore(db)
		e := incident.NewEngine(st, inv, incident.EngineOptions{Now: c.now, Windows: func(ctx context.Context) (time.Duration, time.Duration) {
			v := set.Current(ctx)
			return v.Settle, v.Quiet
		}})
		e.Observe(down(c.t, "s3"))
		tick(t, e, c, 0)
		tick(t, e, c, 25*time.Second)
		open := openIncidents(t, st)
		if len(open) != 1 || open[0].SettledAt != nil {
			t.Fatalf("25 s in, with the default 60 s window: %+v, want one unsettled incident", open)
		}
		if _, err := set.Save(ctx, map[string]string{"settle": "20s"}, "admin@example.net"); err != nil {
			t.Fatal(err)
		}
		tick(t, e, c, time.Second)
		got, err := st.Get(ctx, open[0].ID)
		if err != nil || got.SettledAt == nil || !got.SettledAt.Equal(t0.Add(26*time.Second)) {
			t.Fatalf("after the window became 20 s: %+v %v, want settled at the next tick, %s", got.SettledAt, err, t0.Add(26*time.Second))
		}
	})
}
