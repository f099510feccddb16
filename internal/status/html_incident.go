package status

import (
	"html/template"
)

// incidentCard is an incident as the home, history and incident pages
// show it.
type incidentCard struct {
	Href       string
	Name       text
	Status     string
	Impact     look
	ImpactText string
	Started    stamp
	Resolved   *stamp
	Duration   string
	Affected   []affectedView
	// Updates are newest first.
	Updates []updateView
	// More is the words of the link to the incident's own page.
	More string
	// Sites and Platform are shown on a customer's page only.
	Customer bool
	Sites    []string
	Platform bool
}

type affectedView struct {
	Name       text
	Status     look
	StatusText string
}

type updateView struct {
	ID     string
	Status string
	At     stamp
	Body   text
}

// incidentPage is an incident's own page.
type incidentPage struct {
	Card       incidentCard
	PostMortem template.HTML
}

func incidentCardOf(pl *plan, l *locale, k linker, inc *Incident) incidentCard {
	imp := impactLook(inc.Impact)
	c := incidentCard{
		Href: k.to(IncidentPath(l.lang, inc.ID)), Name: l.text(inc.Name),
		Status: l.incidentStatus(inc.Status), Impact: imp, ImpactText: l.t(imp.Message),
		Started:  l.at(inc.StartedAt),
		Duration: l.duration(pl.incidentEnd(inc).Sub(inc.StartedAt)),
		Customer: pl.p.Customer != nil, Sites: inc.Sites, Platform: inc.Platform,
	}
	if inc.ResolvedAt != nil {
		s := l.at(*inc.ResolvedAt)
		c.Resolved = &s
	}
	for _, a := range inc.Components {
		st := componentLook(a.Status)
		c.Affected = append(c.Affected, affectedView{Name: componentName(pl, l, a.Component), Status: st, StatusText: l.t(st.Message)})
	}
	for _, u := range inc.Updates {
		c.Updates = append(c.Updates, updateView{ID: u.ID, Status: l.incidentStatus(u.Status), At: l.at(u.At), Body: l.text(u.Body)})
	}
	return c
}

// componentName is a component's name, or its id when the page does not
// hold it.
func componentName(pl *plan, l *locale, id string) text {
	if c, ok := pl.components[id]; ok {
		return l.text(c.Name)
	}
	return text{Text: id}
}

func (r *Renderer) incident(pl *plan, l *locale, v *pageView, inc *Incident) *incidentPage {
	k := newLinker(IncidentPath(l.lang, inc.ID))
	iv := &incidentPage{Card: incidentCardOf(pl, l, k, inc)}
	// The post-mortem is HTML from Vigie's own Markdown renderer, which
	// escapes what staff typed: trusted, unlike every other text here.
	iv.PostMortem = template.HTML(inc.PostMortem)
	v.Title = l.plain(inc.Name) + " — " + v.Title
	v.HistoryHref = k.to(HistoryPath(l.lang, inc.StartedAt.In(pl.zone)))
	if !pl.hasMonth(inc.StartedAt) {
		v.HistoryHref = k.to(HistoryPath(l.lang, pl.now.In(pl.zone)))
	}
	return iv
}

// windowCard is a maintenance window as the home and history pages show
// it.
type windowCard struct {
	Name, Description text
	Status            string
	Start, End        stamp
	Weekly            bool
	Components        []text
	Customer          bool
	Sites             []string
	Platform          bool
}

func windowCardOf(pl *plan, l *locale, m *Maintenance) windowCard {
	w := windowCard{
		Name: l.text(m.Name), Description: l.text(m.Description), Status: l.maintenanceStatus(m),
		Weekly: m.Weekly, Customer: pl.p.Customer != nil, Sites: m.Sites, Platform: m.Platform,
	}
	w.Start, w.End = l.window(m.ScheduledFor, m.ScheduledUntil)
	for _, id := range m.Components {
		w.Components = append(w.Components, componentName(pl, l, id))
	}
	return w
}
