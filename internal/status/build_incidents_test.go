package status

import (
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

func incidentByID(t *testing.T, list []Incident, id int64) *Incident {
	t.Helper()
	for i := range list {
		if list[i].ID == id {
			return &list[i]
		}
	}
	t.Fatalf("no incident %d", id)
	return nil
}

func ids(list []Incident) []int64 {
	var out []int64
	for _, in := range list {
		out = append(out, in.ID)
	}
	return out
}

func TestUpdatesAreDefaultTextsUnlessStaffReplacedThem(t *testing.T) {
	p := Build(fullInput(), "", bundle(t))
	type want struct {
		id     string
		status IncidentStatus
		fr, en string
		auto   bool
	}
	for _, tt := range []struct {
		incident int64
		updates  []want
	}{
		{41, []want{
			{"u8", Identified, "Le remplacement prendra <environ> 30 minutes & plus.", "", false},
			// u7 replaced the text of the engine's event 504: it keeps its id.
			{"e504", Identified, "Un disque du serveur web est en panne ; nous le remplaçons.", "A disk of a web server failed; we are replacing it.", false},
			{"e501", Investigating, "Nous enquêtons sur une panne affectant Hébergement mutualisé.", "We are investigating an outage affecting Shared hosting.", true},
		}},
		{38, []want{
			{"e403", Resolved, "L'incident est résolu. Les services concernés fonctionnent de nouveau normalement.", "This incident has been resolved.", true},
			{"e402", Monitoring, "Un correctif est en place, nous surveillons le retour à la normale.", "A fix has been implemented and we are monitoring the results.", true},
			{"e401", Investigating, "Nous enquêtons sur une panne affectant Hébergement mutualisé et Messagerie.", "We are investigating an outage affecting Shared hosting and Mail.", true},
		}},
	} {
		in := incidentByID(t, p.Incidents, tt.incident)
		if len(in.Updates) != len(tt.updates) {
			t.Fatalf("incident %d has %d updates %+v, want %d", tt.incident, len(in.Updates), in.Updates, len(tt.updates))
		}
		for k, w := range tt.updates {
			u := in.Updates[k]
			if u.ID != w.id || u.Status != w.status || u.Body.FR != w.fr || u.Body.EN != w.en || u.Auto != w.auto {
				t.Errorf("incident %d update %d = %+v, want %+v", tt.incident, k, u, w)
			}
		}
	}
	web := incidentByID(t, p.Incidents, 41)
	if u7 := web.Updates[1]; !u7.At.Equal(at(2026, 11, 20, 9, 20)) || !u7.UpdatedAt.Equal(at(2026, 11, 20, 9, 25)) {
		t.Errorf("a replacing update is at %v (updated %v), want the event's time and its own", u7.At, u7.UpdatedAt)
	}
	hv := incidentByID(t, p.Incidents, 38)
	if hv.Status != Postmortem || hv.PostMortem == "" || hv.Impact != IndicatorCritical {
		t.Errorf("resolved incident with a post-mortem: status %s impact %s", hv.Status, hv.Impact)
	}
	if hv.MonitoringAt == nil || !hv.MonitoringAt.Equal(at(2026, 11, 13, 1, 0)) {
		t.Errorf("monitoring at %v, want the first move to monitoring", hv.MonitoringAt)
	}
	if web.MonitoringAt != nil || web.ResolvedAt != nil || web.Status != Identified || web.Impact != IndicatorMajor {
		t.Errorf("open incident: %+v", web)
	}
	if !web.UpdatedAt.Equal(at(2026, 11, 20, 9, 40)) {
		t.Errorf("updated at %v, want its latest update", web.UpdatedAt)
	}
}

func TestEventStatusReadsTheEnginesTexts(t *testing.T) {
	for _, tt := range []struct {
		ev   incident.Event
		want incident.Status
		ok   bool
	}{
		{incident.Event{Type: incident.EventOpened, Text: "vm1 failed: monitoring"}, incident.Investigating, true},
		{incident.Event{Type: incident.EventStatus, Text: "status: investigating → identified"}, incident.Identified, true},
		{incident.Event{Type: incident.EventStatus, Text: "status: resolved → investigating"}, incident.Investigating, true},
		{incident.Event{Type: incident.EventStatus, Text: "resolved-dns recovered: monitoring"}, incident.Monitoring, true},
		{incident.Event{Type: incident.EventStatus, Text: "monitoring-vm failed again: investigating"}, incident.Investigating, true},
		{incident.Event{Type: incident.EventStatus, Text: "resolved after a quiet period"}, incident.Resolved, true},
		{incident.Event{Type: incident.EventStatus, Text: "something else"}, "", false},
		{incident.Event{Type: incident.EventNote, Text: "status: investigating → identified"}, "", false},
	} {
		got, ok := eventStatus(tt.ev)
		if got != tt.want || ok != tt.ok {
			t.Errorf("eventStatus(%s %q) = %s %v, want %s %v", tt.ev.Type, tt.ev.Text, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIncidentNamesNameComponentsNeverAssets(t *testing.T) {
	slow := openOutage(3, incident.Minor, "vm-web-01")
	tests := []struct {
		name   string
		inc    incident.Incident
		fr, en string
	}{
		{"outage", openOutage(1, incident.Critical, "hv-02"), "Panne : Hébergement mutualisé, Messagerie", "Outage: Shared hosting, Mail"},
		{"slowness", slow, "Lenteurs : Hébergement mutualisé", "Degraded performance: Shared hosting"},
		{"no component", openOutage(2, incident.Major, "dc-par1-gone"), "Incident en cours", "Ongoing incident"},
	}
	b := bundle(t)
	for _, tt := range tests {
		in := baseInput()
		tt.inc.Title = "hv-02 on fire at " + bravoSite
		tt.inc.Impact.Customers = []string{alpha, bravo}
		in.Incidents = []incident.Incident{tt.inc}
		p := Build(in, "", b)
		if len(p.Incidents) != 1 {
			t.Fatalf("%s: %d incidents", tt.name, len(p.Incidents))
		}
		if got := p.Incidents[0].Name; got.FR != tt.fr || got.EN != tt.en {
			t.Errorf("%s: name %+v, want %q / %q", tt.name, got, tt.fr, tt.en)
		}
	}
}

func TestWhichIncidentsAPageKeeps(t *testing.T) {
	in := fullInput()
	// Older than the bars, still kept: its page and its links live on.
	kept := resolvedOutage(29, incident.Major, fixedNow.Add(-History-2*time.Hour), fixedNow.Add(-History-time.Hour), "svc-dns")
	old := resolvedOutage(30, incident.Major, fixedNow.Add(-Archive-2*time.Hour), fixedNow.Add(-Archive-time.Hour), "svc-dns")
	bravoOnly := resolvedOutage(31, incident.Major, fixedNow.Add(-5*time.Hour), fixedNow.Add(-4*time.Hour), bravoSite)
	bravoOnly.Impact.Customers = []string{bravo}
	platform := resolvedOutage(32, incident.Major, fixedNow.Add(-5*time.Hour), fixedNow.Add(-4*time.Hour), "hv-unknown")
	platform.Impact.Customers = []string{alpha, bravo}
	in.Incidents = append(in.Incidents, kept, old, bravoOnly, platform)
	b := bundle(t)
	for _, tt := range []struct {
		customer     string
		all, active  []int64
		withSites    map[int64][]string
		withPlatform []int64
	}{
		// Site problems (40), merged (39), archived (30) and one customer's
		// outage reaching no component (31) stay off the public page.
		{customer: "", all: []int64{41, 32, 38, 37, 29}, active: []int64{41}},
		{customer: alpha, all: []int64{41, 38, 37, 29}, active: []int64{41},
			withSites: map[int64][]string{41: {"alpha-shop.example"}, 38: {"alpha-blog.example"}}},
		{customer: bravo, all: []int64{41, 40, 31, 38, 37, 29}, active: []int64{41, 40},
			withSites: map[int64][]string{41: {bravoSite}, 40: {bravoSecret}, 31: {bravoSite}, 38: {bravoSecret}}},
	} {
		p := Build(in, tt.customer, b)
		if got := ids(p.Incidents); !slices.Equal(got, tt.all) {
			t.Errorf("customer %q: incidents %v, want %v", tt.customer, got, tt.all)
		}
		if got := ids(p.Active); !slices.Equal(got, tt.active) {
			t.Errorf("customer %q: active %v, want %v", tt.customer, got, tt.active)
		}
		for _, inc := range p.Incidents {
			if want := tt.withSites[inc.ID]; !slices.Equal(inc.Sites, want) {
				t.Errorf("customer %q: incident %d sites %v, want %v", tt.customer, inc.ID, inc.Sites, want)
			}
		}
	}
}

func TestMaintenanceStatusesAndLists(t *testing.T) {
	p := Build(fullInput(), "", bundle(t))
	got := map[string]Maintenance{}
	var order []string
	for _, m := range p.Maintenances {
		got[m.ID] = m
		order = append(order, m.ID)
	}
	if want := []string{"mw-kernel", "mw-mail", "mw-backup", "mw-vps"}; !slices.Equal(order, want) {
		t.Errorf("maintenances %v, want newest first %v", order, want)
	}
	for _, tt := range []struct {
		id        string
		status    MaintenanceStatus
		cancelled bool
		comps     []string
		start     time.Time
	}{
		{"mw-kernel", MaintenanceScheduled, false, []string{"hebergement-mutualise", "vps", "dns"}, at(2026, 11, 27, 2, 0)},
		// A cancelled window mutes nothing: its state is completed.
		{"mw-mail", MaintenanceCompleted, true, []string{"messagerie"}, time.Date(2026, 11, 25, 22, 0, 0, 0, mustZone("America/Montreal"))},
		{"mw-backup", MaintenanceScheduled, false, []string{"hebergement-mutualise"}, at(2026, 11, 22, 3, 0)},
		{"mw-vps", MaintenanceInProgress, false, []string{"vps"}, at(2026, 11, 20, 9, 30)},
	} {
		m := got[tt.id]
		if m.Status != tt.status || m.Cancelled != tt.cancelled || !slices.Equal(m.Components, tt.comps) || !m.ScheduledFor.Equal(tt.start) {
			t.Errorf("%s: %s cancelled=%v components %v from %v, want %s %v %v %v", tt.id, m.Status, m.Cancelled, m.Components, m.ScheduledFor,
				tt.status, tt.cancelled, tt.comps, tt.start)
		}
	}
	if z := got["mw-mail"].Zone; z == nil || z.String() != "America/Montreal" {
		t.Errorf("zone %v, want the window's own", z)
	}
	var upcoming, inProgress []string
	for _, m := range p.Upcoming {
		upcoming = append(upcoming, m.ID)
	}
	for _, m := range p.InProgress {
		inProgress = append(inProgress, m.ID)
	}
	if want := []string{"mw-backup", "mw-kernel"}; !slices.Equal(upcoming, want) {
		t.Errorf("upcoming %v, want soonest first without the cancelled one %v", upcoming, want)
	}
	if want := []string{"mw-vps"}; !slices.Equal(inProgress, want) {
		t.Errorf("in progress %v, want %v", inProgress, want)
	}
}

func TestMonitoringAtIsTheFirstMoveToMonitoring(t *testing.T) {
	in := baseInput()
	inc := openOutage(1, incident.Major, "svc-dns")
	inc.Status, inc.MitigatedAt = incident.Monitoring, ptr(fixedNow.Add(-5*time.Minute))
	in.Incidents = []incident.Incident{inc}
	min := func(m int) time.Time { return fixedNow.Add(time.Duration(m-60) * time.Minute) }
	in.Events[1] = []incident.Event{
		{ID: 1, At: min(0), Type: incident.EventOpened, Text: "svc-dns failed"},
		{ID: 2, At: min(20), Type: incident.EventStatus, Text: "svc-dns recovered: monitoring"},
		{ID: 3, At: min(30), Type: incident.EventStatus, Text: "svc-dns failed again: investigating"},
		{ID: 4, At: min(55), Type: incident.EventStatus, Text: "svc-dns recovered: monitoring"},
	}
	got := Build(in, "", bundle(t)).Incidents[0]
	if got.MonitoringAt == nil || !got.MonitoringAt.Equal(min(20)) {
		t.Errorf("monitoring at %v, want the first move %v", got.MonitoringAt, min(20))
	}
	var texts []string
	for _, u := range got.Updates {
		texts = append(texts, u.ID+" "+string(u.Status)+" "+u.Body.EN)
	}
	want := []string{
		"e4 monitoring A fix has been implemented and we are monitoring the results.",
		"e3 investigating The problem has come back; we are investigating again.",
		"e2 monitoring A fix has been implemented and we are monitoring the results.",
		"e1 investigating We are investigating an outage affecting DNS.",
	}
	if !slices.Equal(texts, want) {
		t.Errorf("updates\n%q\nwant\n%q", texts, want)
	}
}
