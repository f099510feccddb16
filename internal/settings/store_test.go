package settings_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/settings"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func newStore(t *testing.T, db *store.DB) *settings.Store {
	t.Helper()
	s, err := settings.New(db, settings.Values{Settle: 45 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDefaultsAreTheFlagsThenBuiltin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newStore(t, db)
		v, err := s.Get(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := settings.Builtin
		want.Settle = 45 * time.Second
		if v != want {
			t.Fatalf("Get = %+v, want %+v", v, want)
		}
		start, end, zone := s.NightWindow(context.Background())
		if start != "02:00" || end != "04:00" || zone.String() != "Europe/Paris" {
			t.Fatalf("NightWindow = %s %s %s, want 02:00 04:00 Europe/Paris", start, end, zone)
		}
	})
}

func TestSaveStoresWhatChangedAndWho(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		v, err := s.Save(ctx, map[string]string{"night_start": "01:30", "night_end": "05:00", "night_zone": "America/Montreal", "settle": "2m"}, "admin@example.net")
		if err != nil {
			t.Fatal(err)
		}
		if v.Settle != 2*time.Minute || v.NightStart != "01:30" {
			t.Fatalf("Save = %+v", v)
		}
		// Another process reads it from the database.
		other := newStore(t, db)
		got, rows, err := other.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != v {
			t.Fatalf("read back %+v, want %+v", got, v)
		}
		if len(rows) != 4 || rows["settle"].UpdatedBy != "admin@example.net" || rows["settle"].Value != "2m" {
			t.Fatalf("rows = %+v, want the 4 settings changed, by admin@example.net", rows)
		}
		start, end, zone := other.NightWindow(ctx)
		if start != "01:30" || end != "05:00" || zone.String() != "America/Montreal" {
			t.Fatalf("NightWindow = %s %s %s", start, end, zone)
		}
		v, err = other.Reset(ctx, "settle")
		if err != nil || v.Settle != 45*time.Second {
			t.Fatalf("Reset = %+v, %v, want the flag's 45s back", v, err)
		}
	})
}

func TestBadSettingsNameTheFieldAndChangeNothing(t *testing.T) {
	cases := []struct {
		name  string
		text  map[string]string
		field string
	}{
		{"bad zone", map[string]string{"night_zone": "Europe/Atlantis"}, "night_zone"},
		{"local zone", map[string]string{"night_zone": "Local"}, "night_zone"},
		{"end before start", map[string]string{"night_start": "04:00", "night_end": "02:00"}, "night_end"},
		{"end at start", map[string]string{"night_start": "03:00", "night_end": "03:00"}, "night_end"},
		{"not a time", map[string]string{"night_start": "2h"}, "night_start"},
		{"negative settle", map[string]string{"settle": "-30s"}, "settle"},
		{"zero quiet", map[string]string{"quiet": "0s"}, "quiet"},
		{"negative escalate", map[string]string{"escalate_after": "-1m"}, "escalate_after"},
		{"not a duration", map[string]string{"maintenance_notice": "three days"}, "maintenance_notice"},
		{"too long", map[string]string{"settle": "10h"}, "settle"},
		{"unknown", map[string]string{"colour": "blue"}, "colour"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		before, err := s.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				// A good setting beside the bad one is not saved either.
				text := map[string]string{"quiet": "20m"}
				for k, v := range tc.text {
					text[k] = v
				}
				_, err := s.Save(ctx, text, "admin@example.net")
				var inv *settings.InvalidError
				if !errors.As(err, &inv) || len(inv.Fields) == 0 || inv.Fields[0].Field != tc.field {
					t.Fatalf("Save(%v) = %v, want an InvalidError naming %s first", text, err, tc.field)
				}
				after, rows, err := newStore(t, db).Read(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if after != before || len(rows) != 0 {
					t.Fatalf("after a refused save: %+v (rows %v), want %+v and nothing stored", after, rows, before)
				}
			})
		}
	})
}

func TestCurrentFollowsAnotherReplicaWithinFresh(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		reader := newStore(t, db)
		reader.Now = func() time.Time { return now }
		if got := reader.Settle(ctx); got != 45*time.Second {
			t.Fatalf("Settle = %s, want 45s", got)
		}
		if _, err := newStore(t, db).Save(ctx, map[string]string{"settle": "90s"}, "a@example.net"); err != nil {
			t.Fatal(err)
		}
		if got := reader.Settle(ctx); got != 45*time.Second {
			t.Fatalf("Settle within Fresh = %s, want the cached 45s", got)
		}
		now = now.Add(settings.DefaultFresh)
		if got := reader.Settle(ctx); got != 90*time.Second {
			t.Fatalf("Settle after Fresh = %s, want 90s", got)
		}
	})
}

func TestBadDefaultsAreRefused(t *testing.T) {
	_, err := settings.New(nil, settings.Values{NightZone: "Nowhere/Else"}, nil)
	var inv *settings.InvalidError
	if !errors.As(err, &inv) || inv.Fields[0].Field != "night_zone" {
		t.Fatalf("New = %v, want night_zone refused", err)
	}
}

// TestAFlagOutsideTheBoundsStaysWhileOthersChange: a demo's 300 ms settle
// window, sent back unchanged with the whole form, does not keep the night
// window from changing; typing a value outside the bounds is refused.
func TestAFlagOutsideTheBoundsStaysWhileOthersChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, err := settings.New(db, settings.Values{Settle: 300 * time.Millisecond}, nil)
		if err != nil {
			t.Fatal(err)
		}
		form := s.Defaults().Text()
		form["night_start"] = "01:00"
		v, err := s.Save(ctx, form, "a@example.net")
		if err != nil || v.NightStart != "01:00" || v.Settle != 300*time.Millisecond {
			t.Fatalf("Save = %+v, %v", v, err)
		}
		if _, err := s.Save(ctx, map[string]string{"settle": "200ms"}, "a@example.net"); err == nil {
			t.Fatal("a settle window of 200ms typed was taken")
		}
	})
}
