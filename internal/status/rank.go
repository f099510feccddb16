package status

import (
	"strings"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/incident"
)

// rank orders component statuses from best to worst.
func (s ComponentStatus) rank() int {
	switch s {
	case UnderMaintenance:
		return 1
	case DegradedPerformance:
		return 2
	case PartialOutage:
		return 3
	case MajorOutage:
		return 4
	}
	return 0
}

// worse returns the worse of two statuses.
func worse(a, b ComponentStatus) ComponentStatus {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// outage reports whether a status counts as downtime in the bars.
func (s ComponentStatus) outage() bool { return s == PartialOutage || s == MajorOutage }

// parseComponentStatus reads a staff override's status.
func parseComponentStatus(s string) (ComponentStatus, bool) {
	switch st := ComponentStatus(s); st {
	case Operational, UnderMaintenance, DegradedPerformance, PartialOutage, MajorOutage:
		return st, true
	}
	return "", false
}

// outageStatus is the status of a component during an incident that
// reaches touched of its covered assets: slowness degrades, a component
// reached whole (a component of one asset always is) is in major outage,
// one reached in part in partial outage.
func outageStatus(inc *incident.Incident, touched, covered int) ComponentStatus {
	switch {
	case touched == 0:
		return Operational
	case inc.Severity == incident.Minor || slowness(inc.Reason):
		return DegradedPerformance
	case touched >= covered:
		return MajorOutage
	}
	return PartialOutage
}

func slowness(reason string) bool {
	r := strings.ToLower(reason)
	return r == string(check.ReasonSlow) || strings.Contains(r, "slow") || strings.Contains(r, "latenc")
}

// impactOf maps an incident's severity to its public impact.
func impactOf(s incident.Severity) Indicator {
	switch s {
	case incident.Critical:
		return IndicatorCritical
	case incident.Major:
		return IndicatorMajor
	}
	return IndicatorMinor
}

// incidentStatus maps an incident's status to its public one.
func incidentStatus(s incident.Status) IncidentStatus {
	switch s {
	case incident.Identified:
		return Identified
	case incident.Monitoring:
		return Monitoring
	case incident.Resolved:
		return Resolved
	}
	return Investigating
}

// maintenanceStatus maps a window's state to its public status.
func maintenanceStatus(s incident.MaintenanceState) MaintenanceStatus {
	switch s {
	case incident.InProgress:
		return MaintenanceInProgress
	case incident.Verifying:
		return MaintenanceVerifying
	case incident.Completed:
		return MaintenanceCompleted
	}
	return MaintenanceScheduled
}

// indicatorRank orders page indicators from best to worst.
func (i Indicator) rank() int {
	switch i {
	case IndicatorMinor:
		return 1
	case IndicatorMajor:
		return 2
	case IndicatorCritical:
		return 3
	}
	return 0
}
