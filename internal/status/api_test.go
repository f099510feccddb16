package status

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// The key sets of Statuspage's objects.
var (
	pageKeys      = []string{"id", "name", "url", "time_zone", "updated_at"}
	componentKeys = []string{"id", "name", "status", "created_at", "updated_at", "position", "description", "showcase",
		"start_date", "group_id", "page_id", "group", "only_show_if_degraded"}
	incidentKeys = []string{"id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact",
		"shortlink", "started_at", "page_id", "incident_updates", "components"}
	updateKeys = []string{"id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
		"affected_components", "deliver_notifications", "custom_tweet", "tweet_id"}
	affectedKeys = []string{"code", "name", "old_status", "new_status"}
)

var (
	componentStatuses   = []string{"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
	incidentStatuses    = []string{"investigating", "identified", "monitoring", "resolved", "postmortem"}
	maintenanceStatuses = []string{"scheduled", "in_progress", "verifying", "completed"}
	impacts             = []string{"none", "minor", "major", "critical"}
)

// shape checks decoded JSON against Statuspage's objects, naming the
// place of each difference.
type shape struct {
	t      *testing.T
	counts map[string]int
}

func (s *shape) fail(path, format string, args ...any) {
	s.t.Helper()
	s.t.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
}

func (s *shape) object(path string, v any, keys ...string) map[string]any {
	s.t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		s.fail(path, "%T, want an object", v)
		return map[string]any{}
	}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	want := slices.Clone(keys)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		s.fail(path, "keys %v, want %v", got, want)
	}
	return m
}

func (s *shape) str(path string, v any, enum ...string) {
	s.t.Helper()
	x, ok := v.(string)
	switch {
	case !ok:
		s.fail(path, "%T %v, want a string", v, v)
	case len(enum) > 0 && !slices.Contains(enum, x):
		s.fail(path, "%q, want one of %v", x, enum)
	}
}

// timestamp checks a time as Statuspage writes it: milliseconds and the
// page's offset.
func (s *shape) timestamp(path string, v any, nullable bool) {
	s.t.Helper()
	if v == nil && nullable {
		return
	}
	x, ok := v.(string)
	if !ok {
		s.fail(path, "%T %v, want a time", v, v)
		return
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z07:00", x); err != nil || !strings.HasSuffix(x, "+01:00") && !strings.HasSuffix(x, "+02:00") {
		s.fail(path, "%q, want a time with milliseconds and the Paris offset (%v)", x, err)
	}
}

func (s *shape) boolean(path string, v any, want ...bool) {
	s.t.Helper()
	if x, ok := v.(bool); !ok || len(want) > 0 && x != want[0] {
		s.fail(path, "%T %v, want a boolean %v", v, v, want)
	}
}

func (s *shape) null(path string, v any) {
	s.t.Helper()
	if v != nil {
		s.fail(path, "%v, want null", v)
	}
}

func (s *shape) array(path string, v any) []any {
	s.t.Helper()
	a, ok := v.([]any)
	if !ok {
		s.fail(path, "%T, want an array", v)
	}
	return a
}

func (s *shape) page(path string, v any) {
	m := s.object(path, v, pageKeys...)
	for _, k := range []string{"id", "name", "url", "time_zone"} {
		s.str(path+"."+k, m[k])
	}
	s.timestamp(path+".updated_at", m["updated_at"], false)
}

func (s *shape) component(path string, v any) {
	keys := componentKeys
	if m, ok := v.(map[string]any); ok && m["group"] == true {
		keys = append(slices.Clone(keys), "components")
		s.counts["group"]++
		for k, id := range s.array(path+".components", m["components"]) {
			s.str(fmt.Sprintf("%s.components[%d]", path, k), id)
		}
		s.null(path+".group_id", m["group_id"])
	}
	m := s.object(path, v, keys...)
	s.counts["component"]++
	s.str(path+".id", m["id"])
	s.str(path+".name", m["name"])
	s.str(path+".status", m["status"], componentStatuses...)
	s.timestamp(path+".created_at", m["created_at"], false)
	s.timestamp(path+".updated_at", m["updated_at"], false)
	if p, ok := m["position"].(float64); !ok || p != float64(int(p)) || p < 1 {
		s.fail(path+".position", "%v, want a positive integer", m["position"])
	}
	for _, k := range []string{"description", "group_id"} {
		if m[k] != nil {
			s.str(path+"."+k, m[k])
		}
	}
	s.null(path+".start_date", m["start_date"])
	s.str(path+".page_id", m["page_id"])
	s.boolean(path+".showcase", m["showcase"])
	s.boolean(path+".group", m["group"])
	s.boolean(path+".only_show_if_degraded", m["only_show_if_degraded"], false)
}

func (s *shape) incident(path string, v any, maintenance bool) {
	keys, statuses, impact := incidentKeys, incidentStatuses, impacts
	if maintenance {
		keys = append(slices.Clone(keys), "scheduled_for", "scheduled_until")
		statuses, impact = maintenanceStatuses, []string{"maintenance"}
		s.counts["maintenance"]++
	} else {
		s.counts["incident"]++
	}
	m := s.object(path, v, keys...)
	for _, k := range []string{"id", "name", "shortlink", "page_id"} {
		s.str(path+"."+k, m[k])
	}
	s.str(path+".status", m["status"], statuses...)
	s.str(path+".impact", m["impact"], impact...)
	for _, k := range []string{"created_at", "updated_at", "started_at", "scheduled_for", "scheduled_until"} {
		if _, ok := m[k]; ok {
			s.timestamp(path+"."+k, m[k], false)
		}
	}
	s.timestamp(path+".monitoring_at", m["monitoring_at"], true)
	s.timestamp(path+".resolved_at", m["resolved_at"], true)
	for k, c := range s.array(path+".components", m["components"]) {
		s.component(fmt.Sprintf("%s.components[%d]", path, k), c)
	}
	updates := s.array(path+".incident_updates", m["incident_updates"])
	if len(updates) == 0 {
		s.fail(path, "no incident_updates")
	}
	for k, u := range updates {
		s.update(fmt.Sprintf("%s.incident_updates[%d]", path, k), u, m["id"], statuses)
	}
}

func (s *shape) update(path string, v any, incidentID any, statuses []string) {
	m := s.object(path, v, updateKeys...)
	s.counts["update"]++
	s.str(path+".id", m["id"])
	s.str(path+".status", m["status"], statuses...)
	s.str(path+".body", m["body"])
	if m["incident_id"] != incidentID {
		s.fail(path+".incident_id", "%v, want %v", m["incident_id"], incidentID)
	}
	for _, k := range []string{"created_at", "updated_at", "display_at"} {
		s.timestamp(path+"."+k, m[k], false)
	}
	s.boolean(path+".deliver_notifications", m["deliver_notifications"])
	s.null(path+".custom_tweet", m["custom_tweet"])
	s.null(path+".tweet_id", m["tweet_id"])
	if m["affected_components"] == nil {
		return
	}
	for k, a := range s.array(path+".affected_components", m["affected_components"]) {
		p := fmt.Sprintf("%s.affected_components[%d]", path, k)
		am := s.object(p, a, affectedKeys...)
		s.counts["affected"]++
		s.str(p+".code", am["code"])
		s.str(p+".name", am["name"])
		s.str(p+".old_status", am["old_status"], componentStatuses...)
		s.str(p+".new_status", am["new_status"], componentStatuses...)
	}
}

func (s *shape) status(path string, v any) {
	m := s.object(path, v, "indicator", "description")
	s.str(path+".indicator", m["indicator"], impacts...)
	s.str(path+".description", m["description"])
}

func TestAPIDocumentsHaveStatuspagesShapes(t *testing.T) {
	_, docs := render(t, fullInput(), "", bundle(t))
	s := &shape{t: t, counts: map[string]int{}}
	for _, lang := range Langs {
		prefix := "/" + LangPrefix(lang) + "api/v2/"
		for name, keys := range map[string][]string{
			"summary.json":                         {"page", "components", "incidents", "scheduled_maintenances", "status"},
			"status.json":                          {"page", "status"},
			"components.json":                      {"page", "components"},
			"incidents.json":                       {"page", "incidents"},
			"incidents/unresolved.json":            {"page", "incidents"},
			"scheduled-maintenances.json":          {"page", "scheduled_maintenances"},
			"scheduled-maintenances/upcoming.json": {"page", "scheduled_maintenances"},
			"scheduled-maintenances/active.json":   {"page", "scheduled_maintenances"},
		} {
			path := prefix + name
			body, ok := docs[path]
			if !ok {
				t.Errorf("no document %s", path)
				continue
			}
			var doc any
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			m := s.object(path, doc, keys...)
			s.page(path+".page", m["page"])
			if v, ok := m["status"]; ok {
				s.status(path+".status", v)
			}
			for k, c := range s.array(path+".components", orEmpty(m, "components")) {
				s.component(fmt.Sprintf("%s.components[%d]", path, k), c)
			}
			for k, in := range s.array(path+".incidents", orEmpty(m, "incidents")) {
				s.incident(fmt.Sprintf("%s.incidents[%d]", path, k), in, false)
			}
			for k, in := range s.array(path+".scheduled_maintenances", orEmpty(m, "scheduled_maintenances")) {
				s.incident(fmt.Sprintf("%s.scheduled_maintenances[%d]", path, k), in, true)
			}
		}
	}
	for _, path := range []string{"/api/v2/scheduled-maintenances.json", "/en/api/v2/summary.json"} {
		if strings.Contains(docs[path], "mw-mail") {
			t.Errorf("%s lists a cancelled window, which Statuspage has no status for", path)
		}
	}
	// The fixture exercises every kind of object.
	for _, kind := range []string{"component", "group", "incident", "maintenance", "update", "affected"} {
		if s.counts[kind] == 0 {
			t.Errorf("no %s checked", kind)
		}
	}
}

func orEmpty(m map[string]any, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	return []any{}
}

func TestAPIStatusSaysTheIndicatorInStatuspagesWords(t *testing.T) {
	slow := openOutage(1, incident.Minor, "vm-web-01")
	tests := []struct {
		name      string
		incidents []incident.Incident
		windows   []incident.Window
		indicator Indicator
		en, fr    string
	}{
		{"all good", nil, nil, IndicatorNone, "All Systems Operational", "Tous les services fonctionnent"},
		{"maintenance", nil, []incident.Window{windowNow("w", "hv-02")}, IndicatorNone, "Service Under Maintenance", "Maintenance en cours"},
		{"degraded", []incident.Incident{slow}, nil, IndicatorMinor, "Partially Degraded Service", "Service partiellement dégradé"},
		{"partial", []incident.Incident{openOutage(1, incident.Major, "vm-web-01")}, nil, IndicatorMajor, "Partial System Outage", "Panne partielle"},
		{"major", []incident.Incident{openOutage(1, incident.Major, "svc-dns")}, nil, IndicatorCritical, "Major Service Outage", "Panne majeure"},
	}
	b := bundle(t)
	for _, tt := range tests {
		in := baseInput()
		in.Incidents, in.Windows = tt.incidents, tt.windows
		_, docs := render(t, in, "", b)
		for lang, want := range map[string]string{"/api/v2/status.json": tt.fr, "/en/api/v2/status.json": tt.en} {
			var doc struct {
				Status apiStatus `json:"status"`
			}
			if err := json.Unmarshal([]byte(docs[lang]), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Status.Indicator != tt.indicator || doc.Status.Description != want {
				t.Errorf("%s %s: %+v, want %s %q", tt.name, lang, doc.Status, tt.indicator, want)
			}
		}
	}
}

func TestAPIListsHoldTheFiftyMostRecent(t *testing.T) {
	in := baseInput()
	for k := range 60 {
		start := fixedNow.Add(-time.Duration(k+2) * time.Hour)
		in.Incidents = append(in.Incidents, resolvedOutage(int64(k+1), incident.Major, start, start.Add(time.Minute), "svc-dns"))
	}
	_, docs := render(t, in, "", bundle(t))
	var doc apiIncidentsDoc
	if err := json.Unmarshal([]byte(docs["/api/v2/incidents.json"]), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Incidents) != 50 || doc.Incidents[0].ID != "1" || doc.Incidents[49].ID != "50" {
		t.Errorf("%d incidents from %s to %s, want the 50 most recent", len(doc.Incidents), doc.Incidents[0].ID, doc.Incidents[len(doc.Incidents)-1].ID)
	}
}

// TestAPIMarksTextsInTheOtherLanguage proves a text shown in the other
// language, for want of a translation, is followed by the pages' marker
// in its own language, and a translated one is not.
func TestAPIMarksTextsInTheOtherLanguage(t *testing.T) {
	in := fullInput()
	in.Components[0].Description = "" // "Web sites" only
	_, docs := render(t, in, "", bundle(t))
	summary := func(path string) apiSummary {
		t.Helper()
		var doc apiSummary
		if err := json.Unmarshal([]byte(docs[path]), &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return doc
	}
	fr, en := summary("/api/v2/summary.json"), summary("/en/api/v2/summary.json")
	description := func(doc apiSummary, id string) string {
		for _, c := range doc.Components {
			if c.ID == id && c.Description != nil {
				return *c.Description
			}
		}
		return ""
	}
	body := func(doc apiSummary, id string) string {
		for _, in := range doc.Incidents {
			for _, u := range in.IncidentUpdates {
				if u.ID == id {
					return u.Body
				}
			}
		}
		return ""
	}
	name := func(doc apiSummary, id string) string {
		for _, m := range doc.ScheduledMaintenances {
			if m.ID == id {
				return m.Name
			}
		}
		return ""
	}
	for _, tt := range []struct{ what, got, want string }{
		{"fr description in English", description(fr, "hebergement-mutualise"), "Web sites (English)"},
		{"en description in French", description(en, "messagerie"), "Courriel (en français)"},
		{"en description translated", description(en, "hebergement-mutualise"), "Web sites"},
		{"fr description", description(fr, "messagerie"), "Courriel"},
		{"en update in French", body(en, "u8"), "Le remplacement prendra <environ> 30 minutes & plus. (en français)"},
		{"fr update", body(fr, "u8"), "Le remplacement prendra <environ> 30 minutes & plus."},
		{"en update translated", body(en, "e504"), "A disk of a web server failed; we are replacing it."},
		{"en window name in French", name(en, "mw-vps"), "Migration du VPS (en français)"},
		{"en window name translated", name(en, "mw-kernel"), "Kernel update"},
		{"fr window name", name(fr, "mw-vps"), "Migration du VPS"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.what, tt.got, tt.want)
		}
	}
}
