package status

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
)

// The fixture's names: two customers whose sites share the web VMs, a
// secret word written only in a staff note.
const (
	alpha       = "ALPHA-7"
	bravo       = "BRAVO-3"
	secretWord  = "zanzibar-password"
	bravoSite   = "bravo-bakery.example"
	bravoSecret = "bravo-hidden.example"
)

var paris = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a wall-clock time in Paris.
func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }

// fixedNow is the fixture's clock: no test depends on today's date.
var fixedNow = at(2026, 11, 20, 10, 0)

func bundle(t testing.TB) *i18n.Bundle {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// host is a datacenter with two hypervisors; web VMs shared by the sites
// of ALPHA-7 and BRAVO-3, a mail VM, a DNS service and ALPHA-7's own VPS.
func host() *inventory.Inventory {
	return &inventory.Inventory{
		Customers: []inventory.Customer{{ID: alpha}, {ID: bravo}},
		Assets: []inventory.Asset{
			{Name: "dc-par1", Kind: "datacenter"},
			{Name: "hv-01", Kind: "hypervisor", DependsOn: []string{"dc-par1"}},
			{Name: "hv-02", Kind: "hypervisor", DependsOn: []string{"dc-par1"}},
			{Name: "vm-web-01", Kind: "vm", DependsOn: []string{"hv-01"}},
			{Name: "vm-web-02", Kind: "vm", DependsOn: []string{"hv-02"}},
			{Name: "vm-mail-01", Kind: "vm", DependsOn: []string{"hv-02"}},
			{Name: "svc-mail", Kind: "service", DependsOn: []string{"vm-mail-01"}},
			{Name: "svc-dns", Kind: "service", DependsOn: []string{"hv-01"}},
			{Name: "vps-alpha", Kind: "vm", Owner: alpha, DependsOn: []string{"hv-01"}},
			{Name: "alpha-shop.example", Kind: "site", Owner: alpha, DependsOn: []string{"vm-web-01"}},
			{Name: "alpha-blog.example", Kind: "site", Owner: alpha, DependsOn: []string{"vm-web-02"}},
			{Name: bravoSite, Kind: "site", Owner: bravo, DependsOn: []string{"vm-web-01"}},
			{Name: bravoSecret, Kind: "site", Owner: bravo, DependsOn: []string{"vm-web-02"}},
		},
	}
}

// components: shared hosting (both web VMs) and VPS in the "Hébergement"
// group, mail and DNS alone.
func components() ([]inventory.Component, map[string][]string) {
	comps := []inventory.Component{
		{Name: "Hébergement mutualisé", NameEN: "Shared hosting", Group: "Hébergement", GroupEN: "Hosting",
			Description: "Les sites web", DescriptionEN: "Web sites"},
		{Name: "VPS", Group: "Hébergement", GroupEN: "Hosting"},
		{Name: "Messagerie", NameEN: "Mail", Description: "Courriel"},
		{Name: "DNS"},
	}
	covered := map[string][]string{
		"hebergement-mutualise": {"vm-web-01", "vm-web-02"},
		"vps":                   {"vps-alpha"},
		"messagerie":            {"svc-mail"},
		"dns":                   {"svc-dns"},
	}
	return comps, covered
}

// baseInput is the fixture without incidents nor windows.
func baseInput() *Input {
	comps, covered := components()
	return &Input{
		Now: fixedNow, Zone: paris,
		Name: "Travaux Exemple", URL: "https://travaux.example.org",
		Components: comps, Covered: covered,
		Graph:     inventory.NewGraph(host(), 1),
		Events:    map[int64][]incident.Event{},
		Updates:   map[int64][]incident.PublicUpdate{},
		Overrides: map[int64][]incident.ComponentOverride{},
	}
}

func ptr[T any](v T) *T { return &v }

// fullInput is the fixture with a story: an open outage of one web VM with
// a staff note and a staff update, a resolved hypervisor outage with a
// post-mortem, a site problem of BRAVO-3, a merged incident, an outage of
// ALPHA-7's VPS and maintenance windows, one cancelled and one weekly.
func fullInput() *Input {
	in := baseInput()
	web := incident.Incident{ID: 41, Title: "vm-web-01 down", Status: incident.Identified, Severity: incident.Major,
		Cause: incident.CauseOutage, RootAssets: []string{"vm-web-01"},
		Impact:          incident.Impact{Assets: 3, Sites: 2, Customers: []string{alpha, bravo}},
		ImpactStartedAt: at(2026, 11, 20, 8, 58), DetectedAt: at(2026, 11, 20, 9, 0)}
	hv := incident.Incident{ID: 38, Title: "hv-02 power loss", Status: incident.Resolved, Severity: incident.Critical,
		Cause: incident.CauseOutage, RootAssets: []string{"hv-02"},
		Impact:          incident.Impact{Assets: 5, Sites: 2, Customers: []string{alpha, bravo}},
		ImpactStartedAt: at(2026, 11, 12, 23, 30), DetectedAt: at(2026, 11, 12, 23, 31),
		MitigatedAt: ptr(at(2026, 11, 13, 1, 0)), ResolvedAt: ptr(at(2026, 11, 13, 1, 30))}
	site := incident.Incident{ID: 40, Title: bravoSecret + " returns 500", Status: incident.Investigating, Severity: incident.Minor,
		Cause: incident.CauseSiteProblem, RootAssets: []string{bravoSecret},
		Impact:          incident.Impact{Sites: 1, Customers: []string{bravo}},
		ImpactStartedAt: at(2026, 11, 20, 7, 0), DetectedAt: at(2026, 11, 20, 7, 5)}
	merged := incident.Incident{ID: 39, Title: "vm-web-01 ping", Status: incident.Merged, MergedInto: 41, Severity: incident.Major,
		Cause: incident.CauseOutage, RootAssets: []string{"vm-web-01"}, ImpactStartedAt: at(2026, 11, 20, 8, 59)}
	vps := incident.Incident{ID: 37, Title: "vps-alpha kernel panic", Status: incident.Resolved, Severity: incident.Major,
		Cause: incident.CauseOutage, RootAssets: []string{"vps-alpha"},
		Impact:          incident.Impact{Customers: []string{alpha}},
		ImpactStartedAt: at(2026, 11, 2, 14, 0), DetectedAt: at(2026, 11, 2, 14, 1), ResolvedAt: ptr(at(2026, 11, 2, 15, 0))}
	in.Incidents = []incident.Incident{web, hv, site, merged, vps}
	in.Events[41] = []incident.Event{
		{ID: 501, IncidentID: 41, At: at(2026, 11, 20, 9, 0), Type: incident.EventOpened, Text: "vm-web-01 failed: timeout"},
		{ID: 502, IncidentID: 41, At: at(2026, 11, 20, 9, 1), Type: incident.EventSignal, Public: true, Text: "vm-web-01 ping failed from par"},
		{ID: 503, IncidentID: 41, At: at(2026, 11, 20, 9, 10), Type: incident.EventNote, Author: "ana-staff-login", Text: "root password is " + secretWord},
		{ID: 504, IncidentID: 41, At: at(2026, 11, 20, 9, 20), Type: incident.EventStatus, Public: true, Author: "ana-staff-login", Text: "status: investigating → identified"},
		{ID: 505, IncidentID: 41, At: at(2026, 11, 20, 9, 21), Type: incident.EventScopeChanged, Text: "scope: " + bravoSite},
	}
	in.Updates[41] = []incident.PublicUpdate{
		{ID: 7, IncidentID: 41, At: at(2026, 11, 20, 9, 25), Status: incident.Identified, ReplacesEvent: 504, Author: "ana-staff-login",
			MessageFR: "Un disque du serveur web est en panne ; nous le remplaçons.", MessageEN: "A disk of a web server failed; we are replacing it.",
			UpdatedAt: at(2026, 11, 20, 9, 25)},
		{ID: 8, IncidentID: 41, At: at(2026, 11, 20, 9, 40), Status: incident.Identified,
			MessageFR: "Le remplacement prendra <environ> 30 minutes & plus.", UpdatedAt: at(2026, 11, 20, 9, 40)},
	}
	in.Events[38] = []incident.Event{
		{ID: 401, IncidentID: 38, At: at(2026, 11, 12, 23, 31), Type: incident.EventOpened, Text: "hv-02 failed"},
		{ID: 402, IncidentID: 38, At: at(2026, 11, 13, 1, 0), Type: incident.EventStatus, Public: true, Text: "hv-02 recovered: monitoring"},
		{ID: 403, IncidentID: 38, At: at(2026, 11, 13, 1, 30), Type: incident.EventStatus, Public: true, Text: "resolved after a quiet period"},
	}
	in.Events[40] = []incident.Event{
		{ID: 451, IncidentID: 40, At: at(2026, 11, 20, 7, 5), Type: incident.EventOpened, Text: bravoSecret + " failed: http-status"},
	}
	in.Events[37] = []incident.Event{
		{ID: 301, IncidentID: 37, At: at(2026, 11, 2, 14, 1), Type: incident.EventOpened, Text: "vps-alpha failed: timeout"},
		{ID: 302, IncidentID: 37, At: at(2026, 11, 2, 15, 0), Type: incident.EventStatus, Text: "status: investigating → resolved"},
	}
	in.PostMortems = map[int64]string{38: "<p>Une alimentation a lâché.</p>"}
	in.Windows = []incident.Window{
		{ID: "mw-kernel", Title: "Mise à jour du noyau", TitleEN: "Kernel update", Assets: []string{"hv-01"},
			Start: "2026-11-27T02:00", End: "2026-11-27T04:00", Zone: "Europe/Paris",
			Description: "Redémarrage des serveurs.", DescriptionEN: "Servers restart.", Sequence: 2, UpdatedAt: at(2026, 11, 18, 12, 0)},
		{ID: "mw-mail", Title: "Migration de la messagerie", Assets: []string{"vm-mail-01"},
			Start: "2026-11-25T22:00", End: "2026-11-25T23:00", Zone: "America/Montreal",
			Cancelled: true, Sequence: 3, UpdatedAt: at(2026, 11, 19, 8, 0)},
		{ID: "mw-backup", Title: "Sauvegardes hebdomadaires", TitleEN: "Weekly backups", Assets: []string{"vm-web-02"},
			Start: "2026-10-04T03:00", End: "2026-10-04T03:30", Zone: "Europe/Paris", Weekly: true,
			Sequence: 1, UpdatedAt: at(2026, 10, 1, 9, 0)},
		{ID: "mw-vps", Title: "Migration du VPS", Assets: []string{"vps-alpha"},
			Start: "2026-11-20T09:30", End: "2026-11-20T11:00", Zone: "Europe/Paris",
			Sequence: 0, UpdatedAt: at(2026, 11, 15, 9, 0)},
	}
	return in
}
