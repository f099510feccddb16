package report

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

func TestOnlyAnnouncedWindowsAreExcluded(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(d, hh, mm int) time.Time { return time.Date(2026, 11, d, hh, mm, 0, 0, paris) }
	window := func(created, updated time.Time, cancelled bool) incident.Window {
		return incident.Window{ID: "1", Title: "Mise à jour", Assets: []string{"hv1"}, Start: "2026-11-10T02:00",
			End: "2026-11-10T04:00", Zone: "Europe/Paris", CreatedAt: created, UpdatedAt: updated, Cancelled: cancelled}
	}
	month := Month(2026, time.November, paris)
	cases := []struct {
		name string
		w    incident.Window
		want time.Duration
	}{
		{"created days before", window(at(3, 9, 0), at(3, 9, 0), false), 2 * time.Hour},
		{"changed after it ended", window(at(3, 9, 0), at(11, 9, 0), false), 2 * time.Hour},
		{"declared once under way", window(at(10, 2, 30), at(10, 2, 30), false), 0},
		{"declared at its very start", window(at(10, 2, 0), at(10, 2, 0), false), 0},
		{"extended while under way", window(at(3, 9, 0), at(10, 3, 15), false), 75 * time.Minute},
		{"cancelled", window(at(3, 9, 0), at(4, 9, 0), true), 0},
		{"without a known creation", window(time.Time{}, at(4, 9, 0), false), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := Windows([]incident.Window{c.w}, func([]string) bool { return true }, month)
			if len(ws) != 1 {
				t.Fatalf("%d occurrences, want 1", len(ws))
			}
			if got := ws[0].Excluded(month); got != c.want {
				t.Fatalf("excluded %s, want %s", got, c.want)
			}
			if occ := ws[0].Occurrence; !occ.From.Equal(at(10, 2, 0)) || !occ.To.Equal(at(10, 4, 0)) {
				t.Fatalf("occurrence %s–%s", occ.From, occ.To)
			}
		})
	}
	none := Windows([]incident.Window{window(at(3, 9, 0), at(3, 9, 0), false)}, func([]string) bool { return false }, month)
	if len(none) != 0 {
		t.Fatalf("a window not touching the asset is listed: %+v", none)
	}
}

func TestWeeklyWindowsRepeatInsideThePeriod(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	w := incident.Window{ID: "7", Title: "Sauvegardes", Assets: []string{"st1"}, Start: "2026-09-02T02:00",
		End: "2026-09-02T03:00", Zone: "Europe/Paris", Weekly: true,
		CreatedAt: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}
	month := Month(2026, time.October, paris)
	ws := Windows([]incident.Window{w}, func([]string) bool { return true }, month)
	// Wednesdays of October 2026: 7, 14, 21 and 28.
	want := []int{7, 14, 21, 28}
	if len(ws) != len(want) {
		t.Fatalf("%d occurrences, want %d: %+v", len(ws), len(want), ws)
	}
	for i, o := range ws {
		from := o.Occurrence.From.In(paris)
		if from.Day() != want[i] || from.Hour() != 2 || o.Excluded(month) != time.Hour {
			t.Fatalf("occurrence %d: %s, %s excluded", i, from, o.Excluded(month))
		}
	}
}

func TestTouchesFollowsDependenciesUpward(t *testing.T) {
	deps := map[string][]string{"site1": {"vm1", "db1"}, "vm1": {"hv1"}, "hv1": {"dc1"}, "db1": {"vm2"}}
	touches := Touches("site1", func(n string) []string { return deps[n] })
	for _, c := range []struct {
		assets []string
		want   bool
	}{
		{[]string{"dc1"}, true}, {[]string{"vm2"}, true}, {[]string{"site1"}, true},
		{[]string{"site2", "hv9"}, false}, {nil, false},
	} {
		if got := touches(c.assets); got != c.want {
			t.Errorf("touches(%v) = %v, want %v", c.assets, got, c.want)
		}
	}
}
