package status

import (
	"fmt"
	"time"

	ics "github.com/arran4/golang-ical"
)

// observance is one change of a zone's offset, as a VTIMEZONE's STANDARD
// or DAYLIGHT sub-component tells it.
type observance struct {
	// at is the instant of the change; from and to the offsets, in
	// seconds east of UTC, before and after.
	at       time.Time
	from, to int
	name     string
	dst      bool
	// rule repeats the change every year (an RRULE), or is "".
	rule string
}

// vtimezone describes a zone from Go's time zone data over the years from
// from to to: the change in force when the first year begins, every change
// up to the end of the last year, and the last year's changes repeated
// yearly when the zone follows a rule (last Sunday of March, second
// Sunday of March, …), so that weekly events keep their offsets after the
// span.
func vtimezone(loc *time.Location, from, to time.Time) *ics.VTimezone {
	tz := ics.NewTimezone(loc.String())
	for _, o := range observances(loc, from, to) {
		var c *ics.ComponentBase
		if o.dst {
			d := &ics.Daylight{}
			tz.Components = append(tz.Components, d)
			c = &d.ComponentBase
		} else {
			c = &tz.AddStandard().ComponentBase
		}
		c.SetProperty(ics.ComponentPropertyDtStart, o.at.In(time.FixedZone("", o.from)).Format(icalLocal))
		c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(o.from))
		c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(o.to))
		if o.name != "" {
			c.SetProperty(ics.ComponentProperty(ics.PropertyTzname), o.name)
		}
		if o.rule != "" {
			c.AddRrule(o.rule)
		}
	}
	return tz
}

// observances lists a zone's changes for vtimezone.
func observances(loc *time.Location, from, to time.Time) []observance {
	first, last := from.In(loc).Year(), to.In(loc).Year()
	begin := time.Date(first, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(last+1, 1, 1, 0, 0, 0, 0, loc)
	start, next := begin.ZoneBounds()
	if start.IsZero() {
		// A zone that never changed: one offset since the epoch.
		name, off := begin.Zone()
		start = time.Date(1970, 1, 1, 0, 0, 0, 0, time.FixedZone(name, off))
		return []observance{{at: start, from: off, to: off, name: name}}
	}
	out := []observance{changeAt(start)}
	for !next.IsZero() && next.Before(end) {
		out = append(out, changeAt(next))
		_, next = next.ZoneBounds()
	}
	for k := range out {
		if out[k].at.In(time.FixedZone("", out[k].from)).Year() == last {
			out[k].rule = yearlyRule(loc, out[k])
		}
	}
	return out
}

// changeAt is the change of offset at instant at.
func changeAt(at time.Time) observance {
	name, off := at.Zone()
	_, before := at.Add(-time.Second).Zone()
	return observance{at: at, from: before, to: off, name: name, dst: at.IsDST()}
}

// yearlyRule returns the RRULE repeating a change every year on the same
// weekday of the same week of its month, or "" when the next two years
// of the zone's data do not follow it.
func yearlyRule(loc *time.Location, o observance) string {
	wall := o.at.In(time.FixedZone("", o.from))
	n := (wall.Day()-1)/7 + 1
	lastWeek := wall.Day()+7 > daysIn(wall.Year(), wall.Month())
	var candidates []int
	if lastWeek {
		candidates = append(candidates, -1)
	}
	candidates = append(candidates, n)
	for _, week := range candidates {
		if follows(loc, o, wall, week) {
			day := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}[wall.Weekday()]
			return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", int(wall.Month()), week, day)
		}
	}
	return ""
}

// follows reports whether the zone changes from o.from to o.to on the
// week-th (-1: last) same weekday of the month in each of the two years
// after wall, at the same wall-clock time.
func follows(loc *time.Location, o observance, wall time.Time, week int) bool {
	before := time.FixedZone("", o.from)
	for y := wall.Year() + 1; y <= wall.Year()+2; y++ {
		d := nthWeekday(y, wall.Month(), wall.Weekday(), week)
		at := time.Date(y, wall.Month(), d, wall.Hour(), wall.Minute(), wall.Second(), 0, before)
		_, now := at.In(loc).Zone()
		_, prev := at.Add(-time.Second).In(loc).Zone()
		if now != o.to || prev != o.from {
			return false
		}
	}
	return true
}

// nthWeekday returns the day of the month of its week-th weekday wd, or
// of its last with week -1.
func nthWeekday(y int, m time.Month, wd time.Weekday, week int) int {
	if week < 0 {
		last := daysIn(y, m)
		back := (int(time.Date(y, m, last, 0, 0, 0, 0, time.UTC).Weekday()) - int(wd) + 7) % 7
		return last - back
	}
	ahead := (int(wd) - int(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Weekday()) + 7) % 7
	return 1 + ahead + 7*(week-1)
}

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// utcOffset writes an offset as iCalendar does: "+0100", "-0430".
func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	s := fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}
