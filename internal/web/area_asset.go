package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/report"
	"github.com/vigie/vigie/internal/status"
)

// areaCheckRow is one check of an asset, as its owner sees it.
type areaCheckRow struct {
	Name, Kind string
	State      areaState
}

// areaUptime is an asset's availability over one window, with what was
// left out of it.
type areaUptime struct {
	Label, Ratio, Down, Maintenance, Unknown string
}

// areaAssetView is the page of one asset.
type areaAssetView struct {
	Name, Kind, Generated string
	State                 areaState
	Problems              []areaProblem
	Checks                []areaCheckRow
	Uptimes               []areaUptime
	// Chart is the latency SVG, ChartSummary its words; both empty when
	// the asset has no check with a latency.
	Chart              template.HTML
	ChartSummary       string
	Incidents, Windows []areaNotice
	ReportLink         string
}

func (h *area) showAsset(w http.ResponseWriter, r *http.Request) {
	a, err := h.load(r)
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	asset, ok := a.asset(r.PathValue("name"))
	if !ok {
		h.notFound(w, r)
		return
	}
	view := areaAssetView{Name: asset.Name, Kind: areaKindWords(a.w, asset.Kind), State: areaStateOf(a.w, asset, a.now),
		Generated:  a.w.T("AreaGenerated", "When", a.w.At(a.now)),
		ReportLink: areaReportLink(asset.Name, a.now.In(a.w.Zone))}
	covered := a.coveredBy()
	for _, p := range asset.Problems(a.now) {
		view.Problems = append(view.Problems, a.problemWords(p, covered))
	}
	for i, c := range asset.Checks {
		one := report.AssetState{Name: asset.Name, Checks: asset.Checks[i : i+1], Rows: asset.Rows[i : i+1]}
		view.Checks = append(view.Checks, areaCheckRow{Name: c.ID().Name, Kind: string(c.Kind), State: areaStateOf(a.w, &one, a.now)})
	}
	d30, d90, err := h.uptimes(r, a, asset)
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	view.Uptimes = []areaUptime{areaUptimeOf(a.w, "AreaUptime30", d30), areaUptimeOf(a.w, "AreaUptime90", d90)}
	if err := h.chart(r, a, asset, &view); err != nil {
		h.s.failPage(w, r, err)
		return
	}
	view.Incidents, view.Windows = a.touching(asset)
	h.s.renderPage(w, r, http.StatusOK, "area_asset", asset.Name, view)
}

func areaUptimeOf(w report.Words, label string, av report.Availability) areaUptime {
	return areaUptime{Label: w.T(label), Ratio: w.Ratio(av), Down: report.Length(av.Down, w.Lang),
		Maintenance: report.Length(av.Maintenance, w.Lang), Unknown: report.Length(av.Unknown, w.Lang)}
}

// chart draws the asset's latency over the last 24 hours, in steps of
// ten minutes.
func (h *area) chart(r *http.Request, a *areaRequest, asset *report.AssetState, view *areaAssetView) error {
	to := a.now.Truncate(10 * time.Minute)
	s, ok, err := h.reader.Latency(r.Context(), asset, report.Span{From: to.Add(-24 * time.Hour), To: to}, 10*time.Minute)
	if err != nil || !ok {
		return err
	}
	sum := s.Summary()
	if sum.Measured == 0 {
		view.ChartSummary = a.w.T("AreaLatencyNone")
	} else {
		view.ChartSummary = a.w.T("AreaLatencySummary", "Median", report.Millis(sum.Median), "Max", report.Millis(sum.Max))
	}
	view.Chart = s.SVG(report.Chart{ID: "latency", Title: a.w.T("AreaLatencyTitle"), Desc: view.ChartSummary, Zone: a.w.Zone})
	return nil
}

// touching lists the incidents (open, or resolved within the last 90
// days) and the maintenance (in progress or to come) of the viewer's page
// that reach the asset.
func (a *areaRequest) touching(asset *report.AssetState) (incs, wins []areaNotice) {
	touches := report.Touches(asset.Name, a.dependsOn)
	since := a.now.Add(-status.History)
	for i := range a.page.Incidents {
		in := &a.page.Incidents[i]
		if in.ResolvedAt != nil && in.ResolvedAt.Before(since) || !touches(a.roots[in.ID]) {
			continue
		}
		incs = append(incs, a.incidentNotice(in))
	}
	for _, list := range [][]status.Maintenance{a.page.InProgress, a.page.Upcoming} {
		for i := range list {
			if n := a.maintenanceNotice(&list[i]); n.reaches(asset.Name) {
				wins = append(wins, n)
			}
		}
	}
	return incs, wins
}
