package status

import "time"

// ComponentStatus is the public status of a component, spelled as in
// Atlassian Statuspage.
type ComponentStatus string

// The component statuses, best first; under_maintenance ranks between
// operational and degraded_performance.
const (
	Operational         ComponentStatus = "operational"
	UnderMaintenance    ComponentStatus = "under_maintenance"
	DegradedPerformance ComponentStatus = "degraded_performance"
	PartialOutage       ComponentStatus = "partial_outage"
	MajorOutage         ComponentStatus = "major_outage"
)

// Indicator is the page-wide or per-incident impact, as in Statuspage.
type Indicator string

// The indicators, best first.
const (
	IndicatorNone     Indicator = "none"
	IndicatorMinor    Indicator = "minor"
	IndicatorMajor    Indicator = "major"
	IndicatorCritical Indicator = "critical"
	// IndicatorMaintenance is the impact of a maintenance window.
	IndicatorMaintenance Indicator = "maintenance"
)

// Lang is a language the public side speaks.
type Lang string

// The languages; French is the host's own and the default.
const (
	French  Lang = "fr"
	English Lang = "en"
)

// Langs lists the languages, the default first.
var Langs = []Lang{French, English}

// Text is a text in both languages. In returns the asked language, or the
// other one with Fallback set so that pages can say it is a translation
// that is missing.
type Text struct {
	FR string `json:"fr,omitempty"`
	EN string `json:"en,omitempty"`
}

// Localized is a Text in one language.
type Localized struct {
	Text string
	// Fallback is set when Text is in the other language.
	Fallback bool
	// Lang is the language Text is in.
	Lang Lang
}

// In returns the text in lang, or in the other language when it has none.
func (t Text) In(lang Lang) Localized {
	fr, en := Localized{Text: t.FR, Lang: French}, Localized{Text: t.EN, Lang: English}
	want, other := fr, en
	if lang == English {
		want, other = en, fr
	}
	if want.Text != "" || other.Text == "" {
		return want
	}
	other.Fallback = true
	return other
}

// Page is everything the public sees at one moment, in both languages:
// the input of every rendering (HTML, JSON, feeds, calendar). A Page for
// a customer holds what touches that customer's assets plus what is
// platform-wide, and names their affected sites.
type Page struct {
	// Version changes whenever anything shown changes.
	Version string
	// Generated is when the page was built; Zone the zone times are shown
	// in by default.
	Generated time.Time
	Zone      *time.Location
	// Name is the host's name on the page; URL its public address;
	// MirrorURL the static mirror's, when one is configured.
	Name      string
	URL       string
	MirrorURL string
	Indicator Indicator
	// Groups hold the components in declaration order.
	Groups     []Group
	Components []Component
	// Active are the unresolved incidents, newest first.
	Active []Incident
	// Incidents are every public incident of the archive kept (Archive
	// and the open ones), newest first.
	Incidents []Incident
	// Maintenance in progress or verifying; Upcoming ones scheduled;
	// Maintenances every window kept (for feeds, the calendar and the
	// history), including cancelled ones.
	InProgress   []Maintenance
	Upcoming     []Maintenance
	Maintenances []Maintenance
	// Customer is set on a customer's own page.
	Customer *Customer
}

// Customer is the customer a page is built for; their id only, never
// their name, so that a leaked link names no one.
type Customer struct {
	ID string
	// Token is the secret of their URLs (/c/{token}/…).
	Token string
}

// Group is a heading of components.
type Group struct {
	ID         string
	Name       Text
	Components []string // component ids
}

// Component is a public component with its status now and its history.
type Component struct {
	ID          string
	Name        Text
	Group       string // group id, "" when none
	Description Text
	Position    int
	Status      ComponentStatus
	// Days are the last 90 days, oldest first, in the page's zone.
	Days []Day
	// Uptime is the share of the 90 days without outage, 0 to 1.
	Uptime    float64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Day is one bar of a component's history.
type Day struct {
	Date time.Time // midnight in the page's zone
	// Worst is the worst status of the day; Operational when none.
	Worst ComponentStatus
	// Incidents and Maintenance touching the component that day, by id.
	Incidents   []int64
	Maintenance []string
	// Down is how long the component was in partial or major outage.
	Down time.Duration
}

// IncidentStatus is the public status of an incident, as in Statuspage.
type IncidentStatus string

// The public incident statuses.
const (
	Investigating IncidentStatus = "investigating"
	Identified    IncidentStatus = "identified"
	Monitoring    IncidentStatus = "monitoring"
	Resolved      IncidentStatus = "resolved"
	Postmortem    IncidentStatus = "postmortem"
)

// Incident is an incident as the public sees it.
type Incident struct {
	ID     int64
	Name   Text
	Status IncidentStatus
	Impact Indicator
	// StartedAt is when the impact began; CreatedAt when it was detected.
	StartedAt    time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	MonitoringAt *time.Time
	ResolvedAt   *time.Time
	// Updates, newest first: the public timeline.
	Updates []Update
	// Components affected and their status during the incident.
	Components []Affected
	// PostMortem is the published post-mortem as HTML, when public.
	PostMortem string
	// Sites are the customer's affected sites, on a customer's page only.
	Sites []string
	// Platform is set when the incident touches more than one customer or
	// no customer at all.
	Platform bool
}

// Affected is a component touched by an incident and its status then.
type Affected struct {
	Component string // component id
	Status    ComponentStatus
	// Override is set when staff chose the status.
	Override bool
}

// Update is one entry of a public timeline.
type Update struct {
	// ID is stable: "e<event id>" for the engine's, "u<update id>" for
	// staff-written ones.
	ID     string
	Status IncidentStatus
	Body   Text
	At     time.Time
	// UpdatedAt is when the text last changed.
	UpdatedAt time.Time
	// Auto is set on a default text of the engine not replaced by staff.
	Auto bool
}

// MaintenanceStatus is the public status of a window, as in Statuspage.
type MaintenanceStatus string

// The maintenance statuses.
const (
	MaintenanceScheduled  MaintenanceStatus = "scheduled"
	MaintenanceInProgress MaintenanceStatus = "in_progress"
	MaintenanceVerifying  MaintenanceStatus = "verifying"
	MaintenanceCompleted  MaintenanceStatus = "completed"
)

// Maintenance is a maintenance window as the public sees it: one
// occurrence (the current or next one of a weekly window).
type Maintenance struct {
	ID             string
	Name           Text
	Description    Text
	Status         MaintenanceStatus
	ScheduledFor   time.Time
	ScheduledUntil time.Time
	// Zone is the window's own zone (for the calendar).
	Zone   *time.Location
	Weekly bool
	// SeriesStart and SeriesEnd are a weekly window's first occurrence,
	// which a calendar repeats (zero for a one-off window).
	SeriesStart, SeriesEnd time.Time
	Components             []string // component ids
	Sequence               int
	Cancelled              bool
	CreatedAt              time.Time
	UpdatedAt              time.Time
	// Sites are the customer's sites in scope, on a customer's page only.
	Sites    []string
	Platform bool
}
