package incident

import (
	"testing"
	"time"
)

func TestSuggestSlotIsTheNextFreeNightInItsZoneAcrossDaylightSavingChanges(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	montreal, err := time.LoadLocation("America/Montreal")
	if err != nil {
		t.Fatal(err)
	}
	night := Night{Start: "02:00", End: "04:00", Zone: paris}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	win := func(start, end string) Window {
		return Window{ID: "1", Title: "x", Assets: []string{"hv1"}, Start: start, End: end, Zone: "Europe/Paris"}
	}
	cancelled := win("2026-12-08T02:00", "2026-12-08T04:00")
	cancelled.Cancelled = true
	weekly := win("2026-12-01T01:00", "2026-12-01T03:00")
	weekly.Weekly = true
	for _, tc := range []struct {
		name           string
		now            time.Time
		night          Night
		others         []Window
		start, end     string
		fromUTC, toUTC string
	}{
		{name: "in the afternoon, tonight", now: utc("2026-12-07T13:00:00Z"), night: night,
			start: "2026-12-08T02:00", end: "2026-12-08T04:00", fromUTC: "2026-12-08T01:00:00Z", toUTC: "2026-12-08T03:00:00Z"},
		{name: "just after tonight's start, the next night", now: utc("2026-12-08T01:00:00Z"), night: night,
			start: "2026-12-09T02:00", end: "2026-12-09T04:00", fromUTC: "2026-12-09T01:00:00Z", toUTC: "2026-12-09T03:00:00Z"},
		{name: "a window tonight moves it to tomorrow", now: utc("2026-12-07T13:00:00Z"), night: night,
			others: []Window{win("2026-12-08T03:30", "2026-12-08T05:00")},
			start:  "2026-12-09T02:00", end: "2026-12-09T04:00", fromUTC: "2026-12-09T01:00:00Z", toUTC: "2026-12-09T03:00:00Z"},
		{name: "a window verifying into the night moves it too", now: utc("2026-12-07T13:00:00Z"), night: night,
			others: []Window{win("2026-12-08T00:30", "2026-12-08T01:50")},
			start:  "2026-12-09T02:00", end: "2026-12-09T04:00", fromUTC: "2026-12-09T01:00:00Z", toUTC: "2026-12-09T03:00:00Z"},
		{name: "a window ending before the night leaves it free", now: utc("2026-12-07T13:00:00Z"), night: night,
			others: []Window{win("2026-12-08T00:30", "2026-12-08T01:30")},
			start:  "2026-12-08T02:00", end: "2026-12-08T04:00", fromUTC: "2026-12-08T01:00:00Z", toUTC: "2026-12-08T03:00:00Z"},
		{name: "a cancelled window is no obstacle", now: utc("2026-12-07T13:00:00Z"), night: night,
			others: []Window{cancelled},
			start:  "2026-12-08T02:00", end: "2026-12-08T04:00", fromUTC: "2026-12-08T01:00:00Z", toUTC: "2026-12-08T03:00:00Z"},
		{name: "a weekly window blocks its night every week", now: utc("2026-12-07T13:00:00Z"), night: night,
			others: []Window{weekly, win("2026-12-08T02:00", "2026-12-08T04:00")},
			start:  "2026-12-09T02:00", end: "2026-12-09T04:00", fromUTC: "2026-12-09T01:00:00Z", toUTC: "2026-12-09T03:00:00Z"},
		{name: "the weekly window's own night is skipped", now: utc("2026-12-14T13:00:00Z"), night: night,
			others: []Window{weekly},
			start:  "2026-12-16T02:00", end: "2026-12-16T04:00", fromUTC: "2026-12-16T01:00:00Z", toUTC: "2026-12-16T03:00:00Z"},
		{name: "summer time: 02:00 Paris is midnight UTC", now: utc("2027-06-10T13:00:00Z"), night: night,
			start: "2027-06-11T02:00", end: "2027-06-11T04:00", fromUTC: "2027-06-11T00:00:00Z", toUTC: "2027-06-11T02:00:00Z"},
		{name: "the night the clocks go forward is one hour short: skipped", now: utc("2027-03-27T13:00:00Z"), night: night,
			start: "2027-03-29T02:00", end: "2027-03-29T04:00", fromUTC: "2027-03-29T00:00:00Z", toUTC: "2027-03-29T02:00:00Z"},
		{name: "the night before the clocks go forward is still winter time", now: utc("2027-03-26T13:00:00Z"), night: night,
			start: "2027-03-27T02:00", end: "2027-03-27T04:00", fromUTC: "2027-03-27T01:00:00Z", toUTC: "2027-03-27T03:00:00Z"},
		{name: "the night the clocks go back is the widest: 02:00 summer time to 04:00 winter time", now: utc("2026-10-24T13:00:00Z"), night: night,
			start: "2026-10-25T02:00", end: "2026-10-25T04:00", fromUTC: "2026-10-25T00:00:00Z", toUTC: "2026-10-25T03:00:00Z"},
		{name: "a night over midnight in another zone", now: utc("2026-12-07T13:00:00Z"), night: Night{Start: "23:00", End: "01:00", Zone: montreal},
			start: "2026-12-07T23:00", end: "2026-12-08T01:00", fromUTC: "2026-12-08T04:00:00Z", toUTC: "2026-12-08T06:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := SuggestSlot(tc.now, tc.night, tc.others)
			if !ok {
				t.Fatal("no slot found")
			}
			if got.Start != tc.start || got.End != tc.end || got.Zone != tc.night.Zone.String() {
				t.Errorf("slot %s – %s (%s), want %s – %s (%s)", got.Start, got.End, got.Zone, tc.start, tc.end, tc.night.Zone)
			}
			s, e, ok := got.Occurrence(tc.now)
			if !ok || !s.Equal(utc(tc.fromUTC)) || !e.Equal(utc(tc.toUTC)) {
				t.Errorf("slot runs %s – %s UTC, want %s – %s", s.UTC().Format(time.RFC3339), e.UTC().Format(time.RFC3339), tc.fromUTC, tc.toUTC)
			}
			if got.Weekly || len(got.Validate()) != 1 { // only its assets are missing
				t.Errorf("the slot is not a valid one-off window but for its assets: %v", got.Validate())
			}
		})
	}
}

func TestSuggestSlotFindsNothingForABadNightOrNoFreeNight(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 13, 0, 0, 0, time.UTC)
	every := Window{ID: "1", Title: "x", Assets: []string{"hv1"}, Start: "2026-12-07T12:00", End: "2027-06-01T00:00", Zone: "Europe/Paris"}
	for name, tc := range map[string]struct {
		night  Night
		others []Window
	}{
		"no zone":          {night: Night{Start: "02:00", End: "04:00"}},
		"a start no time":  {night: Night{Start: "2h", End: "04:00", Zone: paris}},
		"an end no time":   {night: Night{Start: "02:00", End: "", Zone: paris}},
		"every night busy": {night: Night{Start: "02:00", End: "04:00", Zone: paris}, others: []Window{every}},
	} {
		if w, ok := SuggestSlot(now, tc.night, tc.others); ok {
			t.Errorf("%s: suggested %+v", name, w)
		}
	}
}
