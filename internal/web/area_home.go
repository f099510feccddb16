package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/report"
	"github.com/vigie/vigie/internal/status"
)

// areaRequest is what every page of the area starts from: the viewer,
// their words, their status page and their assets with their states.
type areaRequest struct {
	v      *viewer
	w      report.Words
	now    time.Time
	page   *status.Page
	assets []report.AssetState
	// windows are every maintenance window kept; roots the root assets
	// of the incidents the page may show, by id.
	windows []incident.Window
	roots   map[int64][]string
	graph   *inventory.Graph
}

// load reads what the area's pages show of the viewer's customer: their
// own status page and assets, nothing of anyone else's.
func (h *area) load(r *http.Request) (*areaRequest, error) {
	ctx := r.Context()
	v := viewerOf(r)
	page, err := h.status.Page(ctx, v.Customer.ID)
	if err != nil {
		return nil, fmt.Errorf("status page of %s: %w", v.Customer.ID, err)
	}
	a := &areaRequest{v: v, w: report.Words{Texts: h.texts, Lang: v.Lang, Zone: v.Zone}, page: page, now: h.now(),
		graph: h.inv.Graph()}
	if a.assets, err = h.reader.CustomerAssets(ctx, v.Customer.ID); err != nil {
		return nil, err
	}
	if a.windows, err = h.reader.Windows(ctx); err != nil {
		return nil, err
	}
	if a.roots, err = h.reader.IncidentRoots(ctx, a.now.Add(-status.Archive)); err != nil {
		return nil, err
	}
	return a, nil
}

// asset returns the viewer's asset of that name; ok is false for any
// other name, theirs to nobody or someone else's.
func (a *areaRequest) asset(name string) (*report.AssetState, bool) {
	i := slices.IndexFunc(a.assets, func(x report.AssetState) bool { return x.Name == name })
	if i < 0 {
		return nil, false
	}
	return &a.assets[i], true
}

// uptimes are an asset's availability over the last 30 and 90 days.
func (h *area) uptimes(r *http.Request, a *areaRequest, asset *report.AssetState) (d30, d90 report.Availability, err error) {
	l30, l90, err := h.uptimesOf(r, a, []report.AssetState{*asset})
	if err != nil {
		return d30, d90, err
	}
	return l30[0], l90[0], nil
}

// uptimesOf are uptimes for each of list, reading the log once.
func (h *area) uptimesOf(r *http.Request, a *areaRequest, list []report.AssetState) (d30, d90 []report.Availability, err error) {
	p90 := report.Span{From: a.now.Add(-90 * 24 * time.Hour), To: a.now}
	tls, _, err := h.reader.Availabilities(r.Context(), list, a.windows, p90)
	if err != nil {
		return nil, nil, err
	}
	p30 := report.Span{From: a.now.Add(-30 * 24 * time.Hour), To: a.now}
	for _, tl := range tls {
		d30, d90 = append(d30, tl.Sum(p30)), append(d90, tl.Sum(p90))
	}
	return d30, d90, nil
}

// areaNotice is an incident or a maintenance window touching the viewer.
type areaNotice struct {
	// Class tells incidents (area-notice-incident) from maintenance.
	Class, Link, Name, Status, When, Latest string
	// Affected are the viewer's assets it reaches; Platform is set when
	// it reaches the whole platform.
	Affected []areaAssetRef
	Platform bool
}

// areaAssetRef names one of the viewer's assets and links to its page.
type areaAssetRef struct{ Name, Link string }

// areaRefs links each of the viewer's assets named.
func areaRefs(names []string) []areaAssetRef {
	out := make([]areaAssetRef, len(names))
	for i, n := range names {
		out[i] = areaAssetRef{n, areaAssetLink(n)}
	}
	return out
}

// reaches tells whether the notice reaches the named asset.
func (n *areaNotice) reaches(name string) bool {
	return slices.ContainsFunc(n.Affected, func(a areaAssetRef) bool { return a.Name == name })
}

// incidentNotice words one of the page's incidents.
func (a *areaRequest) incidentNotice(in *status.Incident) areaNotice {
	n := areaNotice{Class: "area-notice-incident", Link: areaIncidentLink(in.ID), Name: areaText(a.w, in.Name), Status: a.w.T(areaIncidentStatusIDs[in.Status]),
		When: areaStarted(a.w, in.StartedAt, a.now), Platform: in.Platform,
		Affected: areaRefs(report.Affected(a.assets, a.roots[in.ID], a.dependsOn))}
	if len(in.Updates) > 0 {
		n.Latest = areaText(a.w, in.Updates[0].Body)
	}
	return n
}

// maintenanceNotice words one of the page's maintenance windows.
func (a *areaRequest) maintenanceNotice(m *status.Maintenance) areaNotice {
	n := areaNotice{Class: "area-notice-maintenance", Link: areaMaintenanceLink(m.ID), Name: areaText(a.w, m.Name), Status: a.w.T(areaMaintenanceStatusIDs[m.Status]),
		When: areaWindowWords(a.w, m.ScheduledFor, m.ScheduledUntil), Platform: m.Platform}
	if m.Cancelled {
		n.Status = a.w.T("PageMaintCancelled")
	}
	if i := slices.IndexFunc(a.windows, func(w incident.Window) bool { return w.ID == m.ID }); i >= 0 {
		n.Affected = areaRefs(report.Affected(a.assets, a.windows[i].Assets, a.dependsOn))
	}
	return n
}

func (a *areaRequest) dependsOn(name string) []string { return a.graph.DependsOn(name) }

// areaAssetRow is one line of the home's table of assets.
type areaAssetRow struct {
	Name, Link, Kind, Up30, Up90 string
	State                        areaState
}

// areaHomeView is the area's home.
type areaHomeView struct {
	Customer, Generated string
	Problems            []areaProblem
	Incidents, Windows  []areaNotice
	Assets              []areaAssetRow
}

func (h *area) showHome(w http.ResponseWriter, r *http.Request) {
	a, err := h.load(r)
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	view := areaHomeView{Customer: a.v.Customer.Name, Generated: a.w.T("AreaGenerated", "When", a.w.At(a.now))}
	d30, d90, err := h.uptimesOf(r, a, a.assets)
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	covered := a.coveredBy()
	for i := range a.assets {
		asset := &a.assets[i]
		for _, p := range asset.Problems(a.now) {
			view.Problems = append(view.Problems, a.problemWords(p, covered))
		}
		view.Assets = append(view.Assets, areaAssetRow{Name: asset.Name, Link: areaAssetLink(asset.Name), Kind: areaKindWords(a.w, asset.Kind),
			State: areaStateOf(a.w, asset, a.now), Up30: a.w.Ratio(d30[i]), Up90: a.w.Ratio(d90[i])})
	}
	// Outages first, then warnings; the oldest first within each.
	slices.SortStableFunc(view.Problems, func(x, y areaProblem) int { return cmp.Compare(boolInt(x.Warning), boolInt(y.Warning)) })
	for i := range a.page.Active {
		view.Incidents = append(view.Incidents, a.incidentNotice(&a.page.Active[i]))
	}
	for _, list := range [][]status.Maintenance{a.page.InProgress, a.page.Upcoming} {
		for i := range list {
			view.Windows = append(view.Windows, a.maintenanceNotice(&list[i]))
		}
	}
	h.s.renderPage(w, r, http.StatusOK, "area_home", a.w.T("AreaHomeTitle"), view)
}
