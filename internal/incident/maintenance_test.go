package incident

import (
	"slices"
	"testing"
	"time"
)

func paris(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestWindowStatesMoveWithTime(t *testing.T) {
	w := Window{ID: "m1", Assets: []string{"hv03"}, Zone: "Europe/Paris", Start: "2026-11-27T02:00", End: "2026-11-27T04:00"}
	tests := []struct {
		at   string
		want MaintenanceState
	}{
		{"2026-11-27T01:59", Scheduled},
		{"2026-11-27T02:00", InProgress},
		{"2026-11-27T03:59", InProgress},
		{"2026-11-27T04:00", Verifying},
		{"2026-11-27T04:14", Verifying},
		{"2026-11-27T04:15", Completed},
		{"2026-12-04T02:30", Completed}, // a one-off window does not come back
	}
	for _, tt := range tests {
		if got := w.State(paris(t, tt.at)); got != tt.want {
			t.Errorf("at %s: %s, want %s", tt.at, got, tt.want)
		}
	}
	// The same instants seen from Montreal are the same states.
	mtl, _ := time.LoadLocation("America/Montreal")
	if got := w.State(paris(t, "2026-11-27T03:00").In(mtl)); got != InProgress {
		t.Fatalf("from Montreal: %s", got)
	}
}

func TestWeeklyWindowsKeepTheirWallClockAcrossDaylightSaving(t *testing.T) {
	// Every Sunday 02:00–04:00 Paris. On 2027-03-28 clocks jump from 02:00
	// to 03:00: that night's window lasts one hour, then the next week is at
	// 02:00 summer time again.
	w := Window{ID: "m2", Assets: []string{"st01"}, Zone: "Europe/Paris", Start: "2027-03-21T02:00", End: "2027-03-21T04:00", Weekly: true}
	tests := []struct {
		at        string
		state     MaintenanceState
		wantStart string
	}{
		{"2027-03-21T03:00", InProgress, "2027-03-21T02:00"},
		{"2027-03-22T12:00", Scheduled, "2027-03-28T03:00"},
		{"2027-03-28T03:30", InProgress, "2027-03-28T03:00"},
		{"2027-04-04T02:30", InProgress, "2027-04-04T02:00"},
		{"2027-04-04T05:00", Scheduled, "2027-04-11T02:00"},
	}
	for _, tt := range tests {
		at := paris(t, tt.at)
		start, _, ok := w.Occurrence(at)
		if !ok || w.State(at) != tt.state || !start.Equal(paris(t, tt.wantStart)) {
			t.Errorf("at %s: state %s, occurrence %s; want %s at %s", tt.at, w.State(at),
				start.In(paris(t, tt.at).Location()).Format("2006-01-02T15:04"), tt.state, tt.wantStart)
		}
	}
	// On 2026-10-25 02:00–03:00 happens twice: that window lasts 3 hours.
	fall := Window{ID: "m3", Assets: []string{"x"}, Zone: "Europe/Paris", Start: "2026-10-25T02:00", End: "2026-10-25T04:00"}
	start, end, _ := fall.Occurrence(paris(t, "2026-10-25T01:00"))
	if d := end.Sub(start); d != 3*time.Hour {
		t.Fatalf("fall-back night window lasts %s", d)
	}
}

func TestWindowValidation(t *testing.T) {
	tests := []struct {
		w    Window
		want []string
	}{
		{Window{Assets: []string{"a"}, Zone: "Europe/Paris", Start: "2026-11-27T02:00", End: "2026-11-27T04:00"}, nil},
		{Window{Zone: "Europe/Paris", Start: "2026-11-27T02:00", End: "2026-11-27T04:00"}, []string{"assets"}},
		{Window{Assets: []string{"a"}, Zone: "Mars/Olympus", Start: "2026-11-27T02:00", End: "2026-11-27T04:00"}, []string{"zone"}},
		{Window{Assets: []string{"a"}, Zone: "Local", Start: "2026-11-27T02:00", End: "2026-11-27T04:00"}, []string{"zone"}},
		{Window{Assets: []string{"a"}, Zone: "Europe/Paris", Start: "tonight", End: "2026-11-27T04:00"}, []string{"start"}},
		{Window{Assets: []string{"a"}, Zone: "Europe/Paris", Start: "2026-11-27T04:00", End: "2026-11-27T02:00"}, []string{"end"}},
		{Window{Assets: []string{"a"}, Zone: "Europe/Paris", Start: "2026-11-27T02:00", End: "2026-12-05T02:00", Weekly: true}, []string{"end"}},
	}
	for i, tt := range tests {
		var fields []string
		for _, e := range tt.w.Validate() {
			fields = append(fields, e.Field)
		}
		if !slices.Equal(fields, tt.want) {
			t.Errorf("case %d: problems on %v, want %v", i, fields, tt.want)
		}
	}
}

// chain is a -> b -> c: c depends on b, b on a.
type chain map[string]string

func (c chain) PathTo(from []string, to string) []string {
	for _, f := range from {
		path := []string{f}
		for cur := f; ; {
			next, ok := c[cur]
			if !ok {
				break
			}
			path = append(path, next)
			if next == to {
				return path
			}
			cur = next
		}
	}
	return nil
}

func TestMutesAskedInOnePlace(t *testing.T) {
	deps := chain{"site": "vm", "vm": "hv"}
	w := Window{ID: "m1", Title: "kernel upgrade", Assets: []string{"hv"}, Zone: "Europe/Paris", Start: "2026-11-27T02:00", End: "2026-11-27T04:00"}
	mutes := AllMutes{
		Maintenances{Windows: []Window{w}, Graph: deps},
		Silences{{Asset: "other", Until: paris(t, "2026-11-27T12:00"), Reason: "known flaky"}},
	}
	tests := []struct {
		asset, at string
		want      bool
	}{
		{"site", "2026-11-27T03:00", true}, // in the window's scope through vm
		{"hv", "2026-11-27T03:00", true},
		{"site", "2026-11-27T04:30", false}, // verifying: muted no more
		{"unrelated", "2026-11-27T03:00", false},
		{"other", "2026-11-27T11:00", true},
		{"other", "2026-11-27T12:00", false},
	}
	for _, tt := range tests {
		if got, why := mutes.Muted(tt.asset, paris(t, tt.at)); got != tt.want {
			t.Errorf("%s at %s: muted=%v (%s), want %v", tt.asset, tt.at, got, why, tt.want)
		}
	}
}
