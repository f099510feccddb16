package web

import (
	"fmt"
	"net/url"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/report"
	"github.com/vigie/vigie/internal/status"
)

// areaState is an asset's state as the area shows it: a word and the
// class that colours it.
type areaState struct {
	Word, Class, Since string
}

// areaStateOf words an asset's service state (report.AssetState.Service).
func areaStateOf(w report.Words, a *report.AssetState, now time.Time) areaState {
	st, since, warning := a.Service()
	out := areaState{Word: w.T("AreaStateUnknown"), Class: "unknown"}
	switch {
	case st == detect.Down:
		out = areaState{Word: w.T("AreaStateDown"), Class: "down"}
	case st == detect.Up && warning:
		out = areaState{Word: w.T("AreaStateWarning"), Class: "warning"}
	case st == detect.Up:
		out = areaState{Word: w.T("AreaStateUp"), Class: "up"}
	}
	if since != nil {
		out.Since = areaSince(w, *since, now)
	}
	return out
}

// areaKindWords names a kind of asset for its owner.
func areaKindWords(w report.Words, kind string) string {
	switch kind {
	case "site":
		return w.T("AreaKindSite")
	case "vm":
		return w.T("AreaKindVM")
	case "service":
		return w.T("AreaKindService")
	}
	return kind
}

// areaSince says since when, as short as it stays clear: the time
// alone today, the day and time otherwise; always with the zone.
func areaSince(w report.Words, t, now time.Time) string { return areaDayTime(w, "AreaSince", t, now) }

// areaStarted says when something started, as sinceWords does.
func areaStarted(w report.Words, t, now time.Time) string {
	return areaDayTime(w, "AreaStarted", t, now)
}

// areaDayTime words t with the messages prefix+"Today" (Time) or
// prefix+"Day" (Day and Time): "depuis 10:02 CET", "depuis le 5 déc.
// à 10:02 CET"; the year is named when it is not now's.
func areaDayTime(w report.Words, prefix string, t, now time.Time) string {
	l, n := t.In(w.Zone), now.In(w.Zone)
	at := l.Format("15:04") + " " + l.Format("MST")
	if l.Year() == n.Year() && l.YearDay() == n.YearDay() {
		return w.T(prefix+"Today", "Time", at)
	}
	day := w.Day(l)
	if l.Year() != n.Year() {
		day = w.Date(l)
	}
	return w.T(prefix+"Day", "Day", day, "Time", at)
}

// areaProblem is a problem in plain words: what is wrong and since when,
// and what to check.
type areaProblem struct {
	Asset, Link, What, Since, Advice, Detail string
	// Covered is set when an ongoing incident is the cause: the advice
	// says so instead of what to check.
	Warning, Covered bool
}

// coveredBy names, for each of the viewer's assets that an ongoing
// incident reaches, that incident: a problem of such an asset is the
// incident's doing, and the customer has nothing to check on their side.
//
// An asset that is the root of an incident of its own (a site problem:
// correlation judged its failure its own) is covered by none.
func (a *areaRequest) coveredBy() map[string]string {
	own := map[string]bool{}
	for i := range a.page.Active {
		if roots := a.roots[a.page.Active[i].ID]; len(roots) == 1 {
			own[roots[0]] = true
		}
	}
	out := map[string]string{}
	for i := range a.page.Active {
		in := &a.page.Active[i]
		if roots := a.roots[in.ID]; len(roots) == 1 && own[roots[0]] && a.isViewers(roots[0]) {
			continue // a site problem of the viewer's: the problem itself
		}
		n := a.incidentNotice(in)
		for _, ref := range n.Affected {
			if _, ok := out[ref.Name]; !ok && !own[ref.Name] {
				out[ref.Name] = n.Name
			}
		}
	}
	return out
}

// isViewers tells whether the named asset is one of the viewer's.
func (a *areaRequest) isViewers(name string) bool {
	for i := range a.assets {
		if a.assets[i].Name == name {
			return true
		}
	}
	return false
}

// problemWords words a problem of an asset, told as part of the incident
// covering the asset, when one does.
func (a *areaRequest) problemWords(p report.Problem, covered map[string]string) areaProblem {
	out := areaProblemWords(a.w, p, a.now)
	if name, ok := covered[p.Asset]; ok && p.Kind != report.ProblemCertExpiring {
		out.Advice, out.Covered = a.w.T("AreaAdviceCovered", "Incident", name), true
	}
	return out
}

// areaProblemIDs are the sentences of each kind of problem.
var areaProblemIDs = map[report.ProblemKind]string{
	report.ProblemHTTPStatus:   "AreaProblemHTTPStatus",
	report.ProblemRedirects:    "AreaProblemRedirects",
	report.ProblemTimeout:      "AreaProblemTimeout",
	report.ProblemRefused:      "AreaProblemRefused",
	report.ProblemDNS:          "AreaProblemDNS",
	report.ProblemCertExpiring: "AreaProblemCertExpiring",
	report.ProblemCertExpired:  "AreaProblemCertExpired",
	report.ProblemCertInvalid:  "AreaProblemCertInvalid",
	report.ProblemTLS:          "AreaProblemTLS",
	report.ProblemContent:      "AreaProblemContent",
	report.ProblemSlow:         "AreaProblemSlow",
	report.ProblemNetwork:      "AreaProblemNetwork",
	report.ProblemOther:        "AreaProblemOther",
}

// areaProblemWords words a problem in the reader's language: the sentence of
// its kind, and the advice that messages about site problems give for
// its reason (notify.ReasonText), or the area's own where that one would
// be wrong (a certificate still valid) or is missing.
func areaProblemWords(w report.Words, p report.Problem, now time.Time) areaProblem {
	id, ok := areaProblemIDs[p.Kind]
	if !ok {
		id = areaProblemIDs[report.ProblemOther]
	}
	out := areaProblem{Asset: p.Asset, Link: areaAssetLink(p.Asset), Warning: p.Warning, Detail: p.Detail,
		What:  w.T(id, areaProblemData(w, p)...),
		Since: areaSince(w, p.Since, now)}
	switch p.Kind {
	case report.ProblemCertExpiring:
		// How long it has been failing says nothing: the days left do.
		out.Since = ""
		out.Advice = w.T("AreaAdviceCertExpiring")
	case report.ProblemRedirects:
		out.Advice = w.T("AreaAdviceRedirects")
	case report.ProblemOther:
		out.Advice = w.T("AreaAdviceOther")
	default:
		out.Advice = notify.ReasonText(w.Lang, string(p.Reason))
	}
	return out
}

// areaProblemData is what the sentence of a problem's kind takes; only the
// plural sentences get a Count, which makes go-i18n look for plural forms.
func areaProblemData(w report.Words, p report.Problem) []any {
	data := []any{"Code", p.Code, "Seconds", int(p.Timeout / time.Second)}
	if !p.Until.IsZero() {
		data = append(data, "Date", w.Date(p.Until))
	}
	if p.Kind == report.ProblemCertExpiring {
		data = append(data, "Count", p.Days)
	}
	return data
}

// areaAssetLink is the page of one of the viewer's assets.
func areaAssetLink(name string) string { return "/account/assets/" + url.PathEscape(name) }

// areaIncidentLink and maintenanceLink are the pages of an incident and a
// maintenance window on the viewer's status page.
func areaIncidentLink(id int64) string { return fmt.Sprintf("/account/incidents/%d", id) }

func areaMaintenanceLink(id string) string { return "/account/incidents/m" + url.PathEscape(id) }

// areaIncidentStatusIDs are the status page's words for incident statuses.
var areaIncidentStatusIDs = map[status.IncidentStatus]string{
	status.Investigating: "PageIncidentInvestigating",
	status.Identified:    "PageIncidentIdentified",
	status.Monitoring:    "PageIncidentMonitoring",
	status.Resolved:      "PageIncidentResolved",
	status.Postmortem:    "PageIncidentPostmortem",
}

// areaMaintenanceStatusIDs are the status page's words for window statuses.
var areaMaintenanceStatusIDs = map[status.MaintenanceStatus]string{
	status.MaintenanceScheduled:  "PageMaintScheduled",
	status.MaintenanceInProgress: "PageMaintRunning",
	status.MaintenanceVerifying:  "PageMaintVerifying",
	status.MaintenanceCompleted:  "PageMaintCompleted",
}

// areaText is a public text in the reader's language.
func areaText(w report.Words, t status.Text) string { return t.In(status.Lang(w.Lang)).Text }

// areaWindowWords is a maintenance window: one day and two times when it
// ends the day it starts, in the same zone offset; two instants otherwise.
func areaWindowWords(w report.Words, from, to time.Time) string {
	a, b := from.In(w.Zone), to.In(w.Zone)
	if a.Year() == b.Year() && a.YearDay() == b.YearDay() && a.Format("MST") == b.Format("MST") {
		return w.T("AreaWindowSameDay", "Date", w.Date(a), "From", a.Format("15:04"), "To", b.Format("15:04"), "Zone", a.Format("MST"))
	}
	return w.T("AreaWindow", "From", w.At(a), "To", w.At(b))
}
