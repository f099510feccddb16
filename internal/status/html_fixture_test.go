package status

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/i18n"
)

// The fixture's moment: 02:35 in Paris on 6 December 2026, forty minutes
// into an outage, during a maintenance window on the mail.
var fixtureNow = time.Date(2026, 12, 6, 1, 35, 0, 0, time.UTC)

func parisZone(t testing.TB) *time.Location {
	t.Helper()
	z, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func newTestRenderer(t testing.TB) *Renderer {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRenderer(b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fixtureDays are 90 days ending on the fixture's day, all operational
// but for the given ones (days ago → day).
func fixtureDays(zone *time.Location, n int, special map[int]Day) []Day {
	today := time.Date(2026, 12, 6, 0, 0, 0, 0, zone)
	days := make([]Day, 0, n)
	for ago := n - 1; ago >= 0; ago-- {
		d := Day{Date: today.AddDate(0, 0, -ago), Worst: Operational}
		if s, ok := special[ago]; ok {
			s.Date = d.Date
			d = s
		}
		days = append(days, d)
	}
	return days
}

// fixturePage is a public page at the fixture's moment: one active
// incident with an update in one language only, three resolved ones, a
// window in progress, two upcoming, three components in two groups.
func fixturePage(t testing.TB) *Page {
	t.Helper()
	zone := parisZone(t)
	at := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, zone)
	}
	active := Incident{
		ID: 42, Name: Text{FR: "Serveurs web lents ou injoignables", EN: "Slow or unreachable web servers"},
		Status: Identified, Impact: IndicatorMajor,
		StartedAt: at(12, 6, 1, 52), CreatedAt: at(12, 6, 1, 54), UpdatedAt: at(12, 6, 2, 30),
		Components: []Affected{
			{Component: "web", Status: MajorOutage},
			{Component: "db", Status: DegradedPerformance, Override: true},
		},
		Updates: []Update{
			{ID: "u7", Status: Identified, At: at(12, 6, 2, 30), Body: Text{
				FR: "Une baie de stockage a perdu un contrôleur. Nous basculons les machines virtuelles sur la seconde baie.\nProchain point vers 03:00.",
				EN: "A storage array lost a controller. We are moving the virtual machines to the second array.\nNext update around 03:00.",
			}},
			{ID: "u6", Status: Investigating, At: at(12, 6, 2, 10), Body: Text{EN: "Some sites answer with errors 502; the team is on it."}},
			{ID: "e91", Status: Investigating, At: at(12, 6, 1, 54), Auto: true, Body: Text{FR: "Nous enquêtons sur des lenteurs des sites hébergés."}},
		},
		Platform: true,
	}
	resolved := Incident{
		ID: 40, Name: Text{FR: "Coupure du réseau du datacentre", EN: "Datacenter network cut"},
		Status: Postmortem, Impact: IndicatorCritical,
		StartedAt: at(11, 16, 9, 12), CreatedAt: at(11, 16, 9, 13), ResolvedAt: ptr(at(11, 16, 10, 47)),
		MonitoringAt: ptr(at(11, 16, 10, 20)),
		Components:   []Affected{{Component: "web", Status: MajorOutage}, {Component: "mail", Status: MajorOutage}},
		Updates: []Update{
			{ID: "u3", Status: Resolved, At: at(11, 16, 10, 47), Body: Text{FR: "Le réseau est rétabli depuis 40 minutes.", EN: "The network has been back for 40 minutes."}},
			{ID: "u2", Status: Monitoring, At: at(11, 16, 10, 20), Body: Text{FR: "L'opérateur a réparé la fibre ; nous surveillons.", EN: "The carrier repaired the fibre; we are monitoring."}},
			{ID: "u1", Status: Investigating, At: at(11, 16, 9, 13), Body: Text{FR: "Le datacentre ne répond plus.", EN: "The datacenter does not answer."}},
		},
		PostMortem: "<p>Une pelleteuse a coupé la fibre principale ; la seconde passait dans la même tranchée.</p>\n" +
			"<h3>Actions</h3>\n<ul>\n<li>Demander à l'opérateur une seconde route.</li>\n<li>Tester la bascule chaque trimestre.</li>\n</ul>\n",
		Platform: true,
	}
	oct1 := Incident{
		ID: 38, Name: Text{FR: "Erreurs PHP sur le mutualisé", EN: "PHP errors on shared hosting"},
		Status: Resolved, Impact: IndicatorMinor,
		StartedAt: at(10, 7, 14, 0), ResolvedAt: ptr(at(10, 7, 14, 25)),
		Components: []Affected{{Component: "web", Status: PartialOutage}},
		Updates:    []Update{{ID: "u1", Status: Resolved, At: at(10, 7, 14, 25), Body: Text{FR: "Corrigé.", EN: "Fixed."}}},
	}
	oct2 := Incident{
		ID: 39, Name: Text{FR: "Certificats expirés sur deux serveurs", EN: "Expired certificates on two servers"},
		Status: Resolved, Impact: IndicatorMinor,
		StartedAt: at(10, 7, 16, 5), ResolvedAt: ptr(at(10, 7, 16, 40)),
		Components: []Affected{{Component: "web", Status: PartialOutage}},
		Updates:    []Update{{ID: "u1", Status: Resolved, At: at(10, 7, 16, 40), Body: Text{FR: "Renouvelés.", EN: "Renewed."}}},
	}
	mailMove := Maintenance{
		ID: "w-mail", Name: Text{FR: "Migration du stockage de la messagerie", EN: "Mail storage migration"},
		Description: Text{FR: "Les courriels arrivent avec du retard pendant la migration ; aucun n'est perdu."},
		Status:      MaintenanceInProgress, Zone: zone,
		ScheduledFor: at(12, 6, 2, 0), ScheduledUntil: at(12, 6, 4, 0),
		Components: []string{"mail"}, Platform: true,
	}
	kernel := Maintenance{
		ID: "w-kernel", Name: Text{FR: "Mises à jour du noyau des hyperviseurs", EN: "Hypervisor kernel updates"},
		Description: Text{FR: "Chaque VM redémarre une fois, moins de deux minutes.", EN: "Each VM restarts once, for less than two minutes."},
		Status:      MaintenanceScheduled, Zone: zone, Weekly: true,
		ScheduledFor: at(12, 8, 2, 0), ScheduledUntil: at(12, 8, 4, 0),
		Components: []string{"web", "db"}, Platform: true,
	}
	rack := Maintenance{
		ID: "w-rack", Name: Text{FR: "Déménagement de la baie B", EN: "Moving rack B"},
		Status: MaintenanceScheduled, Zone: zone,
		ScheduledFor: at(12, 12, 22, 0), ScheduledUntil: at(12, 13, 6, 0),
		Components: []string{"db"}, Platform: true,
	}
	oldKernel := Maintenance{
		ID: "w-kernel-oct", Name: Text{FR: "Mises à jour du noyau des hyperviseurs", EN: "Hypervisor kernel updates"},
		Status: MaintenanceCompleted, Zone: zone,
		ScheduledFor: at(10, 22, 2, 0), ScheduledUntil: at(10, 22, 4, 0),
		Components: []string{"web"}, Platform: true,
	}
	return &Page{
		Version: "v-2026-12-06T01:35:00Z-17", Generated: fixtureNow, Zone: zone,
		Name: "Nuage Coop", URL: "https://status.nuage.example", MirrorURL: "https://nuage-status.example.net/",
		Indicator: IndicatorMajor,
		Groups: []Group{
			{ID: "hosting", Name: Text{FR: "Hébergement", EN: "Hosting"}, Components: []string{"web", "db"}},
			{ID: "mail-group", Name: Text{FR: "Courriel", EN: "Email"}, Components: []string{"mail"}},
		},
		Components: []Component{
			{
				ID: "web", Name: Text{FR: "Hébergement web", EN: "Web hosting"}, Group: "hosting",
				Description: Text{FR: "Les sites des offres mutualisées et des VPS gérés.", EN: "Sites on shared hosting and managed VPS."},
				Status:      MajorOutage, Uptime: 0.99873,
				CreatedAt: at(1, 1, 0, 0),
				Days: fixtureDays(zone, 90, map[int]Day{
					0:  {Worst: MajorOutage, Incidents: []int64{42}, Down: 43 * time.Minute},
					20: {Worst: MajorOutage, Incidents: []int64{40}, Down: 95 * time.Minute},
					45: {Worst: UnderMaintenance, Maintenance: []string{"w-kernel-oct"}},
					60: {Worst: PartialOutage, Incidents: []int64{38, 39}, Down: 60 * time.Minute},
				}),
			},
			{
				// A database component created 30 days ago: the days
				// before are without data.
				ID: "db", Name: Text{FR: "Bases de données", EN: "Databases"}, Group: "hosting",
				Status: DegradedPerformance, Uptime: 1,
				CreatedAt: at(11, 6, 12, 0),
				Days: fixtureDays(zone, 90, map[int]Day{
					0: {Worst: DegradedPerformance, Incidents: []int64{42}},
				}),
			},
			{
				// The mail has only 60 days of records.
				ID: "mail", Name: Text{FR: "Messagerie", EN: "Mail"}, Group: "mail-group",
				Description: Text{FR: "Envoi, réception, webmail."},
				Status:      UnderMaintenance, Uptime: 0.9989,
				Days: fixtureDays(zone, 60, map[int]Day{
					0:  {Worst: UnderMaintenance, Maintenance: []string{"w-mail"}},
					20: {Worst: MajorOutage, Incidents: []int64{40}, Down: 95 * time.Minute},
				}),
			},
		},
		Active:       []Incident{active},
		Incidents:    []Incident{active, resolved, oct2, oct1},
		InProgress:   []Maintenance{mailMove},
		Upcoming:     []Maintenance{kernel, rack},
		Maintenances: []Maintenance{rack, kernel, mailMove, oldKernel},
	}
}

// fixtureCustomerPage is the same moment as one customer sees it.
func fixtureCustomerPage(t testing.TB) *Page {
	t.Helper()
	p := fixturePage(t)
	p.Customer = &Customer{ID: "c-17", Token: "k7Qx2mZp"}
	sites := []string{"atelier-velo.example.fr", "boulangerie-martin.example.fr"}
	p.Active[0].Sites = sites
	p.Incidents[0].Sites = sites
	p.InProgress[0].Sites = []string{"atelier-velo.example.fr"}
	many := make([]string, 0, 12)
	for i := range 12 {
		many = append(many, "site"+string(rune('a'+i))+".example.org")
	}
	p.Upcoming[0].Sites = many
	return p
}
