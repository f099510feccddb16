package status

import (
	"slices"
	"time"
)

// plan is what every page of one rendering needs to know about the
// others: which incident pages and history months exist, and the
// components, incidents and windows by id.
type plan struct {
	p    *Page
	zone *time.Location
	now  time.Time
	// incidents get a page each: the public ones and the active ones,
	// newest first, once each.
	incidents  []*Incident
	byID       map[int64]*Incident
	windows    []*Maintenance
	windowByID map[string]*Maintenance
	components map[string]*Component
	// months get a history page each, oldest first, as the first instant
	// of the month in zone.
	months []time.Time
}

func newPlan(p *Page) *plan {
	pl := &plan{p: p, zone: pageZone(p), now: p.Generated, byID: map[int64]*Incident{},
		windowByID: map[string]*Maintenance{}, components: map[string]*Component{}}
	if pl.now.IsZero() {
		pl.now = time.Now()
	}
	for _, list := range [][]Incident{p.Incidents, p.Active} {
		for i := range list {
			if _, ok := pl.byID[list[i].ID]; !ok {
				pl.byID[list[i].ID] = &list[i]
				pl.incidents = append(pl.incidents, &list[i])
			}
		}
	}
	slices.SortStableFunc(pl.incidents, func(a, b *Incident) int { return b.StartedAt.Compare(a.StartedAt) })
	for _, list := range [][]Maintenance{p.Maintenances, p.InProgress, p.Upcoming} {
		for i := range list {
			if _, ok := pl.windowByID[list[i].ID]; !ok {
				pl.windowByID[list[i].ID] = &list[i]
				pl.windows = append(pl.windows, &list[i])
			}
		}
	}
	for i := range p.Components {
		pl.components[p.Components[i].ID] = &p.Components[i]
	}
	pl.months = pl.historyMonths()
	return pl
}

// pageZone is the zone times are shown in: the page's, or Paris, the
// reference host's, or UTC on a machine without a zone database.
func pageZone(p *Page) *time.Location {
	if p.Zone != nil {
		return p.Zone
	}
	if z, err := time.LoadLocation("Europe/Paris"); err == nil {
		return z
	}
	return time.UTC
}

// monthOf is the first instant of t's month in the zone.
func (pl *plan) monthOf(t time.Time) time.Time {
	t = t.In(pl.zone)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, pl.zone)
}

// historyMonths are the current month and every month of the history
// kept that an incident or a window overlaps.
func (pl *plan) historyMonths() []time.Time {
	from, to := pl.monthOf(pl.now.Add(-Archive)), pl.monthOf(pl.now)
	seen := map[int64]time.Time{to.Unix(): to}
	add := func(start, end time.Time) {
		if end.Before(start) {
			end = start
		}
		for m := pl.monthOf(start); !m.After(pl.monthOf(end)) && !m.After(to); m = m.AddDate(0, 1, 0) {
			if !m.Before(from) {
				seen[m.Unix()] = m
			}
		}
	}
	for _, inc := range pl.incidents {
		add(inc.StartedAt, pl.incidentEnd(inc))
	}
	for _, w := range pl.windows {
		add(w.ScheduledFor, w.ScheduledUntil)
	}
	months := make([]time.Time, 0, len(seen))
	for _, m := range seen {
		months = append(months, m)
	}
	slices.SortFunc(months, func(a, b time.Time) int { return a.Compare(b) })
	return months
}

// incidentEnd is when an incident's impact ended, or now while it lasts.
func (pl *plan) incidentEnd(inc *Incident) time.Time {
	if inc.ResolvedAt != nil {
		return *inc.ResolvedAt
	}
	return pl.now
}

// hasMonth tells whether t's month has a history page.
func (pl *plan) hasMonth(t time.Time) bool {
	_, ok := slices.BinarySearchFunc(pl.months, pl.monthOf(t), func(a, b time.Time) int { return a.Compare(b) })
	return ok
}

// overlaps tells whether [start, end] meets the month starting at m.
func (pl *plan) overlaps(start, end, m time.Time) bool {
	next := m.AddDate(0, 1, 0)
	if end.Before(start) {
		end = start
	}
	return start.Before(next) && !end.Before(m)
}
