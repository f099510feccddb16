package status

import (
	"time"

	"github.com/vigie/vigie/internal/inventory"
)

// components lists the public components in declaration order and their
// groups in order of first appearance. A name without English keeps the
// French one as its English name: component names are the host's own, not
// a translation that is missing.
func (b *builder) components() ([]Component, []Group) {
	comps := make([]Component, 0, len(b.in.Components))
	var groups []Group
	groupAt := map[string]int{}
	top := 0 // position among the groups and ungrouped components
	for i := range b.in.Components {
		c := &b.in.Components[i]
		out := Component{
			ID:          c.ID(),
			Name:        Text{FR: c.Name, EN: orElse(c.NameEN, c.Name)},
			Description: Text{FR: c.Description, EN: c.DescriptionEN},
			Status:      Operational,
		}
		if c.Group != "" {
			gid := inventory.ComponentID(c.Group)
			k, ok := groupAt[gid]
			if !ok {
				k = len(groups)
				groupAt[gid] = k
				top++
				groups = append(groups, Group{ID: gid, Name: Text{FR: c.Group, EN: orElse(c.GroupEN, c.Group)}})
			}
			groups[k].Components = append(groups[k].Components, out.ID)
			out.Group = gid
			out.Position = len(groups[k].Components)
		} else {
			top++
			out.Position = top
		}
		comps = append(comps, out)
	}
	return comps, groups
}

func orElse(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}

// componentStates sets each component's status now, its bars, its uptime
// and its times. The status now is the worst over the open incidents kept,
// or under maintenance when a window in progress reaches it and nothing is
// worse.
func (b *builder) componentStates(comps []Component, incs []*incidentView, wins []*windowView) {
	start := b.historyStart()
	for i := range comps {
		c := &comps[i]
		for _, v := range incs {
			if v.open {
				c.Status = worse(c.Status, v.statusOf(c.ID))
			}
		}
		for _, w := range wins {
			if w.inProgress && w.reach.comps[i] > 0 {
				c.Status = worse(c.Status, UnderMaintenance)
			}
		}
		spans := b.spans(c.ID, i, incs, wins)
		c.Days = b.days(spans)
		c.Uptime = uptime(spans, start, b.now)
		// The inventory keeps no creation time: a component is known from
		// the start of the history shown, and changed at its last span's
		// edge.
		c.CreatedAt = start
		c.UpdatedAt = start
		for _, s := range spans {
			edges := []time.Time{s.from}
			if s.ended {
				edges = append(edges, s.to)
			}
			for _, t := range edges {
				if t.After(c.UpdatedAt) && !t.After(b.now) {
					c.UpdatedAt = t
				}
			}
		}
	}
}
