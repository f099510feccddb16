package web

import (
	"context"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/report"
	"github.com/vigie/vigie/internal/support"
)

// assetPageView is an asset's page in the staff console.
type assetPageView struct {
	Asset  inventory.Asset
	Owner  *inventory.Customer
	Labels []string
	Impact inventory.Impact
	// Graph draws the dependencies and dependents; DependsOn and
	// Dependents count the direct ones.
	Graph                 template.HTML
	DependsOn, Dependents int
	// Up and Down are the nodes right above and below, for the list
	// under the graph.
	Up, Down []graphNode
	Checks   []assetCheckRow
	// Chart is the latency of the asset's main check over 24 hours.
	Chart        template.HTML
	ChartSummary string
	Host         *probe.HostCompliance
	HostAt       string
	Facts        [][2]string
	Backups      []assetBackupRow
	Incidents    []incident.Incident
	Tickets      []support.Ticket
	// Maintenance is the link to plan a maintenance of the asset.
	Maintenance string
}

// assetCheckRow is one check with its state, uptimes and daily bars.
type assetCheckRow struct {
	Name, Kind, Key string
	State, Since    string
	Message         string
	Uptimes         []assetUptime
	Bars            template.HTML
}

type assetUptime struct{ Window, Ratio string }

type assetBackupRow struct {
	Name, LastGood, LastFailure, DueBy string
	RestorePoints                      int
	Stale, Issued                      bool
}

// showAsset shows one asset with everything known about it.
func (h *inventoryPages) showAsset(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), viewerOf(r)
	a, err := h.d.Inventory.Asset(ctx, r.PathValue("name"))
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	if err := h.d.Inventory.LoadGraph(ctx); err != nil {
		h.failPage(w, r, err)
		return
	}
	g := h.d.Inventory.Graph()
	now := h.d.Now()
	view := assetPageView{Asset: a, DependsOn: len(a.DependsOn), Dependents: len(g.Dependents(a.Name)),
		Maintenance: "/staff/maintenance/new?asset=" + a.Name}
	for _, k := range slices.Sorted(maps.Keys(a.Labels)) {
		view.Labels = append(view.Labels, k+"="+a.Labels[k])
	}
	if view.Impact, err = g.Impact(a.Name); err != nil {
		h.failPage(w, r, err)
		return
	}
	ag := buildAssetGraph(g, a.Name)
	view.Graph = ag.svg(graphWords{Title: h.text(v.Lang, "ConsoleInvGraphTitle") + " " + a.Name,
		Maintenance: h.text(v.Lang, "ConsoleInvPlanMaintenance"), Group: graphGroup})
	view.Up, view.Down = ag.neighbours()
	steps := []func(context.Context, *viewer, *assetPageView, time.Time) error{h.assetOwner, h.assetChecks, h.assetHost, h.assetBackups, h.assetIncidents, h.assetTickets}
	for _, step := range steps {
		if err := step(ctx, v, &view, now); err != nil {
			h.failPage(w, r, err)
			return
		}
	}
	h.renderPage(w, r, http.StatusOK, "staff_asset", a.Name, view)
}

func (h *inventoryPages) assetOwner(ctx context.Context, _ *viewer, view *assetPageView, _ time.Time) error {
	if view.Asset.Owner == "" {
		return nil
	}
	c, err := h.d.Inventory.Customer(ctx, view.Asset.Owner)
	if err != nil {
		return fmt.Errorf("owner of %s: %w", view.Asset.Name, err)
	}
	view.Owner = &c
	return nil
}

// assetChecks reads the asset's effective checks, their states, uptimes
// and daily bars (the queries of the API's uptime and latency routes),
// and the latency chart of the customer area.
func (h *inventoryPages) assetChecks(ctx context.Context, v *viewer, view *assetPageView, now time.Time) error {
	name := view.Asset.Name
	checks, err := h.d.Inventory.Checks(ctx, inventory.CheckFilter{Asset: name, Effective: true})
	if err != nil || h.d.Detection == nil {
		return err
	}
	keys := make([]string, len(checks))
	for i := range checks {
		keys[i] = checks[i].Key()
	}
	rows, err := h.d.Detection.StatesOf(ctx, keys)
	if err != nil {
		return fmt.Errorf("states of %s: %w", name, err)
	}
	states := map[string]detect.StateRow{}
	for _, row := range rows {
		if row.Location == "" {
			states[row.Check] = row
		}
	}
	state := report.AssetState{Name: name, Kind: view.Asset.Kind, Checks: checks, Rows: make([]detect.StateRow, len(checks))}
	for i := range checks {
		key := checks[i].Key()
		row, ok := states[key]
		if !ok {
			row = detect.StateRow{Check: key}
		}
		state.Rows[i] = row
		c, err := h.checkRow(ctx, v, &checks[i], row, now)
		if err != nil {
			return err
		}
		view.Checks = append(view.Checks, c)
	}
	return h.assetChart(ctx, v, &state, view, now)
}

func (h *inventoryPages) checkRow(ctx context.Context, v *viewer, c *check.Check, row detect.StateRow, now time.Time) (assetCheckRow, error) {
	key := c.Key()
	out := assetCheckRow{Name: c.ID().Name, Kind: string(c.Kind), Key: key, State: row.State.String(), Message: row.Message}
	if !row.Since.IsZero() {
		out.Since = row.Since.In(v.Zone).Format("2006-01-02 15:04")
	}
	ups, err := h.d.Detection.Uptime(ctx, key, now)
	if err != nil {
		return out, fmt.Errorf("uptime of %s: %w", key, err)
	}
	for _, u := range ups {
		ratio := "—"
		if u.Count > 0 {
			ratio = fmt.Sprintf("%.3f %%", u.Ratio*100)
		}
		out.Uptimes = append(out.Uptimes, assetUptime{Window: windowName(u.Window), Ratio: ratio})
	}
	day := now.UTC().Truncate(24 * time.Hour)
	days, err := h.d.Detection.Latency(ctx, key, detect.PeriodDay, day.Add(-(uptimeBarDays-1)*24*time.Hour), now)
	if err != nil {
		return out, fmt.Errorf("daily uptime of %s: %w", key, err)
	}
	out.Bars = uptimeBars(days, day, h.text(v.Lang, "ConsoleInvBarsTitle"))
	return out, nil
}

func windowName(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d d", int(d.Hours()/24))
}

// assetChart draws the latency of the asset's main check over the last
// 24 hours in steps of ten minutes, as the customer area does.
func (h *inventoryPages) assetChart(ctx context.Context, v *viewer, state *report.AssetState, view *assetPageView, now time.Time) error {
	to := now.Truncate(10 * time.Minute)
	s, ok, err := h.reader.Latency(ctx, state, report.Span{From: to.Add(-24 * time.Hour), To: to}, 10*time.Minute)
	if err != nil || !ok {
		return err
	}
	sum := s.Summary()
	if sum.Measured == 0 {
		view.ChartSummary = h.text(v.Lang, "ConsoleInvLatencyNone")
	} else {
		view.ChartSummary = h.d.Texts.T(v.Lang, "ConsoleInvLatencySummary", map[string]any{"Check": s.Check, "Median": report.Millis(sum.Median), "Max": report.Millis(sum.Max)})
	}
	view.Chart = s.SVG(report.Chart{ID: "latency", Title: h.text(v.Lang, "ConsoleInvLatencyTitle"), Desc: view.ChartSummary, Zone: v.Zone})
	return nil
}

// assetHost reads the facts and compliance of a host (GET /api/v1/compliance).
func (h *inventoryPages) assetHost(ctx context.Context, v *viewer, view *assetPageView, _ time.Time) error {
	if h.d.Compliance == nil {
		return nil
	}
	hosts, err := h.d.Compliance.List(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(hosts, func(c probe.HostCompliance) bool { return c.Asset == view.Asset.Name })
	if i < 0 {
		return nil
	}
	view.Host = &hosts[i]
	view.HostAt = hosts[i].ReportedAt.In(v.Zone).Format("2006-01-02 15:04")
	for _, k := range slices.Sorted(maps.Keys(hosts[i].Facts)) {
		view.Facts = append(view.Facts, [2]string{k, hosts[i].Facts[k]})
	}
	return nil
}

// assetBackups reads the asset's backup checks, as /account/backups does.
func (h *inventoryPages) assetBackups(ctx context.Context, v *viewer, view *assetPageView, now time.Time) error {
	if h.d.Heartbeats == nil {
		return nil
	}
	checks, err := h.d.Inventory.Checks(ctx, inventory.CheckFilter{Asset: view.Asset.Name, Kind: string(check.Heartbeat), Effective: true})
	if err != nil || len(checks) == 0 {
		return err
	}
	list, err := h.d.Heartbeats.Backups(ctx, checks, now)
	if err != nil {
		return fmt.Errorf("backups of %s: %w", view.Asset.Name, err)
	}
	at := func(run *heartbeat.Run) string {
		if run == nil {
			return "—"
		}
		return run.At.In(v.Zone).Format("2006-01-02 15:04")
	}
	for _, b := range list {
		row := assetBackupRow{Name: b.Name, LastGood: at(b.LastGood), LastFailure: at(b.LastFailure),
			RestorePoints: len(b.RestorePoints), Stale: b.Stale, Issued: b.Issued}
		if !b.DueBy.IsZero() {
			row.DueBy = b.DueBy.In(v.Zone).Format("2006-01-02 15:04")
		}
		view.Backups = append(view.Backups, row)
	}
	return nil
}

// assetIncidents lists the open incidents whose scope reaches the asset.
func (h *inventoryPages) assetIncidents(ctx context.Context, _ *viewer, view *assetPageView, _ time.Time) error {
	if h.d.Incidents == nil {
		return nil
	}
	open, err := h.d.Incidents.List(ctx, "open", 0)
	if err != nil {
		return fmt.Errorf("open incidents: %w", err)
	}
	// An incident reaches the asset when the asset depends on one of its
	// roots: a walk up from the asset, which stays small, rather than the
	// incident's whole scope, which a datacenter makes huge.
	g := h.d.Inventory.Graph()
	for _, inc := range open {
		for _, root := range inc.RootAssets {
			if root == view.Asset.Name || g.PathTo([]string{view.Asset.Name}, root) != nil {
				view.Incidents = append(view.Incidents, inc)
				break
			}
		}
	}
	return nil
}

// assetTicketsMax is how many of an asset's tickets its page lists.
const assetTicketsMax = 20

// assetTickets lists the newest tickets about the asset.
func (h *inventoryPages) assetTickets(ctx context.Context, _ *viewer, view *assetPageView, _ time.Time) error {
	if h.d.Support == nil {
		return nil
	}
	list, err := h.d.Support.List(ctx, support.Filter{Asset: view.Asset.Name, Limit: assetTicketsMax})
	if err != nil {
		return fmt.Errorf("tickets about %s: %w", view.Asset.Name, err)
	}
	view.Tickets = list
	return nil
}
