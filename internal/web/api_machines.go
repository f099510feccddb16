package web

import (
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/probe"
)

// locationView is a remote probe location as the API shows it.
type locationView struct {
	Name           string     `json:"name"`
	CreatedAt      time.Time  `json:"created_at"`
	RevokedAt      *time.Time `json:"revoked_at"`
	LastSeenAt     *time.Time `json:"last_seen_at"`
	PollInterval   string     `json:"poll_interval,omitempty"`
	RefusedResults int64      `json:"refused_results"`
	// Members are the probe processes serving the location.
	Members []memberView `json:"members"`
}

// memberView is a probe process of a location and its share of the checks.
type memberView struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Alive     bool       `json:"alive"`
	FirstSeen *time.Time `json:"first_seen"`
	LastSeen  *time.Time `json:"last_seen"`
	Heartbeat string     `json:"heartbeat"`
	// Checks is how many checks it runs now; Share that over the
	// location's checks.
	Checks int     `json:"checks"`
	Share  float64 `json:"share"`
}

func viewMembers(list []probe.MemberShare) []memberView {
	out := make([]memberView, len(list))
	for i, m := range list {
		out[i] = memberView{ID: m.ID, Name: m.Name, Alive: m.Alive, FirstSeen: m.FirstSeen, LastSeen: m.LastSeen,
			Heartbeat: m.Heartbeat.String(), Checks: m.Checks, Share: m.Share}
	}
	return out
}

// locationNames are the names of the locations not revoked.
func locationNames(list []probe.Location) []string {
	var out []string
	for _, l := range list {
		if !l.Revoked() {
			out = append(out, l.Name)
		}
	}
	return out
}

func (h *api) listLocations(w http.ResponseWriter, r *http.Request) {
	list, err := h.locations.List(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	shares, err := probe.MemberShares(r.Context(), h.inv, h.members, locationNames(list))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]locationView, len(list))
	for i, l := range list {
		out[i] = locationView{Name: l.Name, CreatedAt: l.CreatedAt, RevokedAt: l.RevokedAt, LastSeenAt: l.LastSeenAt,
			RefusedResults: l.RefusedResults, Members: viewMembers(shares[l.Name])}
		if l.PollInterval > 0 {
			out[i].PollInterval = l.PollInterval.String()
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"locations": out})
}

// createLocation adds a remote probe location and shows its token, once.
func (h *api) createLocation(w http.ResponseWriter, r *http.Request) {
	var body locationForm
	if err := decodeJSON(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := probe.CheckLocationName(body.Name); err != nil {
		h.fail(w, r, fieldError("invalid input", err, []map[string]string{field("name", err.Error())}))
		return
	}
	token, err := h.locations.Add(r.Context(), body.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"location": body.Name, "token": token})
}

// rotateLocation gives a location a new token, shown once; the old one
// stops working at once.
func (h *api) rotateLocation(w http.ResponseWriter, r *http.Request) {
	token, err := h.locations.Rotate(r.Context(), r.PathValue("name"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"location": r.PathValue("name"), "token": token})
}

func (h *api) revokeLocation(w http.ResponseWriter, r *http.Request) {
	if err := h.locations.Revoke(r.Context(), r.PathValue("name")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *api) listAgents(w http.ResponseWriter, r *http.Request) {
	list, err := h.agents.List(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	type agentView struct {
		Asset      string     `json:"asset"`
		CreatedAt  time.Time  `json:"created_at"`
		LastSeenAt *time.Time `json:"last_seen_at"`
	}
	out := make([]agentView, len(list))
	for i, a := range list {
		out[i] = agentView{Asset: a.Asset, CreatedAt: a.CreatedAt, LastSeenAt: a.LastSeenAt}
	}
	writeJSON(w, http.StatusOK, map[string]any{"agents": out})
}

// createAgent makes the agent of an asset and shows its token, once: the
// token reports that asset's facts and nothing else.
func (h *api) createAgent(w http.ResponseWriter, r *http.Request) {
	var body agentForm
	if err := decodeJSON(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	token, err := h.agents.Add(r.Context(), body.Asset)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"asset": body.Asset, "token": token})
}

func (h *api) rotateAgent(w http.ResponseWriter, r *http.Request) {
	token, err := h.agents.Rotate(r.Context(), r.PathValue("asset"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"asset": r.PathValue("asset"), "token": token})
}

func (h *api) removeAgent(w http.ResponseWriter, r *http.Request) {
	if err := h.agents.Remove(r.Context(), r.PathValue("asset")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// locationForm is the body of a new probe location.
type locationForm struct {
	Name string `json:"name"`
}

// agentForm is the body of a new host agent.
type agentForm struct {
	Asset string `json:"asset"`
}
