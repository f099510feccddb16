package status

import (
	"html/template"
	"strings"
	"time"
)

// The geometry of a 90-day bar, in viewBox units; CSS stretches it to
// the width of the page.
const (
	barDays   = 90
	barStep   = 10
	barWidth  = 8
	barHeight = 34
)

// barView is a component's 90 days as an SVG drawn by the server.
type barView struct {
	Label         string
	Width, Height int
	Days          []dayView
}

// dayView is one rect. A day with an incident or a window is a link,
// reachable by keyboard and named by its title; others only have a
// tooltip.
type dayView struct {
	X                  int
	Class, Title, Href string
}

func barOf(pl *plan, l *locale, k linker, c *Component) barView {
	b := barView{Label: l.tf("PageBarLabel", "Name", l.plain(c.Name)), Width: barDays*barStep - (barStep - barWidth), Height: barHeight}
	for i, d := range lastDays(pl, c) {
		st := componentLook(d.Worst)
		if d.Worst == "" || (!c.CreatedAt.IsZero() && !d.Date.AddDate(0, 0, 1).After(c.CreatedAt)) {
			st = noData
		}
		b.Days = append(b.Days, dayView{
			X: i * barStep, Class: "d-" + st.Class,
			Title: dayTitle(pl, l, d, st), Href: dayHref(pl, l, k, d),
		})
	}
	return b
}

// lastDays are exactly barDays days, oldest first: the component's last
// ones, after days without data when it has fewer.
func lastDays(pl *plan, c *Component) []Day {
	days := c.Days
	if len(days) >= barDays {
		return days[len(days)-barDays:]
	}
	var first time.Time
	if len(days) > 0 {
		first = days[0].Date.In(pl.zone)
	} else {
		now := pl.now.In(pl.zone)
		first = time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, pl.zone)
	}
	pad := barDays - len(days)
	out := make([]Day, 0, barDays)
	for i := pad; i > 0; i-- {
		d := first.AddDate(0, 0, -i)
		out = append(out, Day{Date: d})
	}
	return append(out, days...)
}

// dayTitle is a day's tooltip and, when it is a link, its accessible
// name: "6 déc. 2026 — Panne partielle. 25 min d'indisponibilité.
// Incidents : Serveurs web lents."
func dayTitle(pl *plan, l *locale, d Day, st look) string {
	parts := []string{l.date(d.Date) + " — " + l.t(st.Message)}
	if d.Down > 0 {
		parts = append(parts, l.tf("PageDayDown", "Duration", l.duration(d.Down)))
	}
	var names []string
	for _, id := range d.Incidents {
		if inc, ok := pl.byID[id]; ok {
			names = append(names, l.plain(inc.Name))
		}
	}
	if len(names) > 0 {
		parts = append(parts, l.label("PageDayIncidents")+" "+strings.Join(names, " ; "))
	}
	names = names[:0]
	for _, id := range d.Maintenance {
		if w, ok := pl.windowByID[id]; ok {
			names = append(names, l.plain(w.Name))
		}
	}
	if len(names) > 0 {
		parts = append(parts, l.label("PageDayMaintenance")+" "+strings.Join(names, " ; "))
	}
	return strings.Join(parts, ". ")
}

// dayHref is where a day leads: its incident's page when it has one
// incident the page shows, else its month's history page when anything
// happened, else nowhere.
func dayHref(pl *plan, l *locale, k linker, d Day) string {
	if len(d.Incidents) == 1 && len(d.Maintenance) == 0 {
		if _, ok := pl.byID[d.Incidents[0]]; ok {
			return k.to(IncidentPath(l.lang, d.Incidents[0]))
		}
	}
	if len(d.Incidents)+len(d.Maintenance) > 0 && pl.hasMonth(d.Date) {
		return k.to(HistoryPath(l.lang, d.Date.In(pl.zone)))
	}
	return ""
}

// icons are the status icons, drawn in currentColor with their marks cut
// out, so that they read on any background. They are decoration: the
// words beside them say the same.
var icons = map[string]template.HTML{
	"ok":    iconPath("M8 0a8 8 0 1 0 0 16A8 8 0 0 0 8 0zM3.6 8.3l1.3-1.3 1.9 1.9 4.3-4.3 1.3 1.3-5.6 5.6z"),
	"warn":  iconPath("M8 .6l7.7 14H.3zM7.1 5.2h1.8v4.9H7.1zm0 6.2h1.8v1.8H7.1z"),
	"down":  iconPath("M8 0a8 8 0 1 0 0 16A8 8 0 0 0 8 0zM5.1 3.8L8 6.7l2.9-2.9 1.3 1.3L9.3 8l2.9 2.9-1.3 1.3L8 9.3l-2.9 2.9-1.3-1.3L6.7 8 3.8 5.1z"),
	"maint": iconPath("M15.2 3.6l-2.4 2.4-2.1-.6-.6-2.1L12.5.9a4.5 4.5 0 0 0-5.6 5.7L.9 12.6a1.6 1.6 0 0 0 2.3 2.3l6-6a4.5 4.5 0 0 0 6-5.3z"),
	"none":  iconPath("M8 0a8 8 0 1 1 0 16A8 8 0 0 1 8 0zm0 1.6a6.4 6.4 0 1 0 0 12.8A6.4 6.4 0 0 0 8 1.6z"),
}

// iconPath wraps a constant path of icons in its markup: no input ever
// reaches it.
func iconPath(d string) template.HTML {
	return template.HTML(`<svg class="ic" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path fill-rule="evenodd" d="` + d + `"/></svg>`)
}

// icon is the icon of a look's Icon name; an unknown name draws nothing.
func icon(name string) template.HTML { return icons[name] }
