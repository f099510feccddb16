package notify

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // recipients' zones must load on machines without a zoneinfo database

	"github.com/vigie/vigie/internal/i18n"
)

// words translates the pieces of one message into one language and zone.
type words struct {
	b    *i18n.Bundle
	lang string
	zone *time.Location
	opts RenderOptions
}

// t translates id with pairs of names and values as its data.
func (w *words) t(id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			data[kv[i].(string)] = kv[i+1]
		}
	}
	return w.b.T(w.lang, id, data)
}

// label is a message followed by a colon, spaced as the language wants.
func (w *words) label(id string) string { return w.t("NotifyLabel", "Label", w.t(id)) }

// severity names a severity; a page without one is worded as major,
// since only critical and major incidents page.
func (w *words) severity(s string) string {
	switch s {
	case "critical":
		return w.t("NotifySeverityCritical")
	case "minor":
		return w.t("NotifySeverityMinor")
	default:
		return w.t("NotifySeverityMajor")
	}
}

// date is a day such as "6 déc. 2026" or "6 Dec 2026", in the recipient's zone.
func (w *words) date(t time.Time) string {
	t = t.In(w.zone)
	return fmt.Sprintf("%d %s %d", t.Day(), w.t(fmt.Sprintf("PageMonthShort%d", t.Month())), t.Year())
}

// at is an instant in full: "6 déc. 2026 à 14:05 (CET)".
func (w *words) at(t time.Time) string {
	l := t.In(w.zone)
	return w.t("NotifyDateTime", "Date", w.date(l), "Time", l.Format("15:04"), "Zone", l.Format("MST"))
}

// window is a maintenance window: one day and two times when it ends the
// day it starts, two instants otherwise.
func (w *words) window(from, until time.Time) string {
	a, b := from.In(w.zone), until.In(w.zone)
	if a.Year() == b.Year() && a.YearDay() == b.YearDay() && a.Format("MST") == b.Format("MST") {
		return w.t("NotifyWindowSameDay", "Date", w.date(a), "From", a.Format("15:04"), "To", b.Format("15:04"), "Zone", a.Format("MST"))
	}
	return w.t("NotifyWindow", "Start", w.at(a), "End", w.at(b))
}

// sites lists a recipient's affected sites: "a, b et c", "a, b et 3 autres".
func (w *words) sites(names []string, more int) string {
	switch {
	case more > 0:
		return strings.TrimSpace(strings.Join(names, ", ") + " " + w.t("NotifySitesMore", "Count", more))
	case len(names) == 0:
		return ""
	case len(names) == 1:
		return names[0]
	}
	last := len(names) - 1
	return strings.Join(names[:last], ", ") + " " + w.t("NotifyListAnd") + " " + names[last]
}

// tag is the subject's bracketed word: the topic, with the severity on pages.
func (w *words) tag(it *Item) string {
	switch it.Topic {
	case TopicMaintenance:
		return w.t("NotifyTagMaintenance")
	case TopicSiteProblem:
		return w.t("NotifyTagSiteProblem")
	case TopicPage:
		if it.Event == "escalation" {
			return w.t("NotifyTagEscalation", "Severity", w.severity(it.Severity))
		}
		return w.t("NotifyTagPage", "Severity", w.severity(it.Severity))
	default:
		return w.t("NotifyTagIncident")
	}
}

// maintenanceStates maps a maintenance event to the word that ends its
// subject.
var maintenanceStates = map[string]string{
	"scheduled": "NotifyMaintenanceScheduled",
	"changed":   "NotifyMaintenanceChanged",
	"cancelled": "NotifyMaintenanceCancelled",
	"started":   "NotifyMaintenanceStarted",
	"ended":     "NotifyMaintenanceEnded",
}

// incidentStates maps an incident's status to the word that ends its subject.
var incidentStates = map[string]string{
	"investigating": "NotifyStatusInvestigating",
	"identified":    "NotifyStatusIdentified",
	"monitoring":    "NotifyStatusMonitoring",
	"resolved":      "NotifyStatusResolved",
}

// state is the status word that ends a subject: "résolu", "annulée".
func (w *words) state(it *Item) string {
	switch it.Topic {
	case TopicMaintenance:
		if it.Event == "ahead" && it.Start != nil {
			return w.t("NotifyMaintenanceAhead", "When", w.at(*it.Start))
		}
		if id, ok := maintenanceStates[it.Event]; ok {
			return w.t(id)
		}
		return w.t("NotifyMaintenanceChanged")
	case TopicPage:
		if it.Event == "escalation" {
			return w.t("NotifyStatusEscalation")
		}
		return w.t("NotifyStatusPage")
	}
	if it.Topic == TopicSiteProblem && it.Event == "opened" {
		return w.t("NotifyStatusProblem")
	}
	if id, ok := incidentStates[it.Status]; ok {
		return w.t(id)
	}
	if id, ok := incidentStates[it.Event]; ok {
		return w.t(id)
	}
	if it.Event == "opened" {
		return w.t("NotifyStatusInvestigating")
	}
	return w.t("NotifyStatusUpdate")
}

// headlines maps a topic and event to the sentence that says what happened.
var headlines = map[Topic]map[string]string{
	TopicIncident: {
		"opened": "NotifyHeadIncidentOpened", "update": "NotifyHeadIncidentUpdate",
		"identified": "NotifyHeadIncidentIdentified", "monitoring": "NotifyHeadIncidentMonitoring",
		"resolved": "NotifyHeadIncidentResolved", "": "NotifyHeadIncidentUpdate",
	},
	TopicMaintenance: {
		"scheduled": "NotifyHeadMaintenanceScheduled", "changed": "NotifyHeadMaintenanceChanged",
		"cancelled": "NotifyHeadMaintenanceCancelled", "ahead": "NotifyHeadMaintenanceAhead",
		"started": "NotifyHeadMaintenanceStarted", "ended": "NotifyHeadMaintenanceEnded",
		"": "NotifyHeadMaintenanceChanged",
	},
	TopicSiteProblem: {
		"opened": "NotifyHeadSiteOpened", "resolved": "NotifyHeadSiteResolved", "": "NotifyHeadSiteUpdate",
	},
	TopicPage: {"page": "NotifyHeadPage", "escalation": "NotifyHeadEscalation", "": "NotifyHeadPage"},
}

// headline says what happened: "Incident résolu", "Maintenance annulée".
func (w *words) headline(it *Item) string {
	events, ok := headlines[it.Topic]
	if !ok {
		events = headlines[TopicIncident]
	}
	id, ok := events[it.Event]
	if !ok {
		id = events[""]
	}
	return w.t(id, "Severity", w.severity(it.Severity))
}

// title is an item's name; a nameless one (a page before the incident has
// a public name) is called by its number.
func (w *words) title(it *Item) string {
	if s := oneLine(it.Title.In(w.lang)); s != "" {
		return s
	}
	if it.MaintenanceID != 0 {
		return fmt.Sprintf("#%d", it.MaintenanceID)
	}
	return fmt.Sprintf("#%d", it.IncidentID)
}

// linkLabel names the link to an item's public page.
func (w *words) linkLabel(it *Item) string {
	switch it.Topic {
	case TopicMaintenance:
		return w.t("NotifyLinkMaintenance")
	case TopicSiteProblem:
		return w.t("NotifyLinkSite")
	default:
		return w.t("NotifyLinkIncident")
	}
}

// oneLine folds a text's line breaks and runs of spaces into single spaces.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '\t' || r == ' ' }), " ")
}
