package notify

import (
	"context"
	"errors"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/status"
)

// PreviewWindow renders, without sending or storing anything, the notice
// every enabled channel would send to announce a window not saved yet:
// the customers' e-mail (one of them shown, naming their sites) and, when
// the window reaches more than one customer or none in particular, each
// public channel's post. The public page lists the components a saved
// window touches; the preview leaves them out.
func (p *Planner) PreviewWindow(ctx context.Context, w *incident.Window,
	render func(m *Message, lang string) (Rendered, error)) ([]Preview, error) {
	p.pages, p.aud = nil, nil
	start, end, ok := w.Occurrence(p.o.Now())
	if !ok {
		return nil, errors.New("preview a maintenance window: it has no valid occurrence")
	}
	it := Item{Topic: TopicMaintenance, Event: "scheduled", At: p.o.Now().UTC(),
		Title: Text{FR: w.Title, EN: w.TitleEN}, Body: Text{FR: w.Description, EN: w.DescriptionEN},
		Start: ptrTime(start), End: ptrTime(end)}
	a, err := p.audience(ctx, true)
	if err != nil {
		return nil, err
	}
	g := p.d.Inventory.Graph()
	who := p.scopeOwners(w)
	// As the public page judges it: a window is the platform's when it
	// reaches more than one customer, or none.
	platform := len(who) != 1
	pl := &plan{}
	tl := telling{cause: "preview", thread: "maintenance/new",
		link: func(lang string) string { return p.link(status.HomePath, lang) }}
	p.tellCustomers(pl, a, it, who, sitesByOwner(g, g.Scope(w.Assets)), tl)
	if platform {
		p.tellPublic(pl, a, it, tl)
	}
	var out []Preview
	for _, ch := range a.channels {
		pv, ok := windowPreviewOf(ch, pl, platform)
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

// windowPreviewOf is a channel's preview of a window's notice before
// rendering; ok is false for a channel such a notice never reaches.
func windowPreviewOf(ch Channel, pl *plan, platform bool) (Preview, bool) {
	pv, ok := channelPreview(ch, pl)
	switch {
	case !ok:
	case pv.Audience == AudiencePublic && !platform:
		pv.Recipients, pv.Held = 0, "the window reaches one customer only: public channels are not told"
	case pv.Recipients == 0:
		pv.Held = "no customer to tell: none in scope has an address and takes these messages"
	}
	return pv, ok
}
