package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/status"
)

// occurrence is one occurrence of a window, and the name under which who
// was told about it is kept ("m4/1767232800").
type occurrence struct {
	start, end time.Time
	subject    string
}

func occurrenceOf(w *incident.Window, start, end time.Time) occurrence {
	return occurrence{start: start, end: end, subject: "m" + w.ID + "/" + strconv.FormatInt(start.Unix(), 10)}
}

// planWindowChange plans what a window's creation, change or cancellation
// tells: a window created within the notice period is announced at once;
// one announced already is announced again as changed (to whom it was
// told, and to whom it reaches now, when it moved), or cancelled; one
// cancelled while in progress is told over.
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
	start, end, ok := w.Occurrence(now)
	if !ok {
		return pl, nil
	}
	occ := occurrenceOf(w, start, end)
	cause := "m" + id + "/s" + strconv.Itoa(t.Sequence)
	if !now.Before(start) {
		// In progress: only a cancellation changes what was said.
		if !w.Cancelled || !now.Before(end) {
			return pl, nil
		}
		return pl, p.endEarly(ctx, pl, w, occ, cause)
	}
	prev, err := p.announced(ctx, w, now)
	if err != nil {
		return nil, err
	}
	switch {
	case w.Cancelled && prev != nil:
		told, err := p.told(ctx, prev.subject)
		if err != nil {
			return nil, err
		}
		return pl, p.planWindow(ctx, pl, w, *prev, "cancelled", cause, told)
	case w.Cancelled:
		return pl, nil
	case prev != nil:
		// Told before, maybe of another date: everyone told then and
		// everyone it reaches now hear of the change.
		who, err := p.told(ctx, prev.subject)
		if err != nil {
			return nil, err
		}
		for c := range p.scopeOwners(w) {
			who[c] = true
		}
		pl.marks = append(pl.marks, occ.subject+"/ahead")
		return pl, p.planWindow(ctx, pl, w, occ, "changed", cause, who)
	case start.Sub(now) <= p.o.Ahead:
		pl.marks = append(pl.marks, occ.subject+"/ahead")
		return pl, p.planWindow(ctx, pl, w, occ, "scheduled", cause, p.scopeOwners(w))
	}
	return pl, nil
}

// endEarly tells those told of a window's start that it is over: it was
// cancelled while in progress.
func (p *Planner) endEarly(ctx context.Context, pl *plan, w *incident.Window, occ occurrence, cause string) error {
	started, err := p.marked(ctx, occ.subject+"/started")
	if err != nil || !started {
		return err
	}
	if done, err := p.marked(ctx, occ.subject+"/ended"); err != nil || done {
		return err
	}
	told, err := p.told(ctx, occ.subject)
	if err != nil {
		return err
	}
	occ.end = p.o.Now()
	pl.marks = append(pl.marks, occ.subject+"/ended")
	return p.planWindow(ctx, pl, w, occ, "ended", cause, told)
}

// announced returns the occurrence of the window whose notice went out
// last, while it has not ended; nil when none is. The window may have
// moved since: the occurrence is the one told, at its old date.
func (p *Planner) announced(ctx context.Context, w *incident.Window, now time.Time) (*occurrence, error) {
	var mark string
	err := p.d.DB.QueryRowContext(ctx, `SELECT mark FROM notify_marks WHERE mark LIKE $1 ORDER BY at DESC, mark DESC LIMIT 1`,
		"m"+w.ID+"/%/ahead").Scan(&mark)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the notices of maintenance window %s: %w", w.ID, err)
	}
	subject := strings.TrimSuffix(mark, "/ahead")
	unix, err := strconv.ParseInt(subject[strings.LastIndex(subject, "/")+1:], 10, 64)
	if err != nil {
		return nil, nil
	}
	s0, e0, _ := w.Occurrence(now)
	start := time.Unix(unix, 0).UTC()
	end := start.Add(e0.Sub(s0))
	if !now.Before(end) {
		return nil, nil
	}
	return &occurrence{start: start, end: end, subject: subject}, nil
}

// scopeOwners returns the customers whose assets a window reaches.
func (p *Planner) scopeOwners(w *incident.Window) map[string]bool {
	g := p.d.Inventory.Graph()
	who := map[string]bool{}
	for _, n := range g.Scope(w.Assets) {
		if o := g.Owner(n); o != "" {
			who[o] = true
		}
	}
	return who
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
		for _, occ := range p.occurrencesNear(w, now) {
			pl, err := p.planNotice(ctx, w, occ, now)
			if err != nil {
				return nil, err
			}
			if pl != nil {
				out = append(out, pl)
			}
		}
	}
	esc, err := p.planEscalations(ctx)
	if err != nil {
		return nil, err
	}
	return append(out, esc...), nil
}

// occurrencesNear returns the occurrence of a window current or next at
// now and, for a weekly one, the one that may have ended within the last
// lateNotice, whose end notice may still be due.
func (p *Planner) occurrencesNear(w *incident.Window, now time.Time) []occurrence {
	var out []occurrence
	for _, at := range []time.Time{now, now.Add(-lateNotice)} {
		start, end, ok := w.Occurrence(at)
		if !ok || slices.ContainsFunc(out, func(o occurrence) bool { return o.start.Equal(start) }) {
			continue
		}
		out = append(out, occurrenceOf(w, start, end))
	}
	return out
}

// planNotice plans the notice of an occurrence due at now, once: nil when
// none is.
func (p *Planner) planNotice(ctx context.Context, w *incident.Window, occ occurrence, now time.Time) (*plan, error) {
	var event string
	switch {
	case now.Before(occ.start) && occ.start.Sub(now) <= p.o.Ahead:
		event = "ahead"
	case !now.Before(occ.start) && now.Before(occ.end) && now.Sub(occ.start) < lateNotice:
		event = "started"
	case !now.Before(occ.end) && now.Sub(occ.end) < lateNotice:
		event = "ended"
	default:
		return nil, nil
	}
	mark := occ.subject + "/" + event
	if done, err := p.marked(ctx, mark); err != nil || done {
		return nil, err
	}
	who := p.scopeOwners(w)
	if event == "ended" {
		// The end goes to those told of the start.
		var err error
		if who, err = p.told(ctx, occ.subject); err != nil {
			return nil, err
		}
	}
	pl := &plan{marks: []string{mark}}
	return pl, p.planWindow(ctx, pl, w, occ, event, mark, who)
}

// planWindow plans a notice about an occurrence of a window to the
// customers of who, each naming their sites, and to the public channels
// when the window is platform-wide.
func (p *Planner) planWindow(ctx context.Context, pl *plan, w *incident.Window, occ occurrence, event, cause string, who map[string]bool) error {
	g := p.d.Inventory.Graph()
	sites := sitesByOwner(g, g.Scope(w.Assets))
	id, _ := strconv.ParseInt(w.ID, 10, 64)
	it := Item{Topic: TopicMaintenance, Event: event, At: p.o.Now().UTC(), MaintenanceID: id,
		Title: Text{FR: w.Title, EN: w.TitleEN}, Body: Text{FR: w.Description, EN: w.DescriptionEN},
		Start: ptrTime(occ.start), End: ptrTime(occ.end)}
	platform := false
	if page, err := p.page(ctx, ""); err != nil {
		return err
	} else if k := slices.IndexFunc(page.Maintenances, func(m status.Maintenance) bool { return m.ID == w.ID }); k >= 0 {
		m := page.Maintenances[k]
		platform = m.Platform
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
	tl := telling{cause: cause, thread: "maintenance/" + w.ID, subject: occ.subject,
		link: func(lang string) string { return p.link(status.HomePath, lang) }}
	p.tellCustomers(pl, a, it, who, sites, tl)
	if platform {
		p.tellPublic(pl, a, it, tl)
	}
	return nil
}
