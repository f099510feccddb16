package notify

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/i18n"
)

// The fixtures' clock: a Thursday in March, before the DST change.
var fixtureNow = time.Date(2026, 3, 12, 13, 5, 0, 0, time.UTC)

func at(minutes int) time.Time { return fixtureNow.Add(time.Duration(minutes) * time.Minute) }

func ptr(t time.Time) *time.Time { return &t }

func testRenderer(t testing.TB) *Renderer {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRenderer(b, RenderOptions{PublicName: "Hébergeur Exemple", PublicURL: "https://status.example.net/"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var (
	ana    = Recipient{Kind: "customer", ID: "C00042", Address: "ana@client.example", Name: "Ana Martin", Lang: "fr", Zone: "Europe/Paris"}
	bob    = Recipient{Kind: "customer", ID: "C00043", Address: "bob@client.example", Name: "Bob Smith", Lang: "en", Zone: "America/Toronto"}
	oncall = Recipient{Kind: "staff", ID: "lea@host.example", Address: "lea@host.example", Name: "Léa", Lang: "en", Zone: "America/Montreal"}
	public = Recipient{Kind: "channel", ID: "mastodon", Lang: "fr", Zone: "Europe/Paris"}
)

var sharedHosting = []Text{{FR: "Hébergement mutualisé", EN: "Shared hosting"}}

func incidentItem(event, status string, minutes int) Item {
	return Item{
		Topic: TopicIncident, Event: event, At: at(minutes), IncidentID: 12,
		Title: Text{FR: "Panne : Hébergement mutualisé", EN: "Outage: Shared hosting"},
		Body: map[string]Text{
			"opened":     {FR: "Nous enquêtons sur une panne affectant Hébergement mutualisé.", EN: "We are investigating an outage affecting Shared hosting."},
			"monitoring": {FR: "Un correctif est en place, nous surveillons le retour à la normale.", EN: "A fix is in place and we are monitoring the recovery."},
			"resolved":   {FR: "L'incident est résolu. Les services concernés fonctionnent de nouveau normalement.", EN: "The incident is resolved. The affected services work normally again."},
		}[event],
		Status: status, Severity: "major", Components: sharedHosting,
		Sites: []string{"boutique.client.example", "blog.client.example"}, SitesMore: 3,
		StartedAt: ptr(at(-3)), Link: "https://status.example.net/incidents/12",
	}
}

func maintenanceItem(event string) Item {
	return Item{
		Topic: TopicMaintenance, Event: event, At: at(0), MaintenanceID: 4,
		Title:      Text{FR: "Mise à jour des hyperviseurs", EN: "Hypervisor upgrade"},
		Body:       Text{FR: "Les sites hébergés sur le cluster B seront indisponibles quelques minutes.", EN: "Sites on cluster B will be unavailable for a few minutes."},
		Components: sharedHosting, Sites: []string{"boutique.client.example"},
		Start: ptr(time.Date(2026, 3, 15, 1, 0, 0, 0, time.UTC)), End: ptr(time.Date(2026, 3, 15, 3, 0, 0, 0, time.UTC)),
		Link: "https://status.example.net/maintenance/4",
	}
}

func pageItem(event string) Item {
	return Item{
		Topic: TopicPage, Event: event, At: at(0), IncidentID: 12, Severity: "critical",
		Title:    Text{FR: "Panne : Hébergement mutualisé", EN: "Outage: Shared hosting"},
		Internal: "root: hypervisor hv-b3 (ping down since 13:02 UTC)\nscope: 412 sites, 3 components",
		Link:     "https://status.example.net/incidents/12", AckLink: "https://vigie.example.net/ack/12?sig=abc",
	}
}

func siteProblemItem() Item {
	return Item{
		Topic: TopicSiteProblem, Event: "opened", At: at(0), IncidentID: 31,
		Title: Text{FR: "Problème sur l'un de vos sites", EN: "A problem on one of your sites"},
		Body: Text{FR: "Le site boutique.client.example répond avec une erreur 500 depuis 14:02.",
			EN: "The site boutique.client.example has answered with error 500 since 14:02."},
		Status: "investigating", Sites: []string{"boutique.client.example"}, StartedAt: ptr(at(-3)),
		Link: "https://client.example.net/sites/boutique",
	}
}

func summaryItems() []Item {
	a := incidentItem("opened", "investigating", 0)
	b := incidentItem("opened", "investigating", 1)
	b.IncidentID, b.Title, b.Sites, b.SitesMore = 13, Text{FR: "Lenteurs : Base de données", EN: "Slowness: Database"}, []string{"crm.client.example"}, 0
	b.Link = "https://status.example.net/incidents/13"
	c := incidentItem("resolved", "resolved", 2)
	c.IncidentID, c.Title, c.Sites, c.SitesMore = 14, Text{FR: "Panne : DNS", EN: "Outage: DNS"}, nil, 0
	c.Link = "https://status.example.net/incidents/14"
	return []Item{a, b, c, maintenanceItem("started")}
}

// goldenMessages is the representative set kept under testdata/.
func goldenMessages() map[string]*Message {
	msg := func(key string, rc Recipient, topic Topic, thread string, items ...Item) *Message {
		m := &Message{Key: key, Channel: "mail", Recipient: rc, Topic: topic, Thread: thread, Items: items}
		if rc.Kind == "customer" {
			m.Unsubscribe = "https://status.example.net/unsubscribe?c=" + rc.ID + "&sig=xyz"
		}
		return m
	}
	return map[string]*Message{
		"incident-opened-fr":   msg("incident-12-1", ana, TopicIncident, "incident/12", incidentItem("opened", "investigating", 0)),
		"incident-resolved-en": msg("incident-12-3", bob, TopicIncident, "incident/12", incidentItem("monitoring", "monitoring", 30), incidentItem("resolved", "resolved", 34)),
		"maintenance-ahead-fr": msg("maintenance-4-ahead", ana, TopicMaintenance, "maintenance/4", maintenanceItem("ahead")),
		"page-en":              msg("page-12-lea", oncall, TopicPage, "incident/12", pageItem("page")),
		"summary-fr":           msg("summary-C00042-1", ana, TopicIncident, "", summaryItems()...),
		"site-problem-en":      msg("site-31-1", bob, TopicSiteProblem, "incident/31", siteProblemItem()),
	}
}

// everyItem covers every topic and event.
func everyItem() []Item {
	var items []Item
	for _, ev := range [][2]string{{"opened", "investigating"}, {"update", "investigating"}, {"identified", "identified"}, {"monitoring", "monitoring"}, {"resolved", "resolved"}} {
		items = append(items, incidentItem(ev[0], ev[1], 0))
	}
	for _, ev := range []string{"scheduled", "changed", "cancelled", "ahead", "started", "ended"} {
		items = append(items, maintenanceItem(ev))
	}
	resolved := siteProblemItem()
	resolved.Event, resolved.Status = "resolved", "resolved"
	update := siteProblemItem()
	update.Event = "update"
	return append(items, siteProblemItem(), update, resolved, pageItem("page"), pageItem("escalation"))
}
