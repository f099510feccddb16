package status

// look is how a status shows: its words (a message id), its colour (a
// CSS class suffix) and its icon (a name in icons). Colour never comes
// alone: the words are always printed or given as a title.
type look struct {
	Message, Class, Icon string
}

// noData is a day before a component existed or without any record.
var noData = look{"PageComponentNoData", "none", "none"}

var componentLooks = map[ComponentStatus]look{
	Operational:         {"PageComponentOperational", "op", "ok"},
	UnderMaintenance:    {"PageComponentMaintenance", "maint", "maint"},
	DegradedPerformance: {"PageComponentDegraded", "deg", "warn"},
	PartialOutage:       {"PageComponentPartial", "part", "warn"},
	MajorOutage:         {"PageComponentMajor", "major", "down"},
}

func componentLook(s ComponentStatus) look {
	if l, ok := componentLooks[s]; ok {
		return l
	}
	return noData
}

var bannerLooks = map[Indicator]look{
	IndicatorNone:        {"PageBannerNone", "op", "ok"},
	IndicatorMinor:       {"PageBannerMinor", "minor", "warn"},
	IndicatorMajor:       {"PageBannerMajor", "major", "down"},
	IndicatorCritical:    {"PageBannerCritical", "critical", "down"},
	IndicatorMaintenance: {"PageBannerMaintenance", "maint", "maint"},
}

// bannerLook is the page's overall look. A page with no incident but a
// window in progress says so rather than "all systems operational" above
// components under maintenance.
func bannerLook(p *Page) look {
	ind := p.Indicator
	if (ind == IndicatorNone || ind == "") && len(p.InProgress) > 0 {
		ind = IndicatorMaintenance
	}
	if l, ok := bannerLooks[ind]; ok {
		return l
	}
	return bannerLooks[IndicatorNone]
}

var impactLooks = map[Indicator]look{
	IndicatorNone:        {"PageImpactNone", "op", "ok"},
	IndicatorMinor:       {"PageImpactMinor", "minor", "warn"},
	IndicatorMajor:       {"PageImpactMajor", "major", "down"},
	IndicatorCritical:    {"PageImpactCritical", "critical", "down"},
	IndicatorMaintenance: {"PageImpactMaintenance", "maint", "maint"},
}

func impactLook(i Indicator) look {
	if l, ok := impactLooks[i]; ok {
		return l
	}
	return impactLooks[IndicatorNone]
}

var incidentWords = map[IncidentStatus]string{
	Investigating: "PageIncidentInvestigating",
	Identified:    "PageIncidentIdentified",
	Monitoring:    "PageIncidentMonitoring",
	Resolved:      "PageIncidentResolved",
	Postmortem:    "PageIncidentPostmortem",
}

// incidentStatus is the words of an incident status; an unknown one
// shows as itself.
func (l *locale) incidentStatus(s IncidentStatus) string {
	if id, ok := incidentWords[s]; ok {
		return l.t(id)
	}
	return string(s)
}

var maintenanceWords = map[MaintenanceStatus]string{
	MaintenanceScheduled:  "PageMaintScheduled",
	MaintenanceInProgress: "PageMaintRunning",
	MaintenanceVerifying:  "PageMaintVerifying",
	MaintenanceCompleted:  "PageMaintCompleted",
}

func (l *locale) maintenanceStatus(m *Maintenance) string {
	if m.Cancelled {
		return l.t("PageMaintCancelled")
	}
	if id, ok := maintenanceWords[m.Status]; ok {
		return l.t(id)
	}
	return string(m.Status)
}
