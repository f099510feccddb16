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
// status and texts. It plans the update as it would be planned, so the
// preview is what goes out: the customers' e-mail (one of them shown,
// naming their sites) and each public channel's post.
func (p *Planner) PreviewUpdate(ctx context.Context, id int64, st incident.Status, fr, en string,
	render func(m *Message, lang string) (Rendered, error)) ([]Preview, error) {
	p.pages, p.aud = nil, nil
	inc, err := p.d.Incidents.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	page, v, err := p.publicView(ctx, &inc)
	if err != nil {
		return nil, err
	}
	it := p.previewItem(page, v, &inc, st, fr, en)
	a, err := p.audience(ctx, true)
	if err != nil {
		return nil, err
	}
	who, err := p.toldOrInScope(ctx, &inc)
	if err != nil {
		return nil, err
	}
	g := p.d.Inventory.Graph()
	pl := &plan{}
	tl := telling{cause: "preview", thread: "incident/" + strconv.FormatInt(id, 10), incident: id,
		link: func(lang string) string { return p.incidentLink(id, lang) }}
	p.tellCustomers(pl, a, it, who, sitesByOwner(g, g.Scope(inc.RootAssets)), tl)
	platform := v != nil && v.Platform && inc.Cause == incident.CauseOutage && page.Customer == nil
	p.tellPublic(pl, a, it, tl)
	var out []Preview
	for _, ch := range a.channels {
		pv, ok := p.previewOf(ch, pl, it, &inc, platform, tl)
		if !ok {
			continue
		}
		if err := renderBoth(&pv, pl, ch, it, tl, p.o.PublicURL, render); err != nil {
			return nil, err
		}
		out = append(out, pv)
	}
	return out, nil
}

// previewItem is the update as planned, its texts taken from the form.
func (p *Planner) previewItem(page *status.Page, v *status.Incident, inc *incident.Incident, st incident.Status, fr, en string) Item {
	if st == "" {
		st = inc.Status
	}
	it := Item{Topic: TopicIncident, Event: "update", At: p.o.Now().UTC(), IncidentID: inc.ID,
		Title: Text{FR: inc.Title, EN: inc.Title}, Body: Text{FR: fr, EN: en}, Status: string(st), Severity: string(inc.Severity)}
	if st != inc.Status && st != incident.Investigating {
		it.Event = string(st)
	}
	if inc.Cause == incident.CauseSiteProblem {
		it.Topic = TopicSiteProblem
		if inc.Reason != "" {
			it.Body = Text{FR: fr + " " + ReasonText("fr", inc.Reason), EN: en + " " + ReasonText("en", inc.Reason)}
		}
	}
	if v != nil {
		it.Title = Text(v.Name)
		it.Components = componentsOf(page, v)
	}
	return it
}

// previewOf is a channel's preview before rendering; ok is false for a
// channel a public update never reaches (disabled, staff only).
func (p *Planner) previewOf(ch Channel, pl *plan, it Item, inc *incident.Incident, platform bool, tl telling) (Preview, bool) {
	pv, ok := channelPreview(ch, pl)
	switch {
	case !ok:
	case inc.SettledAt == nil:
		pv.Held = "the incident has not settled: customers and public channels hear of it once it does"
	case pv.Audience == AudiencePublic && !platform:
		pv.Recipients, pv.Held = 0, "the incident is not platform-wide: public channels are not told"
	case pv.Recipients == 0:
		pv.Held = "no customer to tell: none in scope has an address and takes these messages"
	}
	return pv, ok
}

// channelPreview is what a channel's preview holds before it is judged:
// its audience (customers by e-mail, else the public), how many of the
// plan's messages it carries and a sample recipient; ok is false for a
// channel customers' and public notices never reach (disabled, staff
// only).
func channelPreview(ch Channel, pl *plan) (Preview, bool) {
	pv := Preview{Channel: ch.ID, Kind: ch.Kind}
	switch {
	case !ch.Enabled:
		return pv, false
	case ch.Kind == KindEmail && slices.Contains(ch.Audiences, AudienceCustomers):
		pv.Audience = AudienceCustomers
	case slices.Contains(ch.Audiences, AudiencePublic):
		pv.Audience = AudiencePublic
	default:
		return pv, false
	}
	for _, m := range pl.msgs {
		if m.m.Channel == ch.ID {
			if pv.Recipients == 0 && pv.Audience == AudienceCustomers {
				r := m.m.Recipient
				pv.Sample = &r
			}
			pv.Recipients++
		}
	}
	return pv, true
}

// renderBoth renders the channel's first planned message (or, when it has
// none, the item as the channel would carry it) in both languages, with a
// stand-in for the customer's own opt-out link.
func renderBoth(pv *Preview, pl *plan, ch Channel, it Item, tl telling, publicURL string,
	render func(m *Message, lang string) (Rendered, error)) error {
	m := Message{Key: "preview", Channel: ch.ID, Recipient: channelRecipient(ch), Topic: it.Topic, Thread: tl.thread,
		IncidentID: tl.incident, Items: []Item{it}}
	for _, x := range pl.msgs {
		if x.m.Channel == ch.ID {
			m = x.m
			break
		}
	}
	if m.Unsubscribe != "" {
		m.Unsubscribe = publicURL + "/unsubscribe/…"
	}
	for _, lang := range []string{"fr", "en"} {
		mi := m
		mi.Items = slices.Clone(m.Items)
		mi.Items[0].Link = tl.link(lang)
		r, err := render(&mi, lang)
		if err != nil {
			return err
		}
		if lang == "fr" {
			pv.FR = r
		} else {
			pv.EN = r
		}
	}
	return nil
}
