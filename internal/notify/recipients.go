package notify

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/status"
)

// maxSitesNamed is how many of a customer's sites a message names; the
// rest are counted.
const maxSitesNamed = 20

// audience is everyone a plan may reach, read once per plan.
type audience struct {
	channels  []Channel
	customers map[string]inventory.Customer
	optOuts   optOutSet
}

// channelsFor returns the enabled channels speaking to aud.
func (a *audience) channelsFor(aud Audience) []Channel {
	var out []Channel
	for _, ch := range a.channels {
		if ch.Enabled && slices.Contains(ch.Audiences, aud) {
			out = append(out, ch)
		}
	}
	return out
}

func (p *Planner) audience(ctx context.Context, withCustomers bool) (*audience, error) {
	if p.aud != nil {
		return p.aud, nil
	}
	chans, err := p.d.Channels(ctx)
	if err != nil {
		return nil, err
	}
	a := &audience{channels: chans, customers: map[string]inventory.Customer{}}
	if !withCustomers {
		return a, nil
	}
	after := ""
	for {
		page, err := p.d.Inventory.Customers(ctx, inventory.CustomerFilter{After: after, Limit: inventory.MaxPage})
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			a.customers[c.ID] = c
		}
		if len(page) < inventory.MaxPage {
			break
		}
		after = page[len(page)-1].ID
	}
	if a.optOuts, err = p.d.Prefs.allOptOuts(ctx); err != nil {
		return nil, err
	}
	p.aud = a
	return a, nil
}

// CustomerRecipient is a customer as a recipient, in their language and
// zone; ok is false for one without an e-mail address.
func CustomerRecipient(c inventory.Customer) (Recipient, bool) {
	lang := c.Language
	if lang != "en" {
		lang = "fr"
	}
	zone := c.Timezone
	if zone == "" {
		zone = "Europe/Paris"
	}
	return Recipient{Kind: "customer", ID: c.ID, Address: c.Email, Name: c.Name, Lang: lang, Zone: zone}, c.Email != ""
}

// channelRecipient is a shared channel (a chat room, an account, the
// forum) as a recipient, in the language and zone it is set to.
func channelRecipient(ch Channel) Recipient {
	lang := ch.Config["lang"]
	if lang != "en" {
		lang = "fr"
	}
	zone := ch.Config["zone"]
	if zone == "" {
		zone = "Europe/Paris"
	}
	return Recipient{Kind: "channel", ID: ch.ID, Name: ch.Name, Lang: lang, Zone: zone}
}

// sitesByOwner returns, for each customer, the sorted sites among names.
func sitesByOwner(g *inventory.Graph, names []string) map[string][]string {
	out := map[string][]string{}
	for _, n := range names {
		if g.Kind(n) != inventory.KindSite {
			continue
		}
		if o := g.Owner(n); o != "" {
			out[o] = append(out[o], n)
		}
	}
	return out
}

// withSites names a customer's sites on an item, the first ones only.
func withSites(it Item, sites []string) Item {
	if len(sites) > maxSitesNamed {
		it.Sites, it.SitesMore = sites[:maxSitesNamed], len(sites)-maxSitesNamed
	} else {
		it.Sites = sites
	}
	return it
}

// link is a public page in a language.
func (p *Planner) link(path func(status.Lang) string, lang string) string {
	if p.o.PublicURL == "" {
		return ""
	}
	return p.o.PublicURL + "/" + path(status.Lang(lang))
}

func (p *Planner) incidentLink(id int64, lang string) string {
	return p.link(func(l status.Lang) string { return status.IncidentPath(l, id) }, lang)
}

func (p *Planner) unsubscribe(customer string, kind Kind, topic Topic) string {
	if p.o.PublicURL == "" || p.d.Links == nil {
		return ""
	}
	return p.o.PublicURL + "/unsubscribe/" + p.d.Links.OptOutToken(OptOut{Customer: customer, Channel: string(kind), Topic: string(topic)})
}

// key is a message's idempotency key: what caused it, the channel and the
// recipient.
func key(cause, channel, recipient string) string { return cause + "/" + channel + "/" + recipient }

func eventCause(id int64) string { return "e" + strconv.FormatInt(id, 10) }

func ptrTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// telling is what the messages of one notice share.
type telling struct {
	// cause prefixes the idempotency keys; thread groups the messages of
	// one incident or window; subject records who was told ("" none).
	cause, thread, subject string
	incident               int64
	// link is the public page of the notice in a language.
	link func(lang string) string
}

// tellCustomers queues the item for each customer of who on every
// customers' e-mail channel, naming their own sites, in their language,
// unless they opted out of its topic there.
func (p *Planner) tellCustomers(pl *plan, a *audience, it Item, who map[string]bool, sites map[string][]string, tl telling) {
	now := p.o.Now()
	for _, ch := range a.channelsFor(AudienceCustomers) {
		if ch.Kind != KindEmail {
			continue
		}
		for _, id := range sortedKeys(who) {
			r, ok := CustomerRecipient(a.customers[id])
			if !ok || a.optOuts.stops(id, ch.Kind, it.Topic) {
				continue
			}
			ci := withSites(it, sites[id])
			ci.Link = tl.link(r.Lang)
			pl.add(Message{Key: key(tl.cause, ch.ID, id), Channel: ch.ID, Recipient: r, Topic: it.Topic, Thread: tl.thread,
				IncidentID: tl.incident, Items: []Item{ci}, Unsubscribe: p.unsubscribe(id, ch.Kind, it.Topic),
				NotBefore: now.Add(p.o.Gather)}, p.o.Window)
			if tl.subject != "" {
				pl.tell(tl.subject, id)
			}
		}
	}
}

// tellPublic queues the item on every public channel, in its language.
func (p *Planner) tellPublic(pl *plan, a *audience, it Item, tl telling) {
	now := p.o.Now()
	for _, ch := range a.channelsFor(AudiencePublic) {
		r := channelRecipient(ch)
		ci := it
		ci.Link = tl.link(r.Lang)
		pl.add(Message{Key: key(tl.cause, ch.ID, ch.ID), Channel: ch.ID, Recipient: r, Topic: it.Topic, Thread: tl.thread,
			IncidentID: tl.incident, Items: []Item{ci}, NotBefore: now.Add(p.o.Gather)}, p.o.Window)
	}
}
