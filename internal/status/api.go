package status

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/vigie/vigie/internal/i18n"
)

// apiLimit is how many incidents or maintenances the full lists hold, as
// on Statuspage.
const apiLimit = 50

// apiTime is how Statuspage writes times: milliseconds and the offset of
// the page's zone.
const apiTime = "2006-01-02T15:04:05.000Z07:00"

// messages are the embedded message files (the bundle the server shares):
// APIFiles is given no bundle, and its texts (the status rollup, a
// maintenance's default text) still come from the files.
var messages = i18n.New

// APIFiles renders the documents of Atlassian Statuspage's public API v2
// for a page in one language, under "api/v2/" (and "en/api/v2/" in
// English): summary, status, components, incidents (the 50 most recent),
// unresolved incidents and scheduled maintenances (the 50 most recent,
// upcoming, active). Cancelled windows have no Statuspage status and are
// left out.
func APIFiles(p *Page, lang Lang) ([]File, error) {
	b, err := messages()
	if err != nil {
		return nil, fmt.Errorf("api documents: %w", err)
	}
	a := newAPIWriter(p, lang, b)
	comps := a.components()
	active := a.incidents(p.Active, len(p.Active))
	var kept []Maintenance
	for _, m := range p.Maintenances {
		if !m.Cancelled {
			kept = append(kept, m)
		}
	}
	upcoming := a.maintenances(p.Upcoming, len(p.Upcoming))
	inProgress := a.maintenances(p.InProgress, len(p.InProgress))
	status := a.status()
	docs := []struct {
		name string
		doc  any
	}{
		{"summary.json", apiSummary{a.page, comps, active, append(inProgress[:len(inProgress):len(inProgress)], upcoming...), status}},
		{"status.json", apiStatusDoc{a.page, status}},
		{"components.json", apiComponentsDoc{a.page, comps}},
		{"incidents.json", apiIncidentsDoc{a.page, a.incidents(p.Incidents, apiLimit)}},
		{"incidents/unresolved.json", apiIncidentsDoc{a.page, active}},
		{"scheduled-maintenances.json", apiMaintenancesDoc{a.page, a.maintenances(kept, apiLimit)}},
		{"scheduled-maintenances/upcoming.json", apiMaintenancesDoc{a.page, upcoming}},
		{"scheduled-maintenances/active.json", apiMaintenancesDoc{a.page, inProgress}},
	}
	files := make([]File, 0, len(docs))
	for _, d := range docs {
		body, err := json.Marshal(d.doc)
		if err != nil {
			return nil, fmt.Errorf("api %s: %w", d.name, err)
		}
		files = append(files, File{
			Path:        "/" + LangPrefix(lang) + PathAPI + d.name,
			ContentType: "application/json; charset=utf-8",
			Body:        append(body, '\n'),
		})
	}
	return files, nil
}

// pageID is the page's Statuspage id: stable, derived from its address.
func pageID(p *Page) string {
	sum := sha256.Sum256([]byte(p.absolute("")))
	return hex.EncodeToString(sum[:6])
}

// status is the page-wide rollup in Statuspage's words.
func (a *apiWriter) status() apiStatus {
	id := "StatusIndicatorNone"
	switch a.p.Indicator {
	case IndicatorNone:
		if len(a.p.InProgress) > 0 {
			id = "StatusIndicatorMaintenance"
		}
	case IndicatorMinor:
		id = "StatusIndicatorMinor"
		degraded := false
		for _, c := range a.p.Components {
			degraded = degraded || c.Status == DegradedPerformance
		}
		if degraded {
			id = "StatusIndicatorDegraded"
		}
	case IndicatorMajor:
		id = "StatusIndicatorMajor"
	case IndicatorCritical:
		id = "StatusIndicatorCritical"
	}
	ind := a.p.Indicator
	if ind == "" {
		ind = IndicatorNone
	}
	return apiStatus{Indicator: ind, Description: tr(a.b, a.lang, id, nil)}
}
