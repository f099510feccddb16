package incident_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestMaintenanceStoreCreatesListsUpdatesAndCancels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewMaintenanceStore(db)
		first := incident.Window{Title: "hv03 kernel", Assets: []string{"hv03"}, Start: "2026-11-27T02:00",
			End: "2026-11-27T04:00", Zone: "Europe/Paris", Verify: 30 * time.Minute}
		if err := s.Create(ctx, &first, "ops@example.com"); err != nil {
			t.Fatal(err)
		}
		second := incident.Window{Title: "switches", Assets: []string{"sw1", "sw2"}, Zone: "Europe/Paris", Start: "2026-11-29T01:00",
			End: "2026-11-29T01:30", Weekly: true}
		if err := s.Create(ctx, &second, ""); err != nil {
			t.Fatal(err)
		}
		if first.ID == "" || second.ID == "" || first.ID == second.ID {
			t.Fatalf("ids %q %q", first.ID, second.ID)
		}
		got, err := s.Get(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != first.Title || !slices.Equal(got.Assets, first.Assets) || got.Start != first.Start ||
			got.End != first.End || got.Zone != "Europe/Paris" || got.Weekly || got.Verify != 30*time.Minute {
			t.Fatalf("got %+v, want %+v", got, first)
		}
		second.Title, second.Assets, second.Weekly = "switches, all", []string{"sw1", "sw2", "sw3"}, false
		if err := s.Update(ctx, &second); err != nil {
			t.Fatal(err)
		}
		list, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != first.ID || list[1].Title != "switches, all" || len(list[1].Assets) != 3 || list[1].Weekly {
			t.Fatalf("list %+v", list)
		}
		if err := s.Delete(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{
			"get cancelled":    func() error { _, err := s.Get(ctx, first.ID); return err }(),
			"cancel cancelled": s.Delete(ctx, first.ID),
			"update cancelled": s.Update(ctx, &first),
			"get not a number": func() error {
				_, err := s.Get(ctx, "hv03")
				return err
			}(),
		} {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: %v, want not found", name, err)
			}
		}
		if list, _ := s.List(ctx); len(list) != 1 {
			t.Fatalf("after cancel: %+v", list)
		}
		if all, _ := s.ListAll(ctx); len(all) != 2 || all[0].ID != first.ID || !all[0].Cancelled || all[1].Cancelled {
			t.Fatalf("all after cancel: %+v", all)
		}
	})
}

func TestMaintenanceSequenceCountsChangesAndCancelling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewMaintenanceStore(db)
		clock := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return clock }
		w := incident.Window{Title: "Noyau hv03", TitleEN: "hv03 kernel", Description: "Redémarrage.", DescriptionEN: "Restart.",
			Assets: []string{"hv03"}, Start: "2026-11-27T02:00", End: "2026-11-27T04:00", Zone: "Europe/Paris",
			Sequence: 7, Cancelled: true}
		if err := s.Create(ctx, &w, "ops@example.org"); err != nil {
			t.Fatal(err)
		}
		created := clock
		check := func(step string, seq int, updated time.Time) {
			t.Helper()
			got, err := s.Get(ctx, w.ID)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if got.Sequence != seq || !got.UpdatedAt.Equal(updated) || got.Cancelled || w.Sequence != seq || !w.UpdatedAt.Equal(updated) {
				t.Fatalf("%s: stored %d at %s, given back %d at %s; want %d at %s", step, got.Sequence, got.UpdatedAt,
					w.Sequence, w.UpdatedAt, seq, updated)
			}
			if got.TitleEN != w.TitleEN || got.Description != w.Description || got.DescriptionEN != w.DescriptionEN {
				t.Fatalf("%s: public texts %+v, want %+v", step, got, w)
			}
		}
		check("created", 0, created)

		clock = clock.Add(time.Hour)
		w.Sequence = 42 // read-only: ignored
		if err := s.Update(ctx, &w); err != nil {
			t.Fatal(err)
		}
		check("given unchanged", 0, created)

		for i, change := range []func(){
			func() { w.End = "2026-11-27T05:00" },
			func() { w.DescriptionEN = "Restart, then checks." },
			func() { w.Verify = 20 * time.Minute },
		} {
			clock = clock.Add(time.Hour)
			change()
			if err := s.Update(ctx, &w); err != nil {
				t.Fatal(err)
			}
			check(fmt.Sprintf("change %d", i+1), i+1, clock)
		}

		clock = clock.Add(time.Hour)
		if err := s.Delete(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		cancelled := clock
		all, err := s.ListAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || !all[0].Cancelled || all[0].Sequence != 4 || !all[0].UpdatedAt.Equal(cancelled) || all[0].TitleEN != "hv03 kernel" {
			t.Fatalf("all after cancelling: %+v", all)
		}
		if list, err := s.List(ctx); err != nil || len(list) != 0 {
			t.Fatalf("live after cancelling: %+v %v", list, err)
		}
		clock = clock.Add(time.Hour)
		if err := s.Delete(ctx, w.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("cancelling twice: %v", err)
		}
		if all, _ := s.ListAll(ctx); all[0].Sequence != 4 || !all[0].UpdatedAt.Equal(cancelled) {
			t.Fatalf("a second cancel moved the window: %+v", all[0])
		}

		// Retention, CancelledRetention later, deletes what was cancelled
		// before its horizon.
		for _, c := range []struct {
			before time.Time
			left   int
		}{
			{cancelled, 1},
			{cancelled.Add(time.Microsecond), 0},
		} {
			if _, err := s.Retain(ctx, c.before); err != nil {
				t.Fatal(err)
			}
			if all, _ := s.ListAll(ctx); len(all) != c.left {
				t.Fatalf("retained before %s: %d left, want %d", c.before, len(all), c.left)
			}
		}
	})
}

func TestCancelledWindowsMuteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewMaintenanceStore(db)
		cancelled := incident.Window{Title: "hv03 kernel", Assets: []string{"hv03"}, Start: "2026-11-27T02:00",
			End: "2026-11-27T04:00", Zone: "Europe/Paris"}
		live := incident.Window{Title: "hv04 kernel", Assets: []string{"hv04"}, Start: "2026-11-27T02:00",
			End: "2026-11-27T04:00", Zone: "Europe/Paris"}
		for _, w := range []*incident.Window{&cancelled, &live} {
			if err := s.Create(ctx, w, ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Delete(ctx, cancelled.ID); err != nil {
			t.Fatal(err)
		}
		paris, _ := time.LoadLocation("Europe/Paris")
		inside := time.Date(2026, 11, 27, 3, 0, 0, 0, paris)
		mutes, err := s.Mutes(ctx, dependsOn{"vm12": "hv03", "vm13": "hv04"})
		if err != nil {
			t.Fatal(err)
		}
		for asset, want := range map[string]bool{"hv03": false, "vm12": false, "hv04": true, "vm13": true} {
			if muted, why := mutes.Muted(asset, inside); muted != want {
				t.Errorf("%s: muted %v (%q), want %v", asset, muted, why, want)
			}
		}
		// Even read with the cancelled ones, as a calendar reads them, a
		// cancelled window is not in progress.
		all, err := s.ListAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if muted, why := (incident.Maintenances{Windows: all}).Muted("hv03", inside); muted || all[0].State(inside) != incident.Completed {
			t.Fatalf("cancelled window: muted %v (%q), state %s", muted, why, all[0].State(inside))
		}
	})
}

func TestMaintenanceStoreRefusesInvalidWindows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewMaintenanceStore(db)
		cases := []struct {
			name   string
			window incident.Window
			field  string
		}{
			{"no assets", incident.Window{Zone: "Europe/Paris", Start: "2026-11-27T02:00", End: "2026-11-27T04:00"}, "assets"},
			{"end before start", incident.Window{Assets: []string{"a"}, Zone: "Europe/Paris", Start: "2026-11-27T04:00", End: "2026-11-27T02:00"}, "end"},
			{"bad start", incident.Window{Assets: []string{"a"}, Zone: "Europe/Paris", Start: "tonight", End: "2026-11-27T02:00"}, "start"},
			{"unknown zone", incident.Window{Assets: []string{"a"}, Start: "2026-11-27T02:00", End: "2026-11-27T04:00", Zone: "Mars/Olympus"}, "zone"},
		}
		for _, c := range cases {
			err := s.Create(ctx, &c.window, "")
			var invalid *incident.WindowInvalidError
			if !errors.As(err, &invalid) || !slices.ContainsFunc(invalid.Fields, func(f incident.FieldError) bool { return f.Field == c.field }) {
				t.Errorf("%s: %v, want a problem with %s", c.name, err, c.field)
			}
		}
		good := incident.Window{Assets: []string{"a"}, Zone: "Europe/Paris", Start: "2026-11-27T02:00", End: "2026-11-27T04:00"}
		if err := s.Create(ctx, &good, ""); err != nil {
			t.Fatal(err)
		}
		good.End = "yesterday"
		var invalid *incident.WindowInvalidError
		if err := s.Update(ctx, &good); !errors.As(err, &invalid) {
			t.Fatalf("update with a bad end: %v", err)
		}
		if list, _ := s.List(ctx); len(list) != 1 || list[0].End != "2026-11-27T04:00" {
			t.Fatalf("an invalid update changed the window: %+v", list)
		}
	})
}

// dependsOn maps an asset to the one it runs on.
type dependsOn map[string]string

func (d dependsOn) PathTo(from []string, to string) []string {
	for _, f := range from {
		path := []string{f}
		for cur, ok := f, true; ok; cur, ok = d[cur] {
			if cur == to {
				return path
			}
			path = append(path, d[cur])
		}
	}
	return nil
}

func TestMaintenanceMutesFromStoredWindowsCoverTheirScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewMaintenanceStore(db)
		w := incident.Window{Title: "hv03 kernel", Assets: []string{"hv03"}, Start: "2026-11-27T02:00",
			End: "2026-11-27T04:00", Zone: "Europe/Paris"}
		if err := s.Create(ctx, &w, ""); err != nil {
			t.Fatal(err)
		}
		mutes, err := s.Mutes(ctx, dependsOn{"vm12": "hv03", "site7": "vm12"})
		if err != nil {
			t.Fatal(err)
		}
		paris, _ := time.LoadLocation("Europe/Paris")
		inside := time.Date(2026, 11, 27, 3, 0, 0, 0, paris)
		cases := []struct {
			asset string
			at    time.Time
			muted bool
		}{
			{"hv03", inside, true},
			{"site7", inside, true},
			{"hv04", inside, false},
			{"site7", inside.Add(2 * time.Hour), false},
			{"hv03", inside.Add(-2 * time.Hour), false},
		}
		for _, c := range cases {
			muted, why := mutes.Muted(c.asset, c.at)
			if muted != c.muted {
				t.Errorf("%s at %s: muted %v (%q), want %v", c.asset, c.at, muted, why, c.muted)
			}
			if muted && why != "maintenance "+w.ID+": hv03 kernel" {
				t.Errorf("%s: reason %q", c.asset, why)
			}
		}
	})
}
