package incident

import (
	"slices"

	"github.com/vigie/vigie/internal/inventory"
)

// SeverityRules turn an incident's measured scope into its severity; the
// zero value is the default.
type SeverityRules struct {
	// CriticalShare is the share of all sites affected from which an
	// incident is critical (default 0.10).
	CriticalShare float64
	// PlatformKinds are the kinds of shared platform assets whose failure
	// is critical when no customer owns them (default datacenter, network,
	// service).
	PlatformKinds []string
	// MajorKinds are the kinds whose failure is at least major (default
	// hypervisor, storage, vm).
	MajorKinds []string
}

// Of returns the severity of a root of the given kind and cause with the
// given impact: critical for a shared platform asset or at least
// CriticalShare of the sites, major for a whole hypervisor, storage unit or
// VM, minor for single sites and the rest.
func (r SeverityRules) Of(kind string, cause Cause, imp Impact, g *inventory.Graph) Severity {
	if cause == CauseSiteProblem {
		return Minor
	}
	share := r.CriticalShare
	if share <= 0 {
		share = 0.10
	}
	platform := r.PlatformKinds
	if platform == nil {
		platform = []string{"datacenter", "network", "service"}
	}
	major := r.MajorKinds
	if major == nil {
		major = []string{"hypervisor", "storage", "vm"}
	}
	if total := g.CountKind(inventory.KindSite); total > 0 && float64(imp.Sites) >= share*float64(total) {
		return Critical
	}
	if slices.Contains(platform, kind) && imp.Sites > 0 {
		return Critical
	}
	if slices.Contains(major, kind) {
		return Major
	}
	return Minor
}
