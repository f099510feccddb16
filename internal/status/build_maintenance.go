package status

import (
	"cmp"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// windowView is a maintenance window kept for the page.
type windowView struct {
	win   *incident.Window
	reach *reach
	// inProgress is set while an occurrence is under way and the window
	// is not cancelled.
	inProgress bool
	// past are the occurrences begun within the history, [start, end].
	past [][2]time.Time
	out  Maintenance
}

// windows keeps the maintenance windows the page shows, newest first: on
// the public page those reaching a component or platform-wide, on a
// customer's page those reaching the customer's assets or a component.
// Cancelled windows are kept, marked, for the feeds and the calendar.
func (b *builder) windows(comps []Component) []*windowView {
	start := b.historyStart()
	var out []*windowView
	for i := range b.in.Windows {
		w := &b.in.Windows[i]
		from, to, ok := w.Occurrence(b.now)
		if !ok {
			continue
		}
		state := w.State(b.now)
		if state == incident.Completed && to.Before(b.now.Add(-Archive)) {
			continue
		}
		v := &windowView{win: w, reach: b.reachOf(w.Assets)}
		if b.customer != "" && !v.reach.mine && len(v.reach.comps) == 0 ||
			b.customer == "" && len(v.reach.comps) == 0 && !v.reach.wide() {
			continue
		}
		v.inProgress = !w.Cancelled && state == incident.InProgress
		v.past = occurrences(w, start, b.now)
		zone, err := time.LoadLocation(cmp.Or(w.Zone, incident.DefaultZone))
		if err != nil {
			zone = b.zone
		}
		v.out = Maintenance{
			ID:             w.ID,
			Name:           Text{FR: w.Title, EN: w.TitleEN},
			Description:    Text{FR: w.Description, EN: w.DescriptionEN},
			Status:         maintenanceStatus(state),
			ScheduledFor:   from,
			ScheduledUntil: to,
			Zone:           zone,
			Weekly:         w.Weekly,
			Sequence:       w.Sequence,
			Cancelled:      w.Cancelled,
			// Windows keep no creation time; their last change stands for it.
			CreatedAt: w.UpdatedAt,
			UpdatedAt: w.UpdatedAt,
			Platform:  v.reach.platform(),
		}
		if w.Weekly {
			// The first occurrence: a calendar repeats it from there.
			if fs, fe, ok := w.Occurrence(time.Time{}); ok {
				v.out.SeriesStart, v.out.SeriesEnd = fs, fe
			}
		}
		for k := range comps {
			if v.reach.comps[k] > 0 {
				v.out.Components = append(v.out.Components, comps[k].ID)
			}
		}
		if b.customer != "" {
			v.out.Sites = slices.Clone(v.reach.sites)
		}
		out = append(out, v)
	}
	slices.SortStableFunc(out, func(x, y *windowView) int {
		if c := y.out.ScheduledFor.Compare(x.out.ScheduledFor); c != 0 {
			return c
		}
		return cmp.Compare(x.out.ID, y.out.ID)
	})
	return out
}

// occurrences lists the occurrences of a window begun between from and
// now and not over before from: every week of a weekly one.
func occurrences(w *incident.Window, from, now time.Time) [][2]time.Time {
	verify := w.Verify
	if verify <= 0 {
		verify = incident.DefaultVerify
	}
	var out [][2]time.Time
	t := from
	for range days/7 + 2 {
		s, e, ok := w.Occurrence(t)
		if !ok || !s.Before(now) {
			break
		}
		if e.After(from) {
			out = append(out, [2]time.Time{s, e})
		}
		if !w.Weekly {
			break
		}
		t = e.Add(verify)
	}
	return out
}
