package status

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// openOutage is an open outage of roots started an hour before fixedNow.
func openOutage(id int64, sev incident.Severity, roots ...string) incident.Incident {
	return incident.Incident{ID: id, Status: incident.Investigating, Severity: sev, Cause: incident.CauseOutage,
		RootAssets: roots, ImpactStartedAt: fixedNow.Add(-time.Hour), DetectedAt: fixedNow.Add(-time.Hour)}
}

// windowNow is a window on assets in progress at fixedNow.
func windowNow(id string, assets ...string) incident.Window {
	return incident.Window{ID: id, Title: "Travaux " + id, Assets: assets, Zone: "Europe/Paris",
		Start: "2026-11-20T09:00", End: "2026-11-20T12:00", UpdatedAt: fixedNow.Add(-48 * time.Hour)}
}

func statuses(p *Page) map[string]ComponentStatus {
	out := map[string]ComponentStatus{}
	for _, c := range p.Components {
		out[c.ID] = c.Status
	}
	return out
}

func TestComponentStatusDuringAnOpenIncident(t *testing.T) {
	slow := openOutage(1, incident.Major, "vm-web-01")
	slow.Reason = "slow"
	site := openOutage(1, incident.Minor, "alpha-shop.example")
	site.Cause = incident.CauseSiteProblem
	resolved := openOutage(1, incident.Major, "svc-dns")
	resolved.Status, resolved.ResolvedAt = incident.Resolved, ptr(fixedNow.Add(-time.Minute))
	cancelled := windowNow("w1", "vps-alpha")
	cancelled.Cancelled = true
	tests := []struct {
		name      string
		incidents []incident.Incident
		overrides []incident.ComponentOverride
		windows   []incident.Window
		want      map[string]ComponentStatus
	}{
		{name: "one web VM of two is a partial outage",
			incidents: []incident.Incident{openOutage(1, incident.Major, "vm-web-01")},
			want:      map[string]ComponentStatus{"hebergement-mutualise": PartialOutage}},
		{name: "every covered asset down is a major outage",
			incidents: []incident.Incident{openOutage(1, incident.Critical, "hv-01", "hv-02")},
			want: map[string]ComponentStatus{"hebergement-mutualise": MajorOutage, "vps": MajorOutage,
				"messagerie": MajorOutage, "dns": MajorOutage}},
		{name: "a component of a single asset reached is in major outage",
			incidents: []incident.Incident{openOutage(1, incident.Major, "svc-dns")},
			want:      map[string]ComponentStatus{"dns": MajorOutage}},
		{name: "a minor incident degrades",
			incidents: []incident.Incident{openOutage(1, incident.Minor, "vm-web-01", "vm-web-02")},
			want:      map[string]ComponentStatus{"hebergement-mutualise": DegradedPerformance}},
		{name: "slowness degrades",
			incidents: []incident.Incident{slow},
			want:      map[string]ComponentStatus{"hebergement-mutualise": DegradedPerformance}},
		{name: "a staff override wins",
			incidents: []incident.Incident{openOutage(1, incident.Major, "vm-web-01")},
			overrides: []incident.ComponentOverride{{IncidentID: 1, Component: "hebergement-mutualise", Status: "major_outage"},
				{IncidentID: 1, Component: "messagerie", Status: "degraded_performance"}},
			want: map[string]ComponentStatus{"hebergement-mutualise": MajorOutage, "messagerie": DegradedPerformance}},
		{name: "an override to operational clears, an unknown one is ignored",
			incidents: []incident.Incident{openOutage(1, incident.Major, "vm-web-01")},
			overrides: []incident.ComponentOverride{{IncidentID: 1, Component: "hebergement-mutualise", Status: "operational"},
				{IncidentID: 1, Component: "dns", Status: "on fire"}, {IncidentID: 1, Component: "nope", Status: "major_outage"}},
			want: map[string]ComponentStatus{}},
		{name: "a window in progress puts its components under maintenance",
			windows: []incident.Window{windowNow("w1", "hv-02")},
			want:    map[string]ComponentStatus{"hebergement-mutualise": UnderMaintenance, "messagerie": UnderMaintenance}},
		{name: "an outage is worse than maintenance",
			incidents: []incident.Incident{openOutage(1, incident.Major, "vm-web-01")},
			windows:   []incident.Window{windowNow("w1", "vm-web-02")},
			want:      map[string]ComponentStatus{"hebergement-mutualise": PartialOutage}},
		{name: "the worst of several incidents",
			incidents: []incident.Incident{openOutage(1, incident.Minor, "vm-web-01"), openOutage(2, incident.Major, "vm-web-02")},
			want:      map[string]ComponentStatus{"hebergement-mutualise": PartialOutage}},
		{name: "a site problem changes nothing", incidents: []incident.Incident{site}, want: map[string]ComponentStatus{}},
		{name: "a resolved incident changes nothing now", incidents: []incident.Incident{resolved}, want: map[string]ComponentStatus{}},
		{name: "a cancelled window changes nothing", windows: []incident.Window{cancelled}, want: map[string]ComponentStatus{}},
	}
	b := bundle(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := baseInput()
			in.Incidents, in.Windows = tt.incidents, tt.windows
			in.Overrides[1] = tt.overrides
			for _, customer := range []string{"", alpha} {
				got := statuses(Build(in, customer, b))
				for id, st := range got {
					want := tt.want[id]
					if want == "" {
						want = Operational
					}
					if st != want {
						t.Errorf("customer %q: %s is %s, want %s", customer, id, st, want)
					}
				}
			}
		})
	}
}

func TestIndicatorIsTheWorstOfComponentsAndOpenIncidents(t *testing.T) {
	slowCritical := openOutage(1, incident.Critical, "vm-web-01")
	slowCritical.Reason = "slow"
	tests := []struct {
		name      string
		incidents []incident.Incident
		windows   []incident.Window
		want      Indicator
	}{
		{"nothing", nil, nil, IndicatorNone},
		{"maintenance alone", nil, []incident.Window{windowNow("w1", "hv-01")}, IndicatorNone},
		{"degraded", []incident.Incident{openOutage(1, incident.Minor, "vm-web-01")}, nil, IndicatorMinor},
		{"partial outage", []incident.Incident{openOutage(1, incident.Major, "vm-web-01")}, nil, IndicatorMajor},
		{"major outage", []incident.Incident{openOutage(1, incident.Major, "svc-dns")}, nil, IndicatorCritical},
		{"a critical incident with degraded components", []incident.Incident{slowCritical}, nil, IndicatorCritical},
		{"an incident reaching no component",
			[]incident.Incident{openOutage(1, incident.Major, "dc-par1-unknown")}, nil, IndicatorNone},
	}
	b := bundle(t)
	for _, tt := range tests {
		in := baseInput()
		in.Incidents, in.Windows = tt.incidents, tt.windows
		if got := Build(in, "", b).Indicator; got != tt.want {
			t.Errorf("%s: indicator %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestComponentsKeepDeclarationOrderAndGroups(t *testing.T) {
	p := Build(baseInput(), "", bundle(t))
	var ids []string
	for _, c := range p.Components {
		ids = append(ids, c.ID+"@"+c.Group)
	}
	want := []string{"hebergement-mutualise@hebergement", "vps@hebergement", "messagerie@", "dns@"}
	if len(ids) != len(want) {
		t.Fatalf("components %v, want %v", ids, want)
	}
	for k := range want {
		if ids[k] != want[k] {
			t.Errorf("component %d is %s, want %s", k, ids[k], want[k])
		}
	}
	if len(p.Groups) != 1 || p.Groups[0].ID != "hebergement" || p.Groups[0].Name.EN != "Hosting" ||
		len(p.Groups[0].Components) != 2 {
		t.Errorf("groups %+v", p.Groups)
	}
	if n := p.Components[3].Name.In(English); n.Text != "DNS" || n.Fallback {
		t.Errorf("a name without English reads %+v in English, want the French one, not marked", n)
	}
	if d := p.Components[2].Description.In(English); d.Text != "Courriel" || !d.Fallback {
		t.Errorf("a description without English reads %+v, want the French one marked", d)
	}
}
