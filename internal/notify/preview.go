package notify

import (
	"context"
	"slices"
	"strconv"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/status"
)

// Preview is what one channel would send for a public update, in both
// languages, and to how many recipients.
type Preview struct {
	Channel    string     `json:"channel"`
	Kind       Kind       `json:"kind"`
	Audience   Audience   `json:"audience"`
	Recipients int        `json:"recipients"`
	Sample     *Recipient `json:"sample_recipient,omitempty"`
	FR         Rendered   `json:"fr"`
	EN         Rendered   `json:"en"`
	// Held says why the channel would send nothing now ("" when it
	// would): an incident not settled yet, one not platform-wide for the
	// public channels.
	Held string `json:"held,omitempty"`
}

// PreviewUpdate renders, without sending or storing anything, what every
// enabled channel would send for a public update of an incident with
// status and texts: the customers' e-mail (for one of them, naming their
// sites) and each public channel's post.
func (p *Planner) PreviewUpdate(ctx context.Context, id int64, st incident.Status, fr, en string,
	render func(m *Message, lang string) (Rendered, error)) ([]Preview, error) {
	p.pages, p.aud = nil, nil
	inc, err := p.d.Incidents.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if st == "" {
		st = inc.Status
	}
	a, err := p.audience(ctx, true)
	if err != nil {
		return nil, err
	}
	page, v, err := p.publicView(ctx, &inc)
	if err != nil {
		return nil, err
	}
	it := Item{Topic: TopicIncident, Event: "update", At: p.o.Now().UTC(), IncidentID: id,
		Title: Text{FR: inc.Title, EN: inc.Title}, Body: Text{FR: fr, EN: en}, Status: string(st), Severity: string(inc.Severity)}
	if inc.Cause == incident.CauseSiteProblem {
		it.Topic = TopicSiteProblem
	}
	if st != inc.Status && st != incident.Investigating {
		it.Event = string(st)
	}
	platform := false
	if v != nil {
		it.Title = Text(v.Name)
		platform = v.Platform && inc.Cause == incident.CauseOutage && page.Customer == nil
		for _, c := range page.Components {
			if slices.ContainsFunc(v.Components, func(x status.Affected) bool { return x.Component == c.ID }) {
				it.Components = append(it.Components, Text(c.Name))
			}
		}
	}
	told, err := p.told(ctx, "i"+strconv.FormatInt(id, 10))
	if err != nil {
		return nil, err
	}
	who := map[string]bool{}
	for _, c := range inc.Impact.Customers {
		who[c] = true
	}
	for c := range told {
		who[c] = true
	}
	g := p.d.Inventory.Graph()
	sites := sitesByOwner(g, g.Scope(inc.RootAssets))
	held := ""
	if inc.SettledAt == nil {
		held = "the incident has not settled: customers and public channels hear of it once it does"
	}
	var out []Preview
	for _, ch := range a.channels {
		if !ch.Enabled {
			continue
		}
		pv := Preview{Channel: ch.ID, Kind: ch.Kind, Held: held}
		var m Message
		switch {
		case ch.Kind == KindEmail && slices.Contains(ch.Audiences, AudienceCustomers):
			pv.Audience = AudienceCustomers
			var sample *Recipient
			for _, c := range sortedKeys(who) {
				r, ok := customerRecipient(a.customers[c])
				if !ok || a.optOuts.stops(c, ch.Kind, it.Topic) {
					continue
				}
				pv.Recipients++
				if sample == nil {
					sample = &r
				}
			}
			if sample == nil {
				continue
			}
			pv.Sample = sample
			ci := withSites(it, sites[sample.ID])
			m = Message{Key: "preview", Channel: ch.ID, Recipient: *sample, Topic: it.Topic, Thread: "incident/" + strconv.FormatInt(id, 10),
				IncidentID: id, Items: []Item{ci}, Unsubscribe: p.unsubscribe(sample.ID, ch.Kind, it.Topic)}
		case slices.Contains(ch.Audiences, AudiencePublic):
			pv.Audience, pv.Recipients = AudiencePublic, 1
			if !platform {
				pv.Recipients, pv.Held = 0, "the incident is not platform-wide: public channels are not told"
			}
			m = Message{Key: "preview", Channel: ch.ID, Recipient: channelRecipient(ch), Topic: it.Topic,
				Thread: "incident/" + strconv.FormatInt(id, 10), IncidentID: id, Items: []Item{it}}
		default:
			continue
		}
		for _, lang := range []string{"fr", "en"} {
			mi := m
			mi.Items = slices.Clone(m.Items)
			mi.Items[0].Link = p.incidentLink(id, lang)
			r, err := render(&mi, lang)
			if err != nil {
				return nil, err
			}
			if lang == "fr" {
				pv.FR = r
			} else {
				pv.EN = r
			}
		}
		out = append(out, pv)
	}
	return out, nil
}
