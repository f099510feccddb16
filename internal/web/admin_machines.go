package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
)

// machinesView is the page of probe locations and host agents.
type machinesView struct {
	Locations []locationRow
	Agents    []agentRow
	// CanChange: the viewer may add, rotate and revoke (PermLocations).
	CanChange bool
	// LocationsOff, AgentsOff: the server keeps no such credentials.
	LocationsOff, AgentsOff bool
	// Hosts are the hypervisors without an agent, suggested in the form.
	Hosts []string
	// Form holds a refused form as sent: its kind (location or agent) and
	// value.
	FormKind, FormValue string
	Done                string
	Problem             *formProblem
}

// locationRow is a probe location and its health.
type locationRow struct {
	Name string
	// Health is ok, silent, never or revoked.
	Health         string
	Created        time.Time
	LastSeen       *time.Time
	Revoked        *time.Time
	Poll           string
	RefusedResults int64
	Path           string
	// Members are the location's probe processes and their shares.
	Members []memberRow
}

// memberRow is a probe process of a location.
type memberRow struct {
	ID, Name string
	Alive    bool
	LastSeen *time.Time
	Checks   int
	// Share is the part of the location's checks it runs, as a percentage.
	Share string
}

// agentRow is a host agent.
type agentRow struct {
	Asset    string
	Created  time.Time
	LastSeen *time.Time
	Path     string
}

func (h *adminPages) showMachines(w http.ResponseWriter, r *http.Request) {
	h.renderMachines(w, r, http.StatusOK, machinesView{Done: adminDone[r.URL.Query().Get("done")]})
}

// renderMachines fills in the locations and agents and shows their page.
func (h *adminPages) renderMachines(w http.ResponseWriter, r *http.Request, code int, view machinesView) {
	v := viewerOf(r)
	ctx, now := r.Context(), h.d.Now()
	view.CanChange = v.Principal.Can(auth.PermLocations)
	view.LocationsOff, view.AgentsOff = h.d.Locations == nil, h.d.Agents == nil
	if h.d.Locations != nil {
		list, err := h.d.Locations.List(ctx)
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		shares, err := probe.MemberShares(ctx, h.d.Inventory, h.d.Members, locationNames(list))
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		for _, l := range list {
			row := viewLocation(l, now)
			for _, m := range shares[l.Name] {
				row.Members = append(row.Members, memberRow{ID: m.ID, Name: m.Name, Alive: m.Alive, LastSeen: m.LastSeen,
					Checks: m.Checks, Share: fmt.Sprintf("%.1f %%", 100*m.Share)})
			}
			view.Locations = append(view.Locations, row)
		}
	}
	if h.d.Agents != nil {
		list, err := h.d.Agents.List(ctx)
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		for _, a := range list {
			view.Agents = append(view.Agents, agentRow{Asset: a.Asset, Created: a.CreatedAt, LastSeen: a.LastSeenAt,
				Path: "/staff/admin/agents/" + url.PathEscape(a.Asset)})
		}
	}
	if view.CanChange && h.d.Agents != nil && h.d.Inventory != nil {
		hosts, err := h.hostsWithoutAgent(r, view.Agents)
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		view.Hosts = hosts
	}
	h.renderPage(w, r, code, "admin_locations", h.text(v.Lang, "ConsoleAdmMachinesTitle"), view)
}

// maxHostHints caps the hypervisors suggested for a new agent.
const maxHostHints = 500

// hostsWithoutAgent are the hypervisors that have no agent yet.
func (h *adminPages) hostsWithoutAgent(r *http.Request, agents []agentRow) ([]string, error) {
	list, err := h.d.Inventory.Assets(r.Context(), inventory.AssetFilter{Kind: "hypervisor", Limit: maxHostHints})
	if err != nil {
		return nil, fmt.Errorf("hypervisors for the agent form: %w", err)
	}
	var out []string
	for _, a := range list {
		if !slices.ContainsFunc(agents, func(g agentRow) bool { return g.Asset == a.Name }) {
			out = append(out, a.Name)
		}
	}
	return out, nil
}

func viewLocation(l probe.Location, now time.Time) locationRow {
	row := locationRow{Name: l.Name, Created: l.CreatedAt, LastSeen: l.LastSeenAt, Revoked: l.RevokedAt,
		RefusedResults: l.RefusedResults, Path: "/staff/admin/locations/" + url.PathEscape(l.Name), Health: "ok"}
	if l.PollInterval > 0 {
		row.Poll = l.PollInterval.String()
	}
	switch {
	case l.Revoked():
		row.Health = "revoked"
	case l.LastSeenAt == nil:
		row.Health = "never"
	case l.SilentAt(now):
		row.Health = "silent"
	}
	return row
}

// machinesFail shows the page again with why a form was refused.
func (h *adminPages) machinesFail(w http.ResponseWriter, r *http.Request, err error, kind, value, fieldName string) {
	h.adminFail(w, r, err, func(status int, p *formProblem) {
		if p.Field == "" {
			p.Field = fieldName
		}
		h.renderMachines(w, r, status, machinesView{FormKind: kind, FormValue: value, Problem: p})
	})
}

// needLocations and needAgents answer 503 when the server keeps no such
// credentials.
func (h *adminPages) needLocations(w http.ResponseWriter, r *http.Request) bool {
	if h.d.Locations == nil {
		h.failPage(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "remote probes are not enabled"})
		return false
	}
	return true
}

func (h *adminPages) needAgents(w http.ResponseWriter, r *http.Request) bool {
	if h.d.Agents == nil {
		h.failPage(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "host agents are not enabled"})
		return false
	}
	return true
}

// addLocation adds a remote probe location, as POST /api/v1/locations
// does, and shows its token once.
func (h *adminPages) addLocation(w http.ResponseWriter, r *http.Request) {
	if !h.needLocations(w, r) {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if err := probe.CheckLocationName(name); err != nil {
		h.machinesFail(w, r, fieldError("invalid input", err, []map[string]string{field("name", err.Error())}), "location", name, "name")
		return
	}
	token, err := h.d.Locations.Add(r.Context(), name)
	if err != nil {
		h.machinesFail(w, r, err, "location", name, "name")
		return
	}
	auditDetail(r, "location "+name+" added")
	h.showSecret(w, r, http.StatusCreated, secretView{Lead: "ConsoleAdmLocationLead", For: name, Secret: token,
		Use: "ConsoleAdmLocationUse", Back: "/staff/admin/locations"})
}

// rotateLocation gives a location a new token, shown once.
func (h *adminPages) rotateLocation(w http.ResponseWriter, r *http.Request) {
	if !h.needLocations(w, r) {
		return
	}
	name := r.PathValue("name")
	token, err := h.d.Locations.Rotate(r.Context(), name)
	if err != nil {
		h.machinesFail(w, r, err, "", "", "")
		return
	}
	h.showSecret(w, r, http.StatusOK, secretView{Lead: "ConsoleAdmLocationRotated", For: name, Secret: token,
		Use: "ConsoleAdmLocationUse", Back: "/staff/admin/locations"})
}

// revokeLocation stops a location's token, as DELETE
// /api/v1/locations/{name} does.
func (h *adminPages) revokeLocation(w http.ResponseWriter, r *http.Request) {
	if !h.needLocations(w, r) {
		return
	}
	if err := h.d.Locations.Revoke(r.Context(), r.PathValue("name")); err != nil {
		h.machinesFail(w, r, err, "", "", "")
		return
	}
	seeOther(w, r, "/staff/admin/locations?done=location-revoked")
}

// addAgent makes the agent of an asset, as POST /api/v1/agents does, and
// shows its token once.
func (h *adminPages) addAgent(w http.ResponseWriter, r *http.Request) {
	if !h.needAgents(w, r) {
		return
	}
	asset := strings.TrimSpace(r.PostFormValue("asset"))
	if asset == "" {
		h.machinesFail(w, r, fieldError("invalid input", nil, []map[string]string{field("asset", h.text(viewerOf(r).Lang, "ConsoleAdmAssetMissing"))}),
			"agent", asset, "asset")
		return
	}
	token, err := h.d.Agents.Add(r.Context(), asset)
	if err != nil {
		h.machinesFail(w, r, err, "agent", asset, "asset")
		return
	}
	auditDetail(r, "agent of "+asset+" added")
	h.showSecret(w, r, http.StatusCreated, secretView{Lead: "ConsoleAdmAgentLead", For: asset, Secret: token,
		Use: "ConsoleAdmAgentUse", Back: "/staff/admin/locations#agents"})
}

// rotateAgent gives an agent a new token, shown once.
func (h *adminPages) rotateAgent(w http.ResponseWriter, r *http.Request) {
	if !h.needAgents(w, r) {
		return
	}
	asset := r.PathValue("asset")
	token, err := h.d.Agents.Rotate(r.Context(), asset)
	if err != nil {
		h.machinesFail(w, r, err, "", "", "")
		return
	}
	h.showSecret(w, r, http.StatusOK, secretView{Lead: "ConsoleAdmAgentRotated", For: asset, Secret: token,
		Use: "ConsoleAdmAgentUse", Back: "/staff/admin/locations#agents"})
}

// removeAgent deletes an agent, as DELETE /api/v1/agents/{asset} does.
func (h *adminPages) removeAgent(w http.ResponseWriter, r *http.Request) {
	if !h.needAgents(w, r) {
		return
	}
	if err := h.d.Agents.Remove(r.Context(), r.PathValue("asset")); err != nil {
		h.machinesFail(w, r, err, "", "", "")
		return
	}
	seeOther(w, r, "/staff/admin/locations?done=agent-removed#agents")
}
