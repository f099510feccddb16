package report

import (
	"slices"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

// Class is what an instant of a period counts as for availability.
type Class uint8

// The classes, as the package documentation defines them.
const (
	Unknown Class = iota
	Up
	Down
	Maintenance
)

// String names the class.
func (c Class) String() string {
	switch c {
	case Up:
		return "up"
	case Down:
		return "down"
	case Maintenance:
		return "maintenance"
	default:
		return "unknown"
	}
}

// Span is the stretch of time [From, To).
type Span struct {
	From, To time.Time
}

// Duration is the length of the span, 0 when it is empty.
func (s Span) Duration() time.Duration { return max(s.To.Sub(s.From), 0) }

// clip returns the part of s inside o.
func (s Span) clip(o Span) Span {
	if s.From.Before(o.From) {
		s.From = o.From
	}
	if s.To.After(o.To) {
		s.To = o.To
	}
	if s.To.Before(s.From) {
		s.To = s.From
	}
	return s
}

// Change is a check's confirmed state from At on.
type Change struct {
	At    time.Time
	State detect.State
}

// Segment is a stretch of time of one class.
type Segment struct {
	Span
	Class Class
}

// Timeline is an asset's time over a period, cut into segments that
// follow one another without gaps from Period.From to Period.To.
type Timeline struct {
	Period   Span
	Segments []Segment
}

// Fold classifies every instant of period from the state changes of each
// of an asset's checks (each list sorted by At; a check is Unknown before
// its first change, and a change at or before period.From gives its state
// at the start) and the announced maintenance spans touching the asset.
func Fold(period Span, checks [][]Change, maintenance []Span) Timeline {
	cuts := []time.Time{period.From, period.To}
	inside := func(t time.Time) bool { return t.After(period.From) && t.Before(period.To) }
	for _, changes := range checks {
		for _, c := range changes {
			if inside(c.At) {
				cuts = append(cuts, c.At)
			}
		}
	}
	for _, m := range maintenance {
		for _, t := range []time.Time{m.From, m.To} {
			if inside(t) {
				cuts = append(cuts, t)
			}
		}
	}
	slices.SortFunc(cuts, time.Time.Compare)
	cuts = slices.CompactFunc(cuts, time.Time.Equal)
	tl := Timeline{Period: period}
	next := make([]int, len(checks)) // index of each check's first change after the current cut
	for i := 0; i+1 < len(cuts); i++ {
		at := cuts[i]
		class := Unknown
		for k, changes := range checks {
			for next[k] < len(changes) && !changes[next[k]].At.After(at) {
				next[k]++
			}
			if next[k] == 0 {
				continue
			}
			switch changes[next[k]-1].State {
			case detect.Down:
				class = Down
			case detect.Up:
				if class == Unknown {
					class = Up
				}
			}
		}
		if slices.ContainsFunc(maintenance, func(m Span) bool { return !at.Before(m.From) && at.Before(m.To) }) {
			class = Maintenance
		}
		seg := Segment{Span{at, cuts[i+1]}, class}
		if n := len(tl.Segments); n > 0 && tl.Segments[n-1].Class == class {
			tl.Segments[n-1].To = seg.To
			continue
		}
		tl.Segments = append(tl.Segments, seg)
	}
	return tl
}

// Availability is how the time of a span divides between the classes.
type Availability struct {
	Span
	Up, Down, Unknown, Maintenance time.Duration
}

// Ratio is Up / (Up + Down), and ok is false when that is 0 / 0: nothing
// was measured outside maintenance.
func (a Availability) Ratio() (ratio float64, ok bool) {
	measured := a.Up + a.Down
	if measured <= 0 {
		return 0, false
	}
	return float64(a.Up) / float64(measured), true
}

// Sum adds up the classes of the timeline's time inside s.
func (t Timeline) Sum(s Span) Availability {
	a := Availability{Span: s}
	for _, seg := range t.Segments {
		d := seg.clip(s).Duration()
		switch seg.Class {
		case Up:
			a.Up += d
		case Down:
			a.Down += d
		case Maintenance:
			a.Maintenance += d
		default:
			a.Unknown += d
		}
	}
	return a
}

// Day is the availability of one calendar day.
type Day struct {
	// Date is midnight at the start of the day, in the zone of the days.
	Date time.Time
	Availability
}

// Days cuts the timeline into calendar days of zone, oldest first: days
// last 23 or 25 hours when the clocks change. The first and last days are
// clipped to the timeline's period.
func (t Timeline) Days(zone *time.Location) []Day {
	var out []Day
	if !t.Period.From.Before(t.Period.To) {
		return out
	}
	y, m, d := t.Period.From.In(zone).Date()
	for day := time.Date(y, m, d, 0, 0, 0, 0, zone); day.Before(t.Period.To); day = time.Date(y, m, d, 0, 0, 0, 0, zone) {
		d++
		end := time.Date(y, m, d, 0, 0, 0, 0, zone)
		out = append(out, Day{Date: day, Availability: t.Sum(Span{day, end}.clip(t.Period))})
	}
	return out
}

// Month returns the span of a calendar month in zone: from midnight on
// its first day to midnight on the first day of the next one.
func Month(year int, month time.Month, zone *time.Location) Span {
	return Span{time.Date(year, month, 1, 0, 0, 0, 0, zone), time.Date(year, month+1, 1, 0, 0, 0, 0, zone)}
}
