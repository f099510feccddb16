package status

// historyView is the history page of one month: its incidents and
// windows, and links to the months around it that have a page.
type historyView struct {
	H1          string
	Prev, Next  *monthLink
	Incidents   []incidentCard
	Maintenance []windowCard
}

type monthLink struct {
	Href, Label string
}

func (r *Renderer) history(pl *plan, l *locale, v *pageView, i int) *historyView {
	m := pl.months[i]
	k := newLinker(HistoryPath(l.lang, m))
	h := &historyView{H1: l.tf("PageHistoryTitle", "Month", l.month(m))}
	v.Title = h.H1 + " — " + v.Title
	if i > 0 {
		h.Prev = &monthLink{Href: k.to(HistoryPath(l.lang, pl.months[i-1])), Label: l.month(pl.months[i-1])}
	}
	if i+1 < len(pl.months) {
		h.Next = &monthLink{Href: k.to(HistoryPath(l.lang, pl.months[i+1])), Label: l.month(pl.months[i+1])}
	}
	for _, inc := range pl.incidents {
		if pl.overlaps(inc.StartedAt, pl.incidentEnd(inc), m) {
			c := incidentCardOf(pl, l, k, inc)
			c.Updates = nil // the incident's own page has them
			h.Incidents = append(h.Incidents, c)
		}
	}
	for _, w := range pl.windows {
		if pl.overlaps(w.ScheduledFor, w.ScheduledUntil, m) {
			h.Maintenance = append(h.Maintenance, windowCardOf(pl, l, w))
		}
	}
	return h
}
