package status

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/i18n"
)

// apiWriter turns a page into Statuspage objects in one language.
type apiWriter struct {
	p    *Page
	lang Lang
	b    *i18n.Bundle
	page apiPage
	// objects are the components' objects, by id.
	objects map[string]apiComponent
	groups  map[string]*Group
}

func newAPIWriter(p *Page, lang Lang, b *i18n.Bundle) *apiWriter {
	a := &apiWriter{p: p, lang: lang, b: b, objects: map[string]apiComponent{}, groups: map[string]*Group{}}
	updated := time.Time{}
	for _, c := range p.Components {
		updated = later(updated, c.UpdatedAt)
	}
	for _, in := range p.Incidents {
		updated = later(updated, in.UpdatedAt)
	}
	for _, m := range p.Maintenances {
		updated = later(updated, m.UpdatedAt)
	}
	if updated.IsZero() {
		updated = p.Generated
	}
	a.page = apiPage{
		ID:        pageID(p),
		Name:      p.Name,
		URL:       strings.TrimSuffix(p.absolute(""), "/"),
		TimeZone:  p.zone().String(),
		UpdatedAt: a.time(updated),
	}
	for i := range p.Groups {
		a.groups[p.Groups[i].ID] = &p.Groups[i]
	}
	for i := range p.Components {
		c := &p.Components[i]
		a.objects[c.ID] = a.component(c)
	}
	return a
}

// text is a text in the writer's language; one in the other language is
// marked so, as the HTML pages mark it.
func (a *apiWriter) text(t Text) string { return marked(a.b, t.In(a.lang)) }

// marked is a localized text for a plain-text document: when it is in the
// other language, followed by the HTML pages' marker in that language
// ("… (en français)").
func marked(b *i18n.Bundle, loc Localized) string {
	if !loc.Fallback || loc.Text == "" {
		return loc.Text
	}
	return loc.Text + " " + tr(b, loc.Lang, "PageFallbackMarker", nil)
}

// withSites ends a body with the customer's affected sites, on a
// customer's documents only: the public ones name no site.
func (a *apiWriter) withSites(body string, sites []string) string {
	if a.p.Customer == nil || len(sites) == 0 {
		return body
	}
	line := tr(a.b, a.lang, "StatusYourSites", map[string]any{"Sites": strings.Join(sites, ", ")})
	if body == "" {
		return line
	}
	return body + "\n\n" + line
}

func (a *apiWriter) time(t time.Time) string { return t.In(a.p.zone()).Format(apiTime) }

func (a *apiWriter) timePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := a.time(*t)
	return &s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (a *apiWriter) component(c *Component) apiComponent {
	return apiComponent{
		ID:          c.ID,
		Name:        a.text(c.Name),
		Status:      c.Status,
		CreatedAt:   a.time(c.CreatedAt),
		UpdatedAt:   a.time(c.UpdatedAt),
		Position:    c.Position,
		Description: optional(a.text(c.Description)),
		// Every component shows its uptime bars.
		Showcase: true,
		GroupID:  optional(c.Group),
		PageID:   a.page.ID,
	}
}

// components lists the components as Statuspage does: each group as a
// component of its own, with Group set and its components' ids, followed
// by its components; positions count groups and ungrouped components
// together, and components within their group.
func (a *apiWriter) components() []apiComponent {
	out := []apiComponent{}
	top := 0
	done := map[string]bool{}
	for i := range a.p.Components {
		c := &a.p.Components[i]
		if c.Group == "" {
			top++
			out = append(out, a.objects[c.ID])
			continue
		}
		if done[c.Group] {
			continue
		}
		done[c.Group] = true
		top++
		g := a.groups[c.Group]
		obj := apiComponent{ID: g.ID, Name: a.text(g.Name), Status: Operational, Position: top,
			PageID: a.page.ID, Group: true, Components: g.Components}
		var created, updated time.Time
		var children []apiComponent
		for _, id := range g.Components {
			child := a.p.component(id)
			obj.Status = worse(obj.Status, child.Status)
			if created.IsZero() || child.CreatedAt.Before(created) {
				created = child.CreatedAt
			}
			updated = later(updated, child.UpdatedAt)
			children = append(children, a.objects[id])
		}
		obj.CreatedAt, obj.UpdatedAt = a.time(created), a.time(updated)
		out = append(out, obj)
		out = append(out, children...)
	}
	return out
}

// component returns the page's component of an id.
func (p *Page) component(id string) *Component {
	for i := range p.Components {
		if p.Components[i].ID == id {
			return &p.Components[i]
		}
	}
	return &Component{ID: id, Status: Operational}
}

// affectedName is a component's name in an update, "Group - Component"
// as Statuspage writes it.
func (a *apiWriter) affectedName(id string) string {
	obj := a.objects[id]
	if obj.GroupID != nil {
		if g := a.groups[*obj.GroupID]; g != nil {
			return a.text(g.Name) + " - " + obj.Name
		}
	}
	return obj.Name
}

// incidents returns at most limit incidents as Statuspage objects.
func (a *apiWriter) incidents(list []Incident, limit int) []apiIncident {
	out := []apiIncident{}
	for i := range list[:min(limit, len(list))] {
		out = append(out, a.incident(&list[i]))
	}
	return out
}

func (a *apiWriter) incident(in *Incident) apiIncident {
	id := strconv.FormatInt(in.ID, 10)
	out := apiIncident{
		ID:              id,
		Name:            a.text(in.Name),
		Status:          string(in.Status),
		CreatedAt:       a.time(in.CreatedAt),
		UpdatedAt:       a.time(in.UpdatedAt),
		MonitoringAt:    a.timePtr(in.MonitoringAt),
		ResolvedAt:      a.timePtr(in.ResolvedAt),
		Impact:          in.Impact,
		Shortlink:       a.p.absolute(IncidentPath(a.lang, in.ID)),
		StartedAt:       a.time(in.StartedAt),
		PageID:          a.page.ID,
		IncidentUpdates: []apiUpdate{},
		Components:      []apiComponent{},
	}
	for _, c := range in.Components {
		out.Components = append(out.Components, a.objects[c.Component])
	}
	for k, u := range in.Updates {
		body := a.text(u.Body)
		if k == 0 {
			// The newest update names the customer's sites, as the
			// pages do beside the incident.
			body = a.withSites(body, in.Sites)
		}
		au := apiUpdate{
			ID:                   u.ID,
			Status:               string(u.Status),
			Body:                 body,
			IncidentID:           id,
			CreatedAt:            a.time(u.At),
			UpdatedAt:            a.time(later(u.At, u.UpdatedAt)),
			DisplayAt:            a.time(u.At),
			DeliverNotifications: true,
		}
		// The first update tells the components going down, a resolution
		// their coming back; the others change none.
		switch {
		case k == len(in.Updates)-1:
			for _, c := range in.Components {
				au.AffectedComponents = append(au.AffectedComponents, apiAffected{c.Component, a.affectedName(c.Component), Operational, c.Status})
			}
		case u.Status == Resolved:
			for _, c := range in.Components {
				au.AffectedComponents = append(au.AffectedComponents, apiAffected{c.Component, a.affectedName(c.Component), c.Status, Operational})
			}
		}
		out.IncidentUpdates = append(out.IncidentUpdates, au)
	}
	return out
}

// maintenances returns at most limit windows as Statuspage objects.
func (a *apiWriter) maintenances(list []Maintenance, limit int) []apiMaintenance {
	out := []apiMaintenance{}
	for i := range list[:min(limit, len(list))] {
		out = append(out, a.maintenance(&list[i]))
	}
	return out
}

func (a *apiWriter) maintenance(m *Maintenance) apiMaintenance {
	body := a.text(m.Description)
	if body == "" {
		body = tr(a.b, a.lang, "StatusMaintenanceDefault", nil)
	}
	// Its one update, the newest, names the customer's sites.
	body = a.withSites(body, m.Sites)
	out := apiMaintenance{
		apiIncident: apiIncident{
			ID:        m.ID,
			Name:      a.text(m.Name),
			Status:    string(m.Status),
			CreatedAt: a.time(m.CreatedAt),
			UpdatedAt: a.time(m.UpdatedAt),
			Impact:    IndicatorMaintenance,
			Shortlink: a.p.absolute(HomePath(a.lang)),
			StartedAt: a.time(m.CreatedAt),
			PageID:    a.page.ID,
			IncidentUpdates: []apiUpdate{{
				ID:                   m.ID + "-" + strconv.Itoa(m.Sequence),
				Status:               string(m.Status),
				Body:                 body,
				IncidentID:           m.ID,
				CreatedAt:            a.time(m.UpdatedAt),
				UpdatedAt:            a.time(m.UpdatedAt),
				DisplayAt:            a.time(m.UpdatedAt),
				DeliverNotifications: true,
			}},
			Components: []apiComponent{},
		},
		ScheduledFor:   a.time(m.ScheduledFor),
		ScheduledUntil: a.time(m.ScheduledUntil),
	}
	if m.Status == MaintenanceCompleted {
		out.ResolvedAt = a.timePtr(&m.ScheduledUntil)
	}
	for _, id := range m.Components {
		out.Components = append(out.Components, a.objects[id])
	}
	return out
}
