package status

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

func parseCalendar(t *testing.T, body string) *ics.Calendar {
	t.Helper()
	if !strings.Contains(body, "\r\n") || strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") {
		t.Fatalf("lines not ended by CRLF")
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return cal
}

func prop(c *ics.ComponentBase, p ics.ComponentProperty) string {
	if v := c.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

func TestCalendarParsesBackWithStableEvents(t *testing.T) {
	b := bundle(t)
	_, docs := render(t, fullInput(), "", b)
	later := fullInput()
	later.Now = fixedNow.Add(3 * time.Hour)
	_, docs2 := render(t, later, "", b)
	for _, path := range []string{"/maintenance.ics", "/en/maintenance.ics"} {
		events := checkEvents(t, path, parseCalendar(t, docs[path]))
		for _, tt := range []struct {
			uid, seq, status, rrule string
			start, end              time.Time
		}{
			{"maintenance-mw-kernel@travaux.example.org", "2", "CONFIRMED", "", at(2026, 11, 27, 2, 0), at(2026, 11, 27, 4, 0)},
			{"maintenance-mw-mail@travaux.example.org", "3", "CANCELLED", "",
				time.Date(2026, 11, 25, 22, 0, 0, 0, mustZone("America/Montreal")), time.Date(2026, 11, 25, 23, 0, 0, 0, mustZone("America/Montreal"))},
			// A weekly window's event is its first occurrence, repeated.
			{"maintenance-mw-backup@travaux.example.org", "1", "CONFIRMED", "FREQ=WEEKLY", at(2026, 10, 4, 3, 0), at(2026, 10, 4, 3, 30)},
			{"maintenance-mw-vps@travaux.example.org", "0", "CONFIRMED", "", at(2026, 11, 20, 9, 30), at(2026, 11, 20, 11, 0)},
		} {
			ev := events[tt.uid]
			if ev == nil {
				t.Errorf("%s: no event %s in %v", path, tt.uid, keys(events))
				continue
			}
			c := &ev.ComponentBase
			got := []string{prop(c, ics.ComponentPropertySequence), prop(c, ics.ComponentPropertyStatus), prop(c, ics.ComponentPropertyRrule)}
			if want := []string{tt.seq, tt.status, tt.rrule}; !slices.Equal(got, want) {
				t.Errorf("%s %s: SEQUENCE, STATUS, RRULE %q, want %q", path, tt.uid, got, want)
			}
			start, errS := ev.GetStartAt()
			end, errE := ev.GetEndAt()
			if errS != nil || errE != nil || !start.Equal(tt.start) || !end.Equal(tt.end) {
				t.Errorf("%s %s: %v – %v (%v %v), want %v – %v", path, tt.uid, start, end, errS, errE, tt.start, tt.end)
			}
		}
		events2 := checkEvents(t, path, parseCalendar(t, docs2[path]))
		if uids, uids2 := keys(events), keys(events2); !slices.Equal(uids, uids2) {
			t.Errorf("%s: UIDs %v, then %v in a later build", path, uids, uids2)
		}
	}
	if !strings.Contains(docs["/maintenance.ics"], "SUMMARY:Mise à jour du noyau") || !strings.Contains(docs["/en/maintenance.ics"], "SUMMARY:Kernel update") {
		t.Errorf("summaries not in the calendar's language")
	}
}

// TestCalendarMarksTextsInTheOtherLanguage proves a window's summary or
// description shown in the other language, for want of a translation, is
// followed by the pages' marker in its own language.
func TestCalendarMarksTextsInTheOtherLanguage(t *testing.T) {
	in := fullInput()
	in.Windows[0].Description = "" // mw-kernel: "Servers restart." only
	_, docs := render(t, in, "", bundle(t))
	fr := checkEvents(t, "/maintenance.ics", parseCalendar(t, docs["/maintenance.ics"]))
	en := checkEvents(t, "/en/maintenance.ics", parseCalendar(t, docs["/en/maintenance.ics"]))
	const kernel, vps = "maintenance-mw-kernel@travaux.example.org", "maintenance-mw-vps@travaux.example.org"
	field := func(events map[string]*ics.VEvent, uid string, p ics.ComponentProperty) string {
		t.Helper()
		ev := events[uid]
		if ev == nil {
			t.Fatalf("no event %s", uid)
		}
		return prop(&ev.ComponentBase, p)
	}
	for _, tt := range []struct{ what, got, want string }{
		{"en summary in French", field(en, vps, ics.ComponentPropertySummary), "Migration du VPS (en français)"},
		{"fr summary", field(fr, vps, ics.ComponentPropertySummary), "Migration du VPS"},
		{"en summary translated", field(en, kernel, ics.ComponentPropertySummary), "Kernel update"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.what, tt.got, tt.want)
		}
	}
	for _, tt := range []struct{ what, got, want string }{
		{"fr description in English", field(fr, kernel, ics.ComponentPropertyDescription), "Servers restart. (English)"},
		{"en description", field(en, kernel, ics.ComponentPropertyDescription), "Servers restart."},
	} {
		first, _, _ := strings.Cut(tt.got, "\n")
		if first != tt.want {
			t.Errorf("%s: %q, want it to start with %q", tt.what, tt.got, tt.want)
		}
	}
}

// checkEvents checks that every event has its properties and times in a
// zone the calendar describes, and returns them by UID.
func checkEvents(t *testing.T, path string, cal *ics.Calendar) map[string]*ics.VEvent {
	t.Helper()
	zones := map[string]bool{}
	for _, tz := range cal.Timezones() {
		zones[prop(&tz.ComponentBase, ics.ComponentPropertyTzid)] = true
	}
	events := map[string]*ics.VEvent{}
	for _, ev := range cal.Events() {
		events[ev.Id()] = ev
		for _, p := range []ics.ComponentProperty{ics.ComponentPropertyDtStart, ics.ComponentPropertyDtEnd} {
			tzid := ev.GetProperty(p).ICalParameters["TZID"]
			if len(tzid) != 1 || !zones[tzid[0]] {
				t.Errorf("%s %s: %s TZID %v, want one of the VTIMEZONEs %v", path, ev.Id(), p, tzid, zones)
			}
		}
		for _, p := range []ics.ComponentProperty{ics.ComponentPropertyDtstamp, ics.ComponentPropertyLastModified,
			ics.ComponentPropertySummary, ics.ComponentPropertyDescription, ics.ComponentPropertyUrl} {
			if prop(&ev.ComponentBase, p) == "" {
				t.Errorf("%s %s: no %s", path, ev.Id(), p)
			}
		}
	}
	if len(events) != 4 || len(zones) != 2 {
		t.Errorf("%s: %d events in %d zones, want 4 in Paris and Montreal", path, len(events), len(zones))
	}
	return events
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// offsetFrom reads a VTIMEZONE as a calendar client does: the offset at
// an instant is the TZOFFSETTO of the latest observance begun before it,
// expanding yearly rules. It is written apart from vtimezone's own code.
func offsetFrom(t *testing.T, tz *ics.VTimezone, at time.Time) int {
	t.Helper()
	best, offset := time.Time{}, 0
	for _, sub := range tz.Components {
		var c *ics.ComponentBase
		switch s := sub.(type) {
		case *ics.Standard:
			c = &s.ComponentBase
		case *ics.Daylight:
			c = &s.ComponentBase
		default:
			continue
		}
		from, to := parseOffset(t, prop(c, ics.ComponentProperty(ics.PropertyTzoffsetfrom))), parseOffset(t, prop(c, ics.ComponentProperty(ics.PropertyTzoffsetto)))
		wall, err := time.ParseInLocation("20060102T150405", prop(c, ics.ComponentPropertyDtStart), time.FixedZone("", from))
		if err != nil {
			t.Fatal(err)
		}
		starts := []time.Time{wall}
		if rule := prop(c, ics.ComponentPropertyRrule); rule != "" {
			starts = yearly(t, rule, wall, at.Year())
		}
		for _, s := range starts {
			if !s.After(at) && s.After(best) {
				best, offset = s, to
			}
		}
	}
	if best.IsZero() {
		t.Fatalf("no observance before %v", at)
	}
	return offset
}

// yearly expands FREQ=YEARLY;BYMONTH=m;BYDAY=nDD from start to year.
func yearly(t *testing.T, rule string, start time.Time, year int) []time.Time {
	var month, week int
	var day string
	if _, err := fmt.Sscanf(strings.ReplaceAll(strings.ReplaceAll(rule, ";", " "), "=", " "), "FREQ YEARLY BYMONTH %d BYDAY %s", &month, &day); err != nil {
		t.Fatalf("rule %q: %v", rule, err)
	}
	week, err := strconv.Atoi(day[:len(day)-2])
	if err != nil {
		t.Fatalf("rule %q: %v", rule, err)
	}
	wd := map[string]time.Weekday{"SU": 0, "MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6}[day[len(day)-2:]]
	var out []time.Time
	for y := start.Year(); y <= year; y++ {
		var matches []int
		for d := 1; d <= 31; d++ {
			if dt := time.Date(y, time.Month(month), d, 0, 0, 0, 0, time.UTC); dt.Month() == time.Month(month) && dt.Weekday() == wd {
				matches = append(matches, d)
			}
		}
		d := matches[len(matches)-1]
		if week > 0 {
			d = matches[week-1]
		}
		out = append(out, time.Date(y, time.Month(month), d, start.Hour(), start.Minute(), start.Second(), 0, start.Location()))
	}
	return out
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[3:5])
	if err1 != nil || err2 != nil || (s[0] != '+' && s[0] != '-') {
		t.Fatalf("offset %q", s)
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off
}

func TestVTimezoneGivesGosOffsetsYearsAfterItsEvents(t *testing.T) {
	for _, tt := range []struct {
		zone           string
		summer, winter int
	}{
		{"Europe/Paris", 2 * 3600, 3600},
		{"America/Montreal", -4 * 3600, -5 * 3600},
		{"UTC", 0, 0},
		{"Asia/Tokyo", 9 * 3600, 9 * 3600},
	} {
		loc := mustZone(tt.zone)
		cal := ics.NewCalendar()
		cal.AddVTimezone(vtimezone(loc, time.Date(2026, 11, 27, 2, 0, 0, 0, loc), time.Date(2026, 11, 27, 4, 0, 0, 0, loc)))
		parsed := parseCalendar(t, cal.Serialize(ics.WithNewLineWindows))
		tz := parsed.Timezones()[0]
		if got := prop(&tz.ComponentBase, ics.ComponentPropertyTzid); got != tt.zone {
			t.Errorf("TZID %q, want %q", got, tt.zone)
		}
		if got := offsetFrom(t, tz, time.Date(2026, 7, 14, 12, 0, 0, 0, time.UTC)); got != tt.summer {
			t.Errorf("%s in summer: %d, want %d", tt.zone, got, tt.summer)
		}
		if got := offsetFrom(t, tz, time.Date(2026, 12, 24, 12, 0, 0, 0, time.UTC)); got != tt.winter {
			t.Errorf("%s in winter: %d, want %d", tt.zone, got, tt.winter)
		}
		// Every hour around every change of the next years, as Go knows it.
		for at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); at.Year() < 2031; at = at.Add(time.Hour) {
			_, want := at.In(loc).Zone()
			if got := offsetFrom(t, tz, at); got != want {
				t.Fatalf("%s at %v: %d, want %d", tt.zone, at, got, want)
			}
		}
	}
}
