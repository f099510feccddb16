package status

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// resolvedOutage is a resolved outage of roots from from to to.
func resolvedOutage(id int64, sev incident.Severity, from, to time.Time, roots ...string) incident.Incident {
	return incident.Incident{ID: id, Status: incident.Resolved, Severity: sev, Cause: incident.CauseOutage,
		RootAssets: roots, ImpactStartedAt: from, DetectedAt: from, ResolvedAt: &to}
}

func component(t *testing.T, p *Page, id string) *Component {
	t.Helper()
	for i := range p.Components {
		if p.Components[i].ID == id {
			return &p.Components[i]
		}
	}
	t.Fatalf("no component %s", id)
	return nil
}

func dayOf(t *testing.T, c *Component, y int, m time.Month, d int) Day {
	t.Helper()
	for _, day := range c.Days {
		if dy, dm, dd := day.Date.Date(); dy == y && dm == m && dd == d {
			return day
		}
	}
	t.Fatalf("%s has no bar for %d-%02d-%02d", c.ID, y, m, d)
	return Day{}
}

func TestBarsAreCalendarDaysAcrossDaylightSaving(t *testing.T) {
	tests := []struct {
		name     string
		now      time.Time
		day      [3]int
		wantDown time.Duration
	}{
		{"the night clocks go back lasts 25 hours", at(2026, 11, 20, 10, 0), [3]int{2026, 10, 25}, 25 * time.Hour},
		{"the night clocks go forward lasts 23 hours", at(2026, 4, 10, 12, 0), [3]int{2026, 3, 29}, 23 * time.Hour},
	}
	b := bundle(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := baseInput()
			in.Now = tt.now
			y, m, d := tt.day[0], time.Month(tt.day[1]), tt.day[2]
			// Down from 22:00 the day before to 02:00 the day after.
			in.Incidents = []incident.Incident{resolvedOutage(1, incident.Major, at(y, m, d-1, 22, 0), at(y, m, d+1, 2, 0), "svc-dns")}
			c := component(t, Build(in, "", b), "dns")
			if len(c.Days) != 90 {
				t.Fatalf("%d bars, want 90", len(c.Days))
			}
			for k, day := range c.Days {
				h, mi, s := day.Date.Clock()
				if day.Date.Location() != paris || h != 0 || mi != 0 || s != 0 {
					t.Fatalf("bar %d starts at %v, want midnight in Paris", k, day.Date)
				}
				if k > 0 {
					py, pm, pd := c.Days[k-1].Date.Date()
					if want := time.Date(py, pm, pd+1, 0, 0, 0, 0, paris); !day.Date.Equal(want) {
						t.Fatalf("bar %d is %v, want the next calendar day %v", k, day.Date, want)
					}
				}
			}
			if ny, nm, nd := tt.now.Date(); c.Days[89].Date != time.Date(ny, nm, nd, 0, 0, 0, 0, paris) {
				t.Errorf("last bar %v, want today", c.Days[89].Date)
			}
			for _, tc := range []struct {
				d    int
				down time.Duration
			}{{d - 1, 2 * time.Hour}, {d, tt.wantDown}, {d + 1, 2 * time.Hour}} {
				day := dayOf(t, c, y, m, tc.d)
				if day.Down != tc.down || day.Worst != MajorOutage || !slices.Equal(day.Incidents, []int64{1}) {
					t.Errorf("%d-%02d-%02d: down %v worst %s incidents %v, want %v major_outage [1]",
						y, m, tc.d, day.Down, day.Worst, day.Incidents, tc.down)
				}
			}
			if day := dayOf(t, c, y, m, d+2); day.Down != 0 || day.Worst != Operational || day.Incidents != nil {
				t.Errorf("the day after: %+v, want a clean day", day)
			}
		})
	}
}

func TestUptimeCountsPartialOutageAtThirtyPercent(t *testing.T) {
	in := baseInput()
	day := func(h int) time.Time { return at(2026, 11, 10, h, 0) }
	in.Incidents = []incident.Incident{
		// DNS: 9 hours of major outage.
		resolvedOutage(1, incident.Major, day(1), day(10), "svc-dns"),
		// Shared hosting: 10 hours of partial outage (one web VM of two),
		// 3 of which in major outage (both).
		resolvedOutage(2, incident.Major, day(2), day(12), "vm-web-01"),
		resolvedOutage(3, incident.Major, day(5), day(8), "hv-01", "hv-02"),
		// Degraded performance is no downtime.
		resolvedOutage(4, incident.Minor, day(13), day(20), "svc-mail"),
	}
	p := Build(in, "", bundle(t))
	hours := float64(History / time.Hour)
	for _, tt := range []struct {
		id       string
		want     float64
		wantDown time.Duration
	}{
		{"dns", 1 - 9/hours, 9 * time.Hour},
		{"hebergement-mutualise", 1 - (3+0.3*7)/hours, 10 * time.Hour},
		{"messagerie", 1 - 3/hours, 3 * time.Hour},
		{"vps", 1 - 3/hours, 3 * time.Hour},
	} {
		c := component(t, p, tt.id)
		if math.Abs(c.Uptime-tt.want) > 1e-9 {
			t.Errorf("%s uptime %.6f, want %.6f", tt.id, c.Uptime, tt.want)
		}
		if d := dayOf(t, c, 2026, 11, 10); d.Down != tt.wantDown {
			t.Errorf("%s down %v on the day, want %v", tt.id, d.Down, tt.wantDown)
		}
	}
	if d := dayOf(t, component(t, p, "messagerie"), 2026, 11, 10); d.Worst != MajorOutage || !slices.Equal(d.Incidents, []int64{3, 4}) {
		t.Errorf("mail's day: %+v, want major outage from incidents 3 and 4", d)
	}
	if c := component(t, p, "dns"); c.UpdatedAt != day(10) {
		t.Errorf("dns updated at %v, want its last change %v", c.UpdatedAt, day(10))
	}
}

func TestBarsShowEveryWeekOfAWeeklyWindow(t *testing.T) {
	in := baseInput()
	in.Windows = []incident.Window{{ID: "w-weekly", Title: "Sauvegardes", Assets: []string{"vm-mail-01"}, Zone: "Europe/Paris",
		Start: "2026-10-01T03:00", End: "2026-10-01T04:00", Weekly: true}}
	c := component(t, Build(in, "", bundle(t)), "messagerie")
	var marked []string
	for _, d := range c.Days {
		if d.Worst == UnderMaintenance && slices.Equal(d.Maintenance, []string{"w-weekly"}) && d.Down == 0 {
			marked = append(marked, d.Date.Format("01-02"))
		}
	}
	// Every Thursday from October 1st to November 19th.
	want := []string{"10-01", "10-08", "10-15", "10-22", "10-29", "11-05", "11-12", "11-19"}
	if !slices.Equal(marked, want) {
		t.Errorf("maintenance bars %v, want %v", marked, want)
	}
	if c.Uptime != 1 {
		t.Errorf("uptime %v, want 1: maintenance is no downtime", c.Uptime)
	}
}
