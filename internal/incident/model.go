package incident

import "time"

// Status is where an incident is in its life.
type Status string

// The statuses of an incident. Merged incidents live on inside the one
// they were merged into.
const (
	Investigating Status = "investigating"
	Identified    Status = "identified"
	Monitoring    Status = "monitoring"
	Resolved      Status = "resolved"
	Merged        Status = "merged"
)

// Severity is how bad an incident is, from its measured scope.
type Severity string

// The severities, worst first.
const (
	Critical Severity = "critical"
	Major    Severity = "major"
	Minor    Severity = "minor"
)

// Cause says what kind of failure an incident is.
type Cause string

// The causes: an outage of the host's infrastructure, or a problem of one
// customer's site (application, content, certificate, domain), told to that
// customer privately and never shown on the public page.
const (
	CauseOutage      Cause = "outage"
	CauseSiteProblem Cause = "site-problem"
)

// Impact is what an incident affects, computed from the graph and kept
// with the incident so that it stays explainable after the inventory
// changes.
type Impact struct {
	Assets    int      `json:"assets"`
	Sites     int      `json:"sites"`
	Customers []string `json:"customers"`
}

// Incident is one incident: one root cause, its scope and its record.
type Incident struct {
	ID         int64    `json:"id"`
	Title      string   `json:"title"`
	Status     Status   `json:"status"`
	Severity   Severity `json:"severity"`
	Cause      Cause    `json:"cause"`
	RootAssets []string `json:"root_assets"`
	// Reason is the failure category of the root (check.Reason).
	Reason string `json:"reason,omitempty"`
	// Impact is the current scope; Peak the largest seen.
	Impact Impact `json:"impact"`
	Peak   Impact `json:"peak"`
	// Auto incidents were opened by correlation; Hold keeps one open
	// after recovery until staff resolve it.
	Auto bool `json:"auto"`
	Hold bool `json:"hold,omitempty"`
	// MergedInto is the incident this one was merged into.
	MergedInto int64  `json:"merged_into,omitempty"`
	Lead       string `json:"lead,omitempty"`
	Comms      string `json:"communication,omitempty"`

	ImpactStartedAt time.Time `json:"started_at"`
	DetectedAt      time.Time `json:"detected_at"`
	// SettledAt is when the incident settled: nil while correlation may
	// still re-target and widen it and only staff know of it; customers
	// and public channels hear of it from then on. Staff's incidents
	// settle when they open.
	SettledAt              *time.Time `json:"settled_at,omitempty"`
	AcknowledgedAt         *time.Time `json:"acknowledged_at,omitempty"`
	MitigatedAt            *time.Time `json:"mitigated_at,omitempty"`
	ResolvedAt             *time.Time `json:"resolved_at,omitempty"`
	FirstCustomerContactAt *time.Time `json:"first_customer_contact_at,omitempty"`
	CustomerReportedFirst  bool       `json:"customer_reported_first,omitempty"`
	// DetectedBy is what opened the incident; "" on automatic incidents
	// recorded before it was kept.
	DetectedBy DetectedBy `json:"detected_by,omitempty"`
}

// DetectedBy says what opened an incident. Whether a customer told staff
// first is recorded apart, in CustomerReportedFirst.
type DetectedBy string

// What can open an incident.
const (
	DetectedByProbe DetectedBy = "probe" // correlation of check signals (probes, heartbeats)
	DetectedByAlert DetectedBy = "alert" // correlation of Alertmanager alerts
	DetectedByStaff DetectedBy = "staff" // opened by hand
)

// EventType names an entry of an incident's timeline.
type EventType string

// The timeline entries: automatic events and staff notes.
const (
	EventOpened       EventType = "opened"
	EventScopeChanged EventType = "scope-changed"
	EventSignal       EventType = "signal"
	EventStatus       EventType = "status-changed"
	EventRole         EventType = "role-changed"
	EventNotification EventType = "notification-sent"
	EventMerged       EventType = "merged"
	EventNote         EventType = "note"
	// EventRetargeted moves an unsettled incident to a higher root found
	// within its settle window; EventSettled says its window elapsed and
	// customers and public channels are told from then on.
	EventRetargeted EventType = "retargeted"
	EventSettled    EventType = "settled"
)

// Event is one entry of an incident's timeline.
type Event struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id"`
	At         time.Time `json:"at"`
	Type       EventType `json:"type"`
	// Public entries are shown to customers; the others stay with staff.
	Public bool   `json:"public"`
	Author string `json:"author,omitempty"`
	Text   string `json:"text"`
}

// TimeToDetect is from the first hard failure to the incident's detection.
func (i *Incident) TimeToDetect() time.Duration { return i.DetectedAt.Sub(i.ImpactStartedAt) }

// TimeToPublicWord is from the first hard failure to the incident's
// settling, when customers and public channels hear of it, or 0 while it
// has not settled.
func (i *Incident) TimeToPublicWord() time.Duration {
	if i.SettledAt == nil {
		return 0
	}
	return i.SettledAt.Sub(i.ImpactStartedAt)
}

// Settled reports whether the incident settled: customers and public
// channels may hear of it.
func (i *Incident) Settled() bool { return i.SettledAt != nil }

// TimeToAcknowledge is from detection to a staff member taking it, or 0.
func (i *Incident) TimeToAcknowledge() time.Duration {
	if i.AcknowledgedAt == nil {
		return 0
	}
	return i.AcknowledgedAt.Sub(i.DetectedAt)
}

// TimeToResolve is from the start of the impact to resolution, or 0.
func (i *Incident) TimeToResolve() time.Duration {
	if i.ResolvedAt == nil {
		return 0
	}
	return i.ResolvedAt.Sub(i.ImpactStartedAt)
}

// PublicUpdate is one staff-written entry of an incident's public
// timeline, in French and English. The engine's own status changes have
// default public texts, derived where they are shown; an update that
// ReplacesEvent gives the text of that event instead.
type PublicUpdate struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id"`
	At         time.Time `json:"at"`
	// Status is the incident's public status this update announces.
	Status    Status `json:"status"`
	MessageFR string `json:"message_fr,omitempty"`
	MessageEN string `json:"message_en,omitempty"`
	Author    string `json:"author,omitempty"`
	// ReplacesEvent is the id of the engine event (opened or
	// status-changed) whose default public text this update replaces, or 0.
	ReplacesEvent int64     `json:"replaces_event,omitempty"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// ComponentOverride is a staff-set public status of one component during
// one incident, replacing the status computed from the incident's scope.
type ComponentOverride struct {
	IncidentID int64 `json:"incident_id"`
	// Component is the component's id (inventory.ComponentID).
	Component string `json:"component"`
	// Status is one of operational, degraded_performance, partial_outage,
	// major_outage, under_maintenance.
	Status string `json:"status"`
}
