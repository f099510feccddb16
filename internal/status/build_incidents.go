package status

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// incidentView is an incident kept for the page, with what Build learnt
// of it on the way.
type incidentView struct {
	inc   *incident.Incident
	reach *reach
	open  bool
	site  bool
	// start and end bound the impact; end is now while open.
	start, end time.Time
	// status is each affected component's status during the incident;
	// overridden marks the ones staff chose.
	status     map[string]ComponentStatus
	overridden map[string]bool
	out        Incident
}

// statusOf returns a component's status during the incident.
func (v *incidentView) statusOf(id string) ComponentStatus {
	if s, ok := v.status[id]; ok {
		return s
	}
	return Operational
}

// incidents keeps the incidents the page shows, newest first. The public
// page keeps outages, not merged, that touch a component or are
// platform-wide; a customer's page keeps those that reach the customer's
// own assets (their site problems included) or touch a component. Site
// problems never reach the public page, nor change a component's status.
func (b *builder) incidents(comps []Component) []*incidentView {
	cutoff := b.now.Add(-Archive)
	var out []*incidentView
	for i := range b.in.Incidents {
		inc := &b.in.Incidents[i]
		if inc.Status == incident.Merged || inc.MergedInto != 0 {
			continue
		}
		resolved := inc.Status == incident.Resolved
		if resolved && inc.ResolvedAt != nil && inc.ResolvedAt.Before(cutoff) {
			continue
		}
		v := &incidentView{inc: inc, reach: b.reachOf(inc.RootAssets), open: !resolved,
			site: inc.Cause == incident.CauseSiteProblem}
		v.start = cmp.Or(inc.ImpactStartedAt, inc.DetectedAt)
		v.end = b.now
		if resolved && inc.ResolvedAt != nil {
			v.end = *inc.ResolvedAt
		}
		v.end = later(v.end, v.start)
		if !v.site {
			v.status, v.overridden = b.affected(inc, v.reach, comps)
		}
		if !b.keeps(v) {
			continue
		}
		v.out = b.publicIncident(v, comps)
		out = append(out, v)
	}
	slices.SortStableFunc(out, func(x, y *incidentView) int {
		if c := y.start.Compare(x.start); c != 0 {
			return c
		}
		return cmp.Compare(y.inc.ID, x.inc.ID)
	})
	return out
}

func (b *builder) keeps(v *incidentView) bool {
	switch {
	case v.site:
		return b.customer != "" && v.reach.mine
	case b.customer != "":
		return v.reach.mine || len(v.status) > 0
	}
	return len(v.status) > 0 || v.reach.wide() || len(v.inc.Impact.Customers) > 1
}

// affected returns the status of each component the incident reaches,
// staff overrides winning.
func (b *builder) affected(inc *incident.Incident, r *reach, comps []Component) (map[string]ComponentStatus, map[string]bool) {
	st := map[string]ComponentStatus{}
	for i, n := range r.comps {
		if s := outageStatus(inc, n, len(b.covered[i])); s != Operational {
			st[comps[i].ID] = s
		}
	}
	over := map[string]bool{}
	for _, o := range b.in.Overrides[inc.ID] {
		s, ok := parseComponentStatus(o.Status)
		if !ok || !slices.ContainsFunc(comps, func(c Component) bool { return c.ID == o.Component }) {
			continue
		}
		over[o.Component] = true
		if s == Operational {
			delete(st, o.Component)
		} else {
			st[o.Component] = s
		}
	}
	return st, over
}

// publicIncident is the incident as the page shows it.
func (b *builder) publicIncident(v *incidentView, comps []Component) Incident {
	inc := v.inc
	out := Incident{
		ID:         inc.ID,
		Status:     incidentStatus(inc.Status),
		Impact:     impactOf(inc.Severity),
		StartedAt:  v.start,
		CreatedAt:  cmp.Or(inc.DetectedAt, v.start),
		PostMortem: b.in.PostMortems[inc.ID],
		Platform:   v.reach.platform(),
	}
	if v.site {
		out.Impact = IndicatorMinor
	}
	if !v.open && inc.ResolvedAt != nil {
		at := *inc.ResolvedAt
		out.ResolvedAt = &at
	}
	if out.Status == Resolved && strings.TrimSpace(out.PostMortem) != "" {
		out.Status = Postmortem
	}
	var touched []*Component
	for i := range comps {
		if s := v.statusOf(comps[i].ID); s != Operational {
			touched = append(touched, &comps[i])
			out.Components = append(out.Components, Affected{Component: comps[i].ID, Status: s, Override: v.overridden[comps[i].ID]})
		}
	}
	if b.customer != "" {
		out.Sites = slices.Clone(v.reach.sites)
	}
	out.Name = b.incidentName(v, touched)
	out.Updates, out.MonitoringAt = b.updates(v, touched)
	out.UpdatedAt = out.CreatedAt
	for _, u := range out.Updates {
		out.UpdatedAt = later(out.UpdatedAt, later(u.At, u.UpdatedAt))
	}
	if out.ResolvedAt != nil {
		out.UpdatedAt = later(out.UpdatedAt, *out.ResolvedAt)
	}
	return out
}

// incidentName names an incident from the components it touches, never
// from its assets: "Panne : Hébergement mutualisé, Messagerie".
func (b *builder) incidentName(v *incidentView, touched []*Component) Text {
	switch {
	case v.site:
		return both(b.b, "StatusNameSiteProblem", nil)
	case len(touched) == 0 && v.open:
		return both(b.b, "StatusNameOngoing", nil)
	case len(touched) == 0:
		return both(b.b, "StatusNameResolved", nil)
	}
	id := "StatusNameDegraded"
	for _, c := range touched {
		if v.statusOf(c.ID) != DegradedPerformance {
			id = "StatusNameOutage"
		}
	}
	return both(b.b, id, func(lang Lang) map[string]any {
		return map[string]any{"Components": strings.Join(namesIn(touched, lang), ", ")}
	})
}
