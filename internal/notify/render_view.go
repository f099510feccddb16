package notify

import (
	"errors"
	"fmt"
	"strings"
)

// view is a message with every word translated: what the templates show.
type view struct {
	Lang     string
	Subject  string
	Greeting string
	// Intro are the lines before the entries: a page's call to duty, a
	// summary's counts.
	Intro   []string
	Summary bool
	Entries []entry
	// Short is what the Mastodon form shortens: the newest public text, or
	// a summary's list.
	Short     string
	ShortLink string
	Signature string
	// Footer says why the recipient gets the message.
	Footer      []string
	Unsubscribe *link
}

// entry is one incident or window: its updates in a single message, its
// line in a summary.
type entry struct {
	Title   string
	Updates []update
	Facts   []fact
	Links   []link
	// Internal is a page's staff-only detail, under its label.
	Internal, InternalLabel string
}

type update struct{ Headline, When, Body string }

type fact struct{ Label, Value string }

// link is a labelled address; Lead is the label with its colon, for text.
type link struct{ Label, Lead, URL string }

var errNoItems = errors.New("message has no items")

// build translates message m for its recipient into w's language.
func (w *words) build(m *Message) (*view, error) {
	if len(m.Items) == 0 {
		return nil, errNoItems
	}
	channel := m.Recipient.Kind == "channel"
	for i := range m.Items {
		if channel && m.Items[i].Topic == TopicSiteProblem {
			return nil, fmt.Errorf("message %s: a site problem is private and never goes to a channel", m.Key)
		}
	}
	v := &view{Lang: w.lang, Signature: w.t("NotifySignature", "PublicName", w.opts.PublicName)}
	if !channel {
		v.Greeting = w.t("NotifyGreeting")
		if name := oneLine(m.Recipient.Name); name != "" {
			v.Greeting = w.t("NotifyGreetingName", "Name", name)
		}
	}
	switch {
	case m.Items[0].Topic == TopicDirect:
		w.direct(m, v)
		return v, nil
	case m.Summary():
		w.summary(m, v)
	default:
		w.single(m, v)
	}
	w.footer(m, v)
	return v, nil
}

// single fills v with the items of one incident or window, oldest first;
// the newest names the state.
func (w *words) single(m *Message, v *view) {
	last := &m.Items[len(m.Items)-1]
	v.Subject = w.t("NotifySubject", "Tag", w.tag(last), "Title", w.subjectTitle(m, last), "State", w.state(last))
	e := entry{Title: w.title(last) + " — " + w.state(last)}
	for i := range m.Items {
		it := &m.Items[i]
		u := update{Headline: w.headline(it), Body: it.Body.In(w.lang)}
		if it.Topic == TopicPage {
			// A page's headline is its call to duty, said once above.
			u.Headline = ""
		}
		if !it.At.IsZero() {
			u.When = w.at(it.At)
		}
		if u.Headline != "" || u.Body != "" {
			e.Updates = append(e.Updates, u)
		}
		if it.Internal != "" && it.Topic == TopicPage {
			e.Internal, e.InternalLabel = it.Internal, w.label("NotifyLabelInternal")
		}
	}
	if last.Topic == TopicPage {
		v.Intro = []string{w.headline(last)}
	}
	e.Facts = w.facts(m, last)
	e.Links = w.links(last)
	v.Entries = []entry{e}
	v.Short = last.Body.In(w.lang)
	v.ShortLink = w.home(last)
}

// subjectTitle names the item in the subject: a site problem names the
// site, to its owner.
func (w *words) subjectTitle(m *Message, it *Item) string {
	if it.Topic == TopicSiteProblem && len(it.Sites) > 0 && m.Recipient.Kind != "channel" {
		return oneLine(it.Sites[0])
	}
	return w.title(it)
}

// facts are the labelled details under the text of an item.
func (w *words) facts(m *Message, it *Item) []fact {
	var fs []fact
	add := func(id, value string) {
		if value != "" {
			fs = append(fs, fact{Label: w.label(id), Value: value})
		}
	}
	switch it.Topic {
	case TopicIncident, TopicSiteProblem:
		add("NotifyLabelStatus", w.state(it))
	case TopicPage:
		add("NotifyLabelSeverity", w.severity(it.Severity))
	}
	if it.StartedAt != nil {
		add("NotifyLabelStarted", w.at(*it.StartedAt))
	}
	if it.Start != nil && it.End != nil {
		add("NotifyLabelWindow", w.window(*it.Start, *it.End))
	}
	var comps []string
	for _, c := range it.Components {
		if s := oneLine(c.In(w.lang)); s != "" {
			comps = append(comps, s)
		}
	}
	add("NotifyLabelComponents", w.sites(comps, 0))
	if m.Recipient.Kind != "channel" {
		id := "NotifyLabelSites"
		if it.Topic == TopicSiteProblem && len(it.Sites) == 1 && it.SitesMore == 0 {
			id = "NotifyLabelSite"
		}
		add(id, w.sites(it.Sites, it.SitesMore))
	}
	return fs
}

// links are an item's acknowledgement link (pages) and its public page.
func (w *words) links(it *Item) []link {
	var ls []link
	if it.AckLink != "" && it.Topic == TopicPage {
		ls = append(ls, w.link("NotifyLinkAck", it.AckLink))
	}
	if url := w.home(it); url != "" {
		label := w.linkLabel(it)
		ls = append(ls, link{Label: label, Lead: w.t("NotifyLabel", "Label", label), URL: url})
	}
	return ls
}

func (w *words) link(id, url string) link {
	return link{Label: w.t(id), Lead: w.label(id), URL: url}
}

// home is an item's public page, or the status page when it has none.
func (w *words) home(it *Item) string {
	if it != nil && it.Link != "" {
		return it.Link
	}
	return w.opts.PublicURL
}

// summary fills v with one line per incident or window, in the order they
// first appear, each with its newest state.
func (w *words) summary(m *Message, v *view) {
	v.Summary = true
	var order []string
	newest := map[string]*Item{}
	for i := range m.Items {
		it := &m.Items[i]
		k := fmt.Sprintf("%d/%d", it.IncidentID, it.MaintenanceID)
		if _, ok := newest[k]; !ok {
			order = append(order, k)
		}
		newest[k] = it
	}
	counts := map[Topic]int{}
	for _, k := range order {
		it := newest[k]
		counts[it.Topic]++
		v.Entries = append(v.Entries, entry{Title: w.title(it) + " — " + w.state(it), Facts: w.summaryFacts(m, it), Links: w.links(it)})
	}
	public := m.Recipient.Kind == "channel"
	incidents := counts[TopicIncident] + counts[TopicSiteProblem]
	v.Intro = w.counts(public, incidents, counts[TopicMaintenance], counts[TopicPage])
	v.Subject = "[" + w.t("NotifyTagSummary") + "] " + strings.Join(v.Intro, " · ")
	lines := make([]string, len(v.Entries))
	for i, e := range v.Entries {
		lines[i] = "• " + e.Title
	}
	v.Short = strings.Join(lines, "\n")
	v.ShortLink = w.opts.PublicURL
}

// summaryFacts are a summary line's details: the recipient's sites.
func (w *words) summaryFacts(m *Message, it *Item) []fact {
	if m.Recipient.Kind == "channel" {
		return nil
	}
	if s := w.sites(it.Sites, it.SitesMore); s != "" {
		return []fact{{Label: w.label("NotifyLabelSites"), Value: s}}
	}
	return nil
}

// counts are a summary's opening lines: "3 incidents affectent vos services".
func (w *words) counts(public bool, incidents, maintenance, pages int) []string {
	incID, mntID := "NotifySummaryIncidents", "NotifySummaryMaintenance"
	if public {
		incID, mntID = "NotifySummaryIncidentsPublic", "NotifySummaryMaintenancePublic"
	}
	var lines []string
	for _, c := range []struct {
		id string
		n  int
	}{{incID, incidents}, {mntID, maintenance}, {"NotifySummaryPages", pages}} {
		if c.n > 0 {
			lines = append(lines, w.t(c.id, "Count", c.n))
		}
	}
	return lines
}

// footer says why the recipient gets the message and how to stop.
func (w *words) footer(m *Message, v *view) {
	last := &m.Items[len(m.Items)-1]
	switch m.Recipient.Kind {
	case "channel":
		return
	case "customer":
		id := map[Topic]string{TopicMaintenance: "NotifyWhyMaintenance", TopicSiteProblem: "NotifyWhySite"}[last.Topic]
		if id == "" {
			id = "NotifyWhyIncident"
		}
		if v.Summary {
			id = "NotifyWhySummary"
		}
		v.Footer = append(v.Footer, w.t(id, "PublicName", w.opts.PublicName))
		if m.Unsubscribe != "" {
			l := w.link("NotifyUnsubscribe", m.Unsubscribe)
			v.Unsubscribe = &l
		}
	default:
		if last.Topic == TopicPage {
			id := "NotifyWhyPage"
			if last.Event == "escalation" {
				id = "NotifyWhyEscalation"
			}
			v.Footer = append(v.Footer, w.t(id))
		}
	}
}
