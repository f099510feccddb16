package report

import (
	"context"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/status"
)

// Months is how many months before the current one a report can be asked
// for: the signal log keeps a little more than a year.
const Months = 12

// IncidentLine is an incident touching an asset during a month, as the
// owner's status page names it.
type IncidentLine struct {
	ID    int64
	Name  status.Text
	Start time.Time
	// End is when it was resolved; nil while it is open.
	End *time.Time
	// Duration is from Start to End, or to the report's time while open.
	Duration time.Duration
}

// Monthly is the availability report of one asset for one calendar month
// in its owner's zone.
type Monthly struct {
	Asset, Kind string
	// Month is the whole calendar month; Period the part of it measured
	// (up to Generated, for the month under way).
	Month, Period Span
	Zone          *time.Location
	Generated     time.Time
	Total         Availability
	// Days are the measured days, first to last.
	Days      []Day
	Incidents []IncidentLine
	// Windows are the maintenance occurrences touching the asset in the
	// month, with the part of each removed from availability.
	Windows []Window
}

// Complete tells whether the month is over.
func (m *Monthly) Complete() bool { return !m.Generated.Before(m.Month.To) }

// MonthAllowed tells whether a report can be asked for the month starting
// at from, given the current time: the current month and the Months
// before it.
func MonthAllowed(from, now time.Time, zone *time.Location) bool {
	cur := now.In(zone)
	first := time.Date(cur.Year(), cur.Month()-Months, 1, 0, 0, 0, 0, zone)
	return !from.Before(first) && !from.After(now)
}

// Monthly builds the report of a for a month in zone, at now, with the
// incidents of the owner's status page (page, which names only what
// touches them).
func (r *Reader) Monthly(ctx context.Context, a *AssetState, page *status.Page, year int, month time.Month,
	zone *time.Location, now time.Time,
) (Monthly, error) {
	m := Monthly{Asset: a.Name, Kind: a.Kind, Month: Month(year, month, zone), Zone: zone, Generated: now}
	m.Period = m.Month.clip(Span{m.Month.From, now})
	windows, err := r.Windows(ctx)
	if err != nil {
		return Monthly{}, err
	}
	tl, ws, err := r.Availability(ctx, a, windows, m.Period)
	if err != nil {
		return Monthly{}, fmt.Errorf("report of %s for %d-%02d: %w", a.Name, year, month, err)
	}
	m.Total, m.Days = tl.Sum(m.Period), tl.Days(zone)
	for _, w := range ws {
		if !w.Cancelled {
			m.Windows = append(m.Windows, w)
		}
	}
	roots, err := r.IncidentRoots(ctx, m.Period.From)
	if err != nil {
		return Monthly{}, err
	}
	m.Incidents = IncidentsOf(page, roots, Touches(a.Name, r.Inventory.Graph().DependsOn), m.Period, now)
	return m, nil
}

// IncidentRoots returns the root assets of the incidents a page may show
// that were open at or after since, by id.
func (r *Reader) IncidentRoots(ctx context.Context, since time.Time) (map[int64][]string, error) {
	list, err := r.Incidents.PublicSince(ctx, since)
	if err != nil {
		return nil, fmt.Errorf("incidents since %s: %w", since.Format(time.DateOnly), err)
	}
	out := make(map[int64][]string, len(list))
	for _, inc := range list {
		out[inc.ID] = inc.RootAssets
	}
	return out, nil
}

// IncidentsOf lists the incidents of page that touch an asset (touches
// tells from their root assets, roots by id) and overlap s, oldest first.
// Only incidents the page shows are listed: a customer's page shows only
// what touches them.
func IncidentsOf(page *status.Page, roots map[int64][]string, touches func([]string) bool, s Span, now time.Time) []IncidentLine {
	var out []IncidentLine
	for i := len(page.Incidents) - 1; i >= 0; i-- {
		in := &page.Incidents[i]
		rs, ok := roots[in.ID]
		if !ok || !touches(rs) {
			continue
		}
		end := now
		if in.ResolvedAt != nil {
			end = *in.ResolvedAt
		}
		if !in.StartedAt.Before(s.To) || end.Before(s.From) {
			continue
		}
		out = append(out, IncidentLine{ID: in.ID, Name: in.Name, Start: in.StartedAt, End: in.ResolvedAt,
			Duration: end.Sub(in.StartedAt)})
	}
	return out
}
