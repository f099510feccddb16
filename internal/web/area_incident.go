package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/report"
	"github.com/vigie/vigie/internal/status"
)

// areaUpdateRow is one entry of a public timeline.
type areaUpdateRow struct {
	Status, When, Text string
}

// areaIncidentView is the page of an incident or a maintenance window.
type areaIncidentView struct {
	areaNotice
	Maintenance bool
	// Impact, Started and Resolved are an incident's; Description a
	// window's.
	Impact, Started, Resolved, Description string
	Updates                                []areaUpdateRow
}

// showIncident shows an incident (/account/incidents/12) or a maintenance
// window (/account/incidents/m3) of the viewer's own status page: an id
// the page does not show them is not found, whether it exists or not.
func (h *area) showIncident(w http.ResponseWriter, r *http.Request) {
	a, err := h.load(r)
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	id := r.PathValue("id")
	if win, ok := strings.CutPrefix(id, "m"); ok {
		i := slices.IndexFunc(a.page.Maintenances, func(m status.Maintenance) bool { return m.ID == win })
		if i < 0 {
			h.notFound(w, r)
			return
		}
		m := &a.page.Maintenances[i]
		view := areaIncidentView{areaNotice: a.maintenanceNotice(m), Maintenance: true, Description: areaText(a.w, m.Description)}
		h.s.renderPage(w, r, http.StatusOK, "area_incident", view.Name, view)
		return
	}
	n, err := strconv.ParseInt(id, 10, 64)
	i := slices.IndexFunc(a.page.Incidents, func(in status.Incident) bool { return in.ID == n })
	if err != nil || i < 0 {
		h.notFound(w, r)
		return
	}
	in := &a.page.Incidents[i]
	view := areaIncidentView{areaNotice: a.incidentNotice(in), Impact: a.w.T(areaImpactIDs[in.Impact]),
		Started: a.w.At(in.StartedAt)}
	if in.ResolvedAt != nil {
		view.Resolved = a.w.At(*in.ResolvedAt)
	}
	for _, u := range in.Updates {
		view.Updates = append(view.Updates, areaUpdateRow{Status: a.w.T(areaIncidentStatusIDs[u.Status]), When: a.w.At(u.At), Text: areaText(a.w, u.Body)})
	}
	h.s.renderPage(w, r, http.StatusOK, "area_incident", view.Name, view)
}

// areaImpactIDs are the status page's words for an incident's impact.
var areaImpactIDs = map[status.Indicator]string{
	status.IndicatorNone:        "PageImpactNone",
	status.IndicatorMinor:       "PageImpactMinor",
	status.IndicatorMajor:       "PageImpactMajor",
	status.IndicatorCritical:    "PageImpactCritical",
	status.IndicatorMaintenance: "PageImpactMaintenance",
}

// notFound answers a page that does not exist for the viewer, as every
// 404 of the areas does: nothing tells whether it exists for someone else.
func (h *area) notFound(w http.ResponseWriter, r *http.Request) {
	h.s.failPage(w, r, &Error{Status: http.StatusNotFound, Message: "not found"})
}

// wordsOf returns the viewer's words, for pages that load nothing else.
func (h *area) wordsOf(r *http.Request) report.Words {
	v := viewerOf(r)
	return report.Words{Texts: h.texts, Lang: v.Lang, Zone: v.Zone}
}
