package incident

import (
	"fmt"
	"time"
)

// Night is the daily span maintenance is done in: wall-clock times such
// as "02:00" and "04:00" in Zone (an end not after the start is on the
// next day, "23:00"–"01:00").
type Night struct {
	Start, End string
	Zone       *time.Location
}

// DefaultNight is the reference host's night: 02:00 to 04:00, Paris time.
func DefaultNight() Night {
	loc, err := time.LoadLocation(DefaultZone)
	if err != nil {
		loc = time.UTC
	}
	return Night{Start: "02:00", End: "04:00", Zone: loc}
}

// maxNights is how far ahead SuggestSlot looks for a free night.
const maxNights = 92

// SuggestSlot returns the first night whose span begins after now and
// overlaps no other window (any window not cancelled, from its start to
// the end of its verification: one maintenance at a time), as a one-off
// window of local times in the night's zone. A night made short by the
// clocks going forward is skipped: the work planned for two hours would
// get one. ok is false when the night is invalid or no night is free
// within three months.
func SuggestSlot(now time.Time, n Night, others []Window) (w Window, ok bool) {
	if n.Zone == nil {
		return Window{}, false
	}
	sh, sm, err1 := clockTime(n.Start)
	eh, em, err2 := clockTime(n.End)
	if err1 != nil || err2 != nil {
		return Window{}, false
	}
	nominal := time.Duration(eh*60+em-sh*60-sm) * time.Minute
	if nominal <= 0 {
		nominal += 24 * time.Hour
	}
	day := now.In(n.Zone)
	for k := range maxNights {
		d := time.Date(day.Year(), day.Month(), day.Day()+k, 12, 0, 0, 0, n.Zone)
		end := d
		if eh*60+em <= sh*60+sm {
			end = d.AddDate(0, 0, 1)
		}
		c := Window{Start: fmt.Sprintf("%s%02d:%02d", d.Format("2006-01-02T"), sh, sm),
			End: fmt.Sprintf("%s%02d:%02d", end.Format("2006-01-02T"), eh, em), Zone: n.Zone.String()}
		s, e, valid := c.Occurrence(now)
		switch {
		case !valid:
			return Window{}, false
		case !s.After(now) || e.Sub(s) < nominal:
			continue
		case !overlapsAny(s, e, others):
			return c, true
		}
	}
	return Window{}, false
}

// clockTime reads "02:00".
func clockTime(v string) (h, m int, err error) {
	t, err := time.Parse("15:04", v)
	if err != nil {
		return 0, 0, fmt.Errorf("want a time of day such as 02:00, got %q", v)
	}
	return t.Hour(), t.Minute(), nil
}

// overlapsAny reports whether [s, e) meets an occurrence of a window of
// others, verification included.
func overlapsAny(s, e time.Time, others []Window) bool {
	for i := range others {
		w := &others[i]
		if w.Cancelled {
			continue
		}
		// The occurrence current or next at s, and the one after it: a
		// weekly window may end just before s and start again before e.
		at := s
		for range 2 {
			os, oe, ok := w.Occurrence(at)
			if !ok || !os.Before(e) {
				break
			}
			busyUntil := oe.Add(w.verify())
			if busyUntil.After(s) {
				return true
			}
			if !w.Weekly {
				break
			}
			at = busyUntil
		}
	}
	return false
}
