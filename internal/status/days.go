package status

import (
	"slices"
	"time"
)

// days is how many bars a component has: History in days.
const days = int(History / (24 * time.Hour))

// partialWeight is the share of a partial outage counted as downtime in
// the uptime, Statuspage's weighting: a major outage counts whole.
const partialWeight = 0.3

// span is a stretch of time a component spent in a status, because of one
// incident or one occurrence of a window.
type span struct {
	from, to time.Time
	// ended is unset while the stretch goes on: to is then now.
	ended    bool
	status   ComponentStatus
	incident int64
	window   string
}

// dayStart returns the midnight k days after the day of t, in zone. Days
// are counted on the calendar, not in 24 hours, so that the days of
// daylight saving changes last 23 and 25 hours.
func dayStart(t time.Time, zone *time.Location, k int) time.Time {
	y, m, d := t.In(zone).Date()
	return time.Date(y, m, d+k, 0, 0, 0, 0, zone)
}

// spans lists the stretches of the history in which the component at
// index i was affected by an incident or under a window's maintenance.
func (b *builder) spans(id string, i int, incs []*incidentView, wins []*windowView) []span {
	var out []span
	for _, v := range incs {
		st := v.statusOf(id)
		if st == Operational {
			continue
		}
		s := span{from: v.start, to: v.end, ended: !v.open, status: st, incident: v.inc.ID}
		out = append(out, s)
	}
	for _, w := range wins {
		if w.reach.comps[i] == 0 || w.win.Cancelled {
			continue
		}
		for _, o := range w.past {
			to, ended := o[1], true
			if to.After(b.now) {
				to, ended = b.now, false
			}
			out = append(out, span{from: o[0], to: to, ended: ended, status: UnderMaintenance, window: w.win.ID})
		}
	}
	return out
}

// days cuts the spans into the bars, oldest first, ending today.
func (b *builder) days(spans []span) []Day {
	out := make([]Day, days)
	for k := range out {
		from := dayStart(b.now, b.zone, k-(days-1))
		to := dayStart(b.now, b.zone, k-(days-1)+1)
		d := Day{Date: from, Worst: Operational}
		var down []interval
		for _, s := range spans {
			lo, hi := later(s.from, from), earlier(s.to, to)
			inside := lo.Before(hi) || (s.from.Equal(s.to) && !s.from.Before(from) && s.from.Before(to))
			if !inside {
				continue
			}
			d.Worst = worse(d.Worst, s.status)
			if s.window != "" {
				if !slices.Contains(d.Maintenance, s.window) {
					d.Maintenance = append(d.Maintenance, s.window)
				}
			} else if !slices.Contains(d.Incidents, s.incident) {
				d.Incidents = append(d.Incidents, s.incident)
			}
			if s.status.outage() && lo.Before(hi) {
				down = append(down, interval{lo, hi})
			}
		}
		slices.Sort(d.Incidents)
		slices.Sort(d.Maintenance)
		d.Down = measure(down)
		out[k] = d
	}
	return out
}

// uptime is 1 − (major outage + 0.3 × partial outage) / 90 days over the
// history from start to now: Statuspage's weighting, where a stretch both
// in partial and in major outage counts once, as major.
func uptime(spans []span, start, now time.Time) float64 {
	var major, any []interval
	for _, s := range spans {
		if !s.status.outage() {
			continue
		}
		iv := interval{later(s.from, start), earlier(s.to, now)}
		if !iv.from.Before(iv.to) {
			continue
		}
		any = append(any, iv)
		if s.status == MajorOutage {
			major = append(major, iv)
		}
	}
	m := measure(major)
	partial := measure(any) - m
	down := float64(m) + partialWeight*float64(partial)
	u := 1 - down/float64(History)
	return min(max(u, 0), 1)
}

// interval is a stretch of time, from included, to excluded.
type interval struct{ from, to time.Time }

// measure returns the length of the union of intervals.
func measure(ivs []interval) time.Duration {
	slices.SortFunc(ivs, func(a, b interval) int { return a.from.Compare(b.from) })
	var total time.Duration
	var cur interval
	for k, iv := range ivs {
		switch {
		case k == 0:
			cur = iv
		case !iv.from.After(cur.to):
			cur.to = later(cur.to, iv.to)
		default:
			total += cur.to.Sub(cur.from)
			cur = iv
		}
	}
	if len(ivs) > 0 {
		total += cur.to.Sub(cur.from)
	}
	return total
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
