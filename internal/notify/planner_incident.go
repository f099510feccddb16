package notify

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/status"
)

// plannedTypes are the trigger types the planner reads: the intake keeps no
// row of the others (signals, roles, merges), which would only be read
// and dropped. A note may change the severity, which may page.
var plannedTypes = map[string]bool{
	string(incident.EventOpened): true, string(incident.EventSettled): true, string(incident.EventStatus): true,
	string(incident.EventScopeChanged): true, string(incident.EventRetargeted): true, string(incident.EventNote): true,
	incident.TriggerPublicUpdate: true, incident.TriggerMaintenance: true,
}

// planEvent plans an incident's timeline event: a page when a critical or
// major incident opens, the first public word when it settles (at once
// for incidents staff open), then each public status change, and the
// first word to customers a widening reaches.
func (p *Planner) planEvent(ctx context.Context, t incident.Trigger) (*plan, error) {
	pl := &plan{}
	if !plannedTypes[t.Type] {
		return pl, nil
	}
	inc, err := p.d.Incidents.Get(ctx, t.IncidentID)
	if err != nil {
		return nil, err
	}
	cause := eventCause(t.EventID)
	settled := inc.SettledAt != nil
	// A critical or major incident pages once: when it opens so, or when
	// a re-targeting, a widening or staff make it so later.
	if (inc.Severity == incident.Critical || inc.Severity == incident.Major) && inc.Status != incident.Resolved && inc.Status != incident.Merged {
		paged, err := p.paged(ctx, inc.ID)
		if err != nil {
			return nil, err
		}
		if !paged {
			if err := p.planPage(ctx, pl, &inc, "page", cause, false); err != nil {
				return nil, err
			}
		}
	}
	switch incident.EventType(t.Type) {
	case incident.EventOpened:
		if settled {
			err = p.planPublic(ctx, pl, &inc, publicWord{event: "opened", cause: cause})
		}
	case incident.EventSettled:
		err = p.planPublic(ctx, pl, &inc, publicWord{event: "opened", cause: cause})
	case incident.EventStatus:
		if settled {
			err = p.planPublic(ctx, pl, &inc, publicWord{cause: cause, update: "e" + strconv.FormatInt(t.EventID, 10), everyone: true})
		}
	case incident.EventScopeChanged:
		if settled {
			err = p.planPublic(ctx, pl, &inc, publicWord{event: "opened", cause: cause, onlyNew: true})
		}
	}
	return pl, err
}

// planPublicUpdate plans a staff-written public update. One that gives the
// text of an engine event was planned with that event.
func (p *Planner) planPublicUpdate(ctx context.Context, t incident.Trigger) (*plan, error) {
	pl := &plan{}
	ups, err := p.d.Incidents.PublicUpdates(ctx, []int64{t.IncidentID})
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(ups[t.IncidentID], func(u incident.PublicUpdate) bool { return u.ID == t.UpdateID })
	if i < 0 || ups[t.IncidentID][i].ReplacesEvent != 0 {
		return pl, nil
	}
	inc, err := p.d.Incidents.Get(ctx, t.IncidentID)
	if err != nil {
		return nil, err
	}
	if inc.SettledAt == nil {
		return pl, nil
	}
	// An edit of the update triggers again: it was told once, as written
	// then; the page and the feeds show the new text.
	u := "u" + strconv.FormatInt(t.UpdateID, 10)
	if done, err := p.marked(ctx, "update/"+u); err != nil || done {
		return pl, err
	}
	pl.marks = append(pl.marks, "update/"+u)
	return pl, p.planPublic(ctx, pl, &inc, publicWord{event: "update", cause: u, update: u, everyone: true})
}

// publicWord says what public message to plan.
type publicWord struct {
	// event names the item ("opened", "update"); "" takes it from the
	// update's status.
	event string
	// cause prefixes the idempotency keys.
	cause string
	// update is the id of the page's update whose text is told ("" the
	// latest).
	update string
	// everyone adds the customers told before to those in scope now;
	// onlyNew keeps only those in scope never told.
	everyone, onlyNew bool
}

// publicView finds the incident as the public side shows it: on
// everyone's page, or on its one customer's (a site problem, a VPS).
func (p *Planner) publicView(ctx context.Context, inc *incident.Incident) (*status.Page, *status.Incident, error) {
	pages := []string{""}
	if len(inc.Impact.Customers) == 1 {
		pages = append(pages, inc.Impact.Customers[0])
	}
	for _, c := range pages {
		if c == "" && inc.Cause == incident.CauseSiteProblem {
			continue
		}
		page, err := p.page(ctx, c)
		if err != nil {
			return nil, nil, err
		}
		for i := range page.Incidents {
			if page.Incidents[i].ID == inc.ID {
				return page, &page.Incidents[i], nil
			}
		}
	}
	return nil, nil, nil
}

// incidentItem is the item telling word w about the incident as the page
// shows it; ok is false when the page has no such update.
func (p *Planner) incidentItem(page *status.Page, v *status.Incident, inc *incident.Incident, w publicWord) (Item, bool) {
	if len(v.Updates) == 0 {
		return Item{}, false
	}
	u := v.Updates[0]
	if w.update != "" {
		k := slices.IndexFunc(v.Updates, func(u status.Update) bool { return u.ID == w.update })
		if k < 0 {
			return Item{}, false
		}
		u = v.Updates[k]
	}
	ev := w.event
	if ev == "" {
		ev = string(u.Status)
		if u.Status == status.Investigating {
			ev = "update"
		}
	}
	topic := TopicIncident
	if inc.Cause == incident.CauseSiteProblem {
		topic = TopicSiteProblem
	}
	it := Item{Topic: topic, Event: ev, At: u.At, IncidentID: inc.ID, Title: Text(v.Name), Body: Text(u.Body),
		Status: string(v.Status), Severity: string(inc.Severity), StartedAt: ptrTime(v.StartedAt)}
	if topic == TopicSiteProblem && inc.Reason != "" {
		it.Body = Text{FR: it.Body.FR + " " + ReasonText("fr", inc.Reason), EN: it.Body.EN + " " + ReasonText("en", inc.Reason)}
	}
	it.Components = componentsOf(page, v)
	return it, true
}

// componentsOf names the components an incident touches, in page order.
func componentsOf(page *status.Page, v *status.Incident) []Text {
	var out []Text
	for _, c := range page.Components {
		if slices.ContainsFunc(v.Components, func(a status.Affected) bool { return a.Component == c.ID }) {
			out = append(out, Text(c.Name))
		}
	}
	return out
}

// toldOrInScope returns the customers an update of the incident goes to:
// those told before and those in its scope now.
func (p *Planner) toldOrInScope(ctx context.Context, inc *incident.Incident) (map[string]bool, error) {
	who, err := p.told(ctx, "i"+strconv.FormatInt(inc.ID, 10))
	if err != nil {
		return nil, err
	}
	for _, c := range inc.Impact.Customers {
		who[c] = true
	}
	delete(who, toldPublic)
	return who, nil
}

// planPublic plans a public word about an incident: to the affected
// customers, each in their language and naming their sites, and, when
// the incident is platform-wide, to the public channels.
func (p *Planner) planPublic(ctx context.Context, pl *plan, inc *incident.Incident, w publicWord) error {
	page, v, err := p.publicView(ctx, inc)
	if err != nil || v == nil {
		return err
	}
	it, ok := p.incidentItem(page, v, inc, w)
	if !ok {
		return nil
	}
	a, err := p.audience(ctx, true)
	if err != nil {
		return err
	}
	subject := "i" + strconv.FormatInt(inc.ID, 10)
	told, err := p.told(ctx, subject)
	if err != nil {
		return err
	}
	who := map[string]bool{}
	for _, c := range inc.Impact.Customers {
		if !w.onlyNew || !told[c] {
			who[c] = true
		}
	}
	if w.everyone {
		for c := range told {
			who[c] = true
		}
	}
	delete(who, toldPublic)
	g := p.d.Inventory.Graph()
	tl := telling{cause: w.cause, thread: "incident/" + strconv.FormatInt(inc.ID, 10), subject: subject, incident: inc.ID,
		link: func(lang string) string { return p.incidentLink(inc.ID, lang) }}
	p.tellCustomers(pl, a, it, who, sitesByOwner(g, g.Scope(inc.RootAssets)), tl)
	// The public channels hear of a platform-wide outage, and follow to
	// its end one they were told of, even if it narrows; a widening tells
	// them only when it makes the incident platform-wide.
	platform := v.Platform && page.Customer == nil
	switch {
	case inc.Cause != incident.CauseOutage, !platform && !told[toldPublic], w.onlyNew && told[toldPublic]:
		return nil
	}
	p.tellPublic(pl, a, it, tl)
	pl.tell(subject, toldPublic)
	return nil
}

// toldPublic stands, among the customers told about an incident, for the
// public channels.
const toldPublic = "*public"

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// ReasonText says a site problem's cause (a check.Reason) in plain words
// and what to check, in lang ("fr" or "en"): the sentence that messages
// about site problems end with, and the customer area repeats.
func ReasonText(lang, reason string) string {
	fr := map[string]string{
		"http-status": "Le site répond par une erreur HTTP : vérifiez votre application (journaux d'erreurs, mise à jour récente).",
		"tls":         "Le certificat du site est invalide ou expiré : vérifiez son renouvellement.",
		"dns":         "Le nom de domaine ne se résout pas : vérifiez sa configuration DNS et son renouvellement.",
		"timeout":     "Le site ne répond pas à temps : vérifiez votre application (requêtes lentes, extensions).",
		"content":     "La page ne contient plus le texte attendu : vérifiez son contenu.",
		"refused":     "La connexion au site est refusée : le serveur web ne l'accepte pas.",
		"certificate": "Le certificat du site est invalide ou expiré : vérifiez son renouvellement.",
		"slow":        "Le site répond, mais très lentement : vérifiez votre application.",
		"network":     "La connexion au site est coupée en cours de route.",
	}
	en := map[string]string{
		"http-status": "The site answers with an HTTP error: check your application (error logs, a recent update).",
		"tls":         "The site's certificate is invalid or expired: check its renewal.",
		"dns":         "The domain name does not resolve: check its DNS settings and its renewal.",
		"timeout":     "The site does not answer in time: check your application (slow queries, plugins).",
		"content":     "The page no longer holds the expected text: check its content.",
		"refused":     "The connection to the site is refused: the web server does not accept it.",
		"certificate": "The site's certificate is invalid or expired: check its renewal.",
		"slow":        "The site answers, but very slowly: check your application.",
		"network":     "The connection to the site breaks on the way.",
	}
	words := fr
	if lang == "en" {
		words = en
	}
	if t, ok := words[strings.ToLower(reason)]; ok {
		return t
	}
	if lang == "en" {
		return fmt.Sprintf("Cause: %s.", reason)
	}
	return fmt.Sprintf("Cause : %s.", reason)
}
