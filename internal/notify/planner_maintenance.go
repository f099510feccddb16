package notify

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/status"
)

// planWindowChange plans what a window's creation, change or cancellation
// tells: a window created within the notice period is announced at once;
// one already announced is announced again as changed, or cancelled.
func (p *Planner) planWindowChange(ctx context.Context, t incident.Trigger) (*plan, error) {
	pl := &plan{}
	all, err := p.d.Maintenance.ListAll(ctx)
	if err != nil {
		return nil, err
	}
	id := strconv.FormatInt(t.MaintenanceID, 10)
	k := slices.IndexFunc(all, func(w incident.Window) bool { return w.ID == id })
	if k < 0 {
		return pl, nil
	}
	w := &all[k]
	now := p.o.Now()
	start, _, ok := w.Occurrence(now)
	if !ok || !now.Before(start) {
		return pl, nil
	}
	subject := windowSubject(w, start)
	announced, err := p.marked(ctx, subject+"/ahead")
	if err != nil {
		return nil, err
	}
	cause := "m" + id + "/s" + strconv.Itoa(t.Sequence)
	switch {
	case w.Cancelled && announced:
		return pl, p.planWindow(ctx, pl, w, "cancelled", cause, subject, true)
	case w.Cancelled:
		return pl, nil
	case announced:
		return pl, p.planWindow(ctx, pl, w, "changed", cause, subject, false)
	case start.Sub(now) <= p.o.Ahead:
		pl.marks = append(pl.marks, subject+"/ahead")
		return pl, p.planWindow(ctx, pl, w, "scheduled", cause, subject, false)
	}
	return pl, nil
}

// windowSubject names one occurrence of a window.
func windowSubject(w *incident.Window, start time.Time) string {
	return "m" + w.ID + "/" + strconv.FormatInt(start.Unix(), 10)
}

// planTimed plans the notices due by the clock: maintenance ahead of a
// window, at its start and at its end; and the escalations of pages.
func (p *Planner) planTimed(ctx context.Context) ([]*plan, error) {
	wins, err := p.d.Maintenance.List(ctx)
	if err != nil {
		return nil, err
	}
	now := p.o.Now()
	var out []*plan
	for i := range wins {
		w := &wins[i]
		start, end, ok := w.Occurrence(now)
		if !ok || w.Cancelled {
			continue
		}
		subject := windowSubject(w, start)
		var event string
		switch {
		case now.Before(start) && start.Sub(now) <= p.o.Ahead:
			event = "ahead"
		case !now.Before(start) && now.Before(end) && now.Sub(start) < lateNotice:
			event = "started"
		case !now.Before(end) && now.Sub(end) < lateNotice:
			event = "ended"
		default:
			continue
		}
		mark := subject + "/" + event
		if done, err := p.marked(ctx, mark); err != nil {
			return nil, err
		} else if done {
			continue
		}
		pl := &plan{marks: []string{mark}}
		if err := p.planWindow(ctx, pl, w, event, mark, subject, event == "ended"); err != nil {
			return nil, err
		}
		out = append(out, pl)
	}
	esc, err := p.planEscalations(ctx)
	if err != nil {
		return nil, err
	}
	return append(out, esc...), nil
}

// planWindow plans a notice about a window: to the customers whose assets
// it reaches (or, with toldOnly, to those told before), each naming their
// sites, and to the public channels when it is platform-wide.
func (p *Planner) planWindow(ctx context.Context, pl *plan, w *incident.Window, event, cause, subject string, toldOnly bool) error {
	g := p.d.Inventory.Graph()
	scope := g.Scope(w.Assets)
	sites := sitesByOwner(g, scope)
	who := map[string]bool{}
	if toldOnly {
		told, err := p.told(ctx, subject)
		if err != nil {
			return err
		}
		who = told
	} else {
		for _, n := range scope {
			if o := g.Owner(n); o != "" {
				who[o] = true
			}
		}
	}
	start, end, _ := w.Occurrence(p.o.Now())
	id, _ := strconv.ParseInt(w.ID, 10, 64)
	it := Item{Topic: TopicMaintenance, Event: event, At: p.o.Now().UTC(), MaintenanceID: id,
		Title: Text{FR: w.Title, EN: w.TitleEN}, Body: Text{FR: w.Description, EN: w.DescriptionEN},
		Start: ptrTime(start), End: ptrTime(end)}
	platform := len(who) > 1
	if page, err := p.page(ctx, ""); err != nil {
		return err
	} else if k := slices.IndexFunc(page.Maintenances, func(m status.Maintenance) bool { return m.ID == w.ID }); k >= 0 {
		m := page.Maintenances[k]
		platform = m.Platform || len(m.Components) > 0
		for _, c := range page.Components {
			if slices.Contains(m.Components, c.ID) {
				it.Components = append(it.Components, Text(c.Name))
			}
		}
	}
	a, err := p.audience(ctx, true)
	if err != nil {
		return err
	}
	tl := telling{cause: cause, thread: "maintenance/" + w.ID, subject: subject,
		link: func(lang string) string { return p.link(status.HomePath, lang) }}
	p.tellCustomers(pl, a, it, who, sites, tl)
	if platform {
		p.tellPublic(pl, a, it, tl)
	}
	return nil
}
