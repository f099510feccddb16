package incident_test

import (
	"fmt"
	"testing"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
)

func TestSeverityFromMeasuredScope(t *testing.T) {
	inv := &inventory.Inventory{Assets: []inventory.Asset{{Name: "hv1", Kind: "hypervisor"}, {Name: "db1", Kind: "service"}}}
	for i := range 100 {
		inv.Assets = append(inv.Assets, inventory.Asset{Name: fmt.Sprintf("s%03d", i), Kind: "site"})
	}
	g := inventory.NewGraph(inv, 1)
	tests := []struct {
		kind  string
		cause incident.Cause
		sites int
		rules incident.SeverityRules
		want  incident.Severity
	}{
		{"hypervisor", incident.CauseOutage, 9, incident.SeverityRules{}, incident.Major},
		{"hypervisor", incident.CauseOutage, 10, incident.SeverityRules{}, incident.Critical}, // 10% of the sites
		{"hypervisor", incident.CauseOutage, 10, incident.SeverityRules{CriticalShare: 0.5}, incident.Major},
		{"service", incident.CauseOutage, 3, incident.SeverityRules{}, incident.Critical}, // a shared platform service
		{"vm", incident.CauseOutage, 2, incident.SeverityRules{}, incident.Major},
		{"site", incident.CauseOutage, 1, incident.SeverityRules{}, incident.Minor},
		{"site", incident.CauseSiteProblem, 1, incident.SeverityRules{}, incident.Minor},
	}
	for _, tt := range tests {
		got := tt.rules.Of(tt.kind, tt.cause, incident.Impact{Sites: tt.sites}, g)
		if got != tt.want {
			t.Errorf("%s %s with %d sites (%+v): %s, want %s", tt.cause, tt.kind, tt.sites, tt.rules, got, tt.want)
		}
	}
}
