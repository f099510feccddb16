package report

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

// day0 is midnight UTC on the first day of every scenario.
var day0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// h is day0 plus n hours.
func h(n float64) time.Time { return day0.Add(time.Duration(n * float64(time.Hour))) }

func hours(n float64) time.Duration { return time.Duration(n * float64(time.Hour)) }

func TestFoldClassifiesEveryInstant(t *testing.T) {
	period := Span{h(0), h(10)}
	up, down := detect.Up, detect.Down
	cases := []struct {
		name        string
		checks      [][]Change
		maintenance []Span
		want        Availability // Span is ignored
		ratio       float64
		measured    bool
	}{
		{
			name:   "a check up since before the period is up all along",
			checks: [][]Change{{{h(-5), up}}},
			want:   Availability{Up: hours(10)}, ratio: 1, measured: true,
		},
		{
			name:   "one hour down out of ten",
			checks: [][]Change{{{h(-5), up}, {h(3), down}, {h(4), up}}},
			want:   Availability{Up: hours(9), Down: hours(1)}, ratio: 0.9, measured: true,
		},
		{
			name:   "time before the first state is unknown and left out",
			checks: [][]Change{{{h(5), up}, {h(9), down}}},
			want:   Availability{Up: hours(4), Down: hours(1), Unknown: hours(5)}, ratio: 0.8, measured: true,
		},
		{
			name:        "announced maintenance removes down time from both sides",
			checks:      [][]Change{{{h(-1), up}, {h(2), down}, {h(4), up}}},
			maintenance: []Span{{h(1), h(3)}},
			want:        Availability{Up: hours(7), Down: hours(1), Maintenance: hours(2)}, ratio: 7.0 / 8, measured: true,
		},
		{
			name:        "maintenance overrides unknown time too",
			checks:      [][]Change{{{h(4), up}}},
			maintenance: []Span{{h(2), h(6)}},
			want:        Availability{Up: hours(4), Maintenance: hours(4), Unknown: hours(2)}, ratio: 1, measured: true,
		},
		{
			name: "the asset is down when any of its checks is",
			checks: [][]Change{
				{{h(-1), up}, {h(1), down}, {h(2), up}},
				{{h(-1), up}, {h(1.5), down}, {h(3), up}},
			},
			want: Availability{Up: hours(8), Down: hours(2)}, ratio: 0.8, measured: true,
		},
		{
			name:   "a check never judged does not hold the others back",
			checks: [][]Change{{}, {{h(-1), up}}},
			want:   Availability{Up: hours(10)}, ratio: 1, measured: true,
		},
		{
			name:   "nothing known is no data",
			checks: [][]Change{{}},
			want:   Availability{Unknown: hours(10)},
		},
		{
			name:   "the last change before the period gives its state at the start",
			checks: [][]Change{{{h(-9), up}, {h(-2), down}, {h(1), up}}},
			want:   Availability{Up: hours(9), Down: hours(1)}, ratio: 0.9, measured: true,
		},
		{
			name:        "a change at the edge of a window counts on its side",
			checks:      [][]Change{{{h(0), down}, {h(5), up}}},
			maintenance: []Span{{h(-3), h(5)}},
			want:        Availability{Up: hours(5), Maintenance: hours(5)}, ratio: 1, measured: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tl := Fold(period, c.checks, c.maintenance)
			got := tl.Sum(period)
			got.Span = Span{}
			if got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
			ratio, ok := got.Ratio()
			if ok != c.measured || ratio != c.ratio {
				t.Fatalf("ratio %v (measured %v), want %v (%v)", ratio, ok, c.ratio, c.measured)
			}
			var total time.Duration
			for i, s := range tl.Segments {
				total += s.Duration()
				if i > 0 && (!s.From.Equal(tl.Segments[i-1].To) || s.Class == tl.Segments[i-1].Class) {
					t.Fatalf("segments %d and %d are not contiguous and distinct: %+v", i-1, i, tl.Segments)
				}
			}
			if total != period.Duration() {
				t.Fatalf("segments cover %s of %s", total, period.Duration())
			}
		})
	}
}

func TestDaysFollowTheCalendarOfTheZoneAcrossDaylightSaving(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		year  int
		month time.Month
		days  int
		// short and long name the day of the month lasting 23 or 25 hours.
		short, long int
		total       time.Duration
	}{
		{2026, time.March, 31, 29, 0, 31*24*time.Hour - time.Hour},
		{2026, time.October, 31, 0, 25, 31*24*time.Hour + time.Hour},
		{2026, time.February, 28, 0, 0, 28 * 24 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.month.String(), func(t *testing.T) {
			m := Month(c.year, c.month, paris)
			// Down for the first hour of the month in Paris, which is the
			// last hour of the month before in UTC.
			tl := Fold(m, [][]Change{{{m.From.Add(-time.Hour), detect.Down}, {m.From.Add(time.Hour), detect.Up}}}, nil)
			days := tl.Days(paris)
			if len(days) != c.days {
				t.Fatalf("%d days, want %d", len(days), c.days)
			}
			var total time.Duration
			for i, d := range days {
				n := i + 1
				if d.Date.Day() != n || d.Date.Hour() != 0 || d.Date.Location() != paris {
					t.Fatalf("day %d starts at %s", n, d.Date)
				}
				want := 24 * time.Hour
				switch n {
				case c.short:
					want = 23 * time.Hour
				case c.long:
					want = 25 * time.Hour
				}
				if got := d.Up + d.Down + d.Unknown + d.Maintenance; got != want {
					t.Fatalf("day %d lasts %s, want %s", n, got, want)
				}
				total += d.Duration()
			}
			if total != c.total || m.Duration() != c.total {
				t.Fatalf("the days add up to %s and the month to %s, want %s", total, m.Duration(), c.total)
			}
			if days[0].Down != time.Hour || days[1].Down != 0 {
				t.Fatalf("the first hour of the month in Paris is the first day's: %s, then %s", days[0].Down, days[1].Down)
			}
		})
	}
}

func TestDaysAreClippedToThePeriod(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	m := Month(2026, time.December, paris)
	now := time.Date(2026, 12, 7, 14, 30, 0, 0, paris)
	period := m.clip(Span{m.From, now})
	days := Fold(period, [][]Change{{{m.From.Add(-time.Hour), detect.Up}}}, nil).Days(paris)
	if len(days) != 7 {
		t.Fatalf("%d days up to the 7th, want 7", len(days))
	}
	if last := days[6]; last.Up != 14*time.Hour+30*time.Minute {
		t.Fatalf("the day under way counts %s, want 14h30m", last.Up)
	}
}
