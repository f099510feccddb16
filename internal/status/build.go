package status

import (
	"slices"
	"time"

	"github.com/vigie/vigie/internal/i18n"
)

// builder holds what Build works from.
type builder struct {
	in       *Input
	b        *i18n.Bundle
	customer string
	now      time.Time
	zone     *time.Location
	// covered are the distinct assets of each component, by index.
	covered [][]string
}

// Build turns the state of the stores into the page the public sees, or
// with customer set, the page of that customer: what reaches their own
// assets plus what is platform-wide, with their affected sites. It reads
// nothing but the time zone data of windows, and keeps nothing of another
// customer. The caller sets Page.Customer.Token and Page.Version (the
// Publisher's is a digest of the page).
func Build(in *Input, customer string, b *i18n.Bundle) *Page {
	bd := newBuilder(in, customer, b)
	p := &Page{
		Generated: in.Now,
		Zone:      bd.zone,
		Name:      in.Name,
		URL:       in.URL,
		MirrorURL: in.MirrorURL,
	}
	if customer != "" {
		p.Customer = &Customer{ID: customer}
	}
	p.Components, p.Groups = bd.components()
	incs := bd.incidents(p.Components)
	wins := bd.windows(p.Components)
	bd.componentStates(p.Components, incs, wins)
	p.Indicator = indicator(p.Components, incs)
	for _, v := range incs {
		p.Incidents = append(p.Incidents, v.out)
		if v.open {
			p.Active = append(p.Active, v.out)
		}
	}
	for _, w := range wins {
		p.Maintenances = append(p.Maintenances, w.out)
		switch {
		case w.out.Cancelled:
		case w.out.Status == MaintenanceScheduled:
			p.Upcoming = append(p.Upcoming, w.out)
		case w.out.Status == MaintenanceInProgress || w.out.Status == MaintenanceVerifying:
			p.InProgress = append(p.InProgress, w.out)
		}
	}
	// Maintenances newest first like incidents; what is coming, soonest first.
	soonest := func(a, b Maintenance) int { return a.ScheduledFor.Compare(b.ScheduledFor) }
	slices.SortStableFunc(p.Upcoming, soonest)
	slices.SortStableFunc(p.InProgress, soonest)
	return p
}

func newBuilder(in *Input, customer string, b *i18n.Bundle) *builder {
	bd := &builder{in: in, b: b, customer: customer, now: in.Now, zone: in.Zone}
	if bd.zone == nil {
		bd.zone = time.UTC
	}
	for i := range in.Components {
		assets := slices.Clone(in.Covered[in.Components[i].ID()])
		slices.Sort(assets)
		bd.covered = append(bd.covered, slices.Compact(assets))
	}
	return bd
}

// historyStart is the midnight that begins the oldest bar.
func (b *builder) historyStart() time.Time { return dayStart(b.now, b.zone, -(days - 1)) }

// indicator is the page-wide state, Statuspage's rule: critical when a
// component is in major outage or an open incident is critical; major for
// a partial outage or a major incident; minor for degraded performance or
// a minor incident; none otherwise. Maintenance alone leaves it at none.
func indicator(comps []Component, incs []*incidentView) Indicator {
	ind := IndicatorNone
	raise := func(i Indicator) {
		if i.rank() > ind.rank() {
			ind = i
		}
	}
	for i := range comps {
		switch comps[i].Status {
		case MajorOutage:
			raise(IndicatorCritical)
		case PartialOutage:
			raise(IndicatorMajor)
		case DegradedPerformance:
			raise(IndicatorMinor)
		}
	}
	for _, v := range incs {
		if v.open {
			raise(v.out.Impact)
		}
	}
	return ind
}
