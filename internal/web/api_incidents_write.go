package web

import (
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// statsWindow is the default period of the incident figures.
const statsWindow = 90 * 24 * time.Hour

func author(r *http.Request) string {
	user, _ := UserFrom(r.Context())
	return user.Email
}

// openIncident opens an incident by hand on root assets.
func (h *api) openIncident(w http.ResponseWriter, r *http.Request) {
	var body incidentOpenForm
	if err := decodeJSON(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	g, err := h.graph(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	inc, err := incident.OpenManual(r.Context(), h.incidents, g, body.RootAssets, body.Title, body.Severity, author(r), h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, inc)
}

// editIncident applies a staff change: status, roles, severity and the rest.
func (h *api) editIncident(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var req incidentEditForm
	if err := decodeJSON(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	if req.RootAssets != nil {
		g, err := h.graph(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if _, err := incident.EditScope(r.Context(), h.incidents, g, id, *req.RootAssets, author(r), h.now()); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	inc, err := incident.Edit(r.Context(), h.incidents, id, req.EditRequest, author(r), h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, inc)
}

// showIncidentStats answers the response figures of the incidents opened
// in [from, to), by default the last 90 days.
func (h *api) showIncidentStats(w http.ResponseWriter, r *http.Request) {
	from, to, err := statsPeriod(r, h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !from.Before(to) {
		h.fail(w, r, badRequest("from: want a time before to"))
		return
	}
	stats, err := incident.Stats(r.Context(), h.incidents, from, to)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, stats)
}

// incidentOpenForm is the body of an incident opened by hand.
type incidentOpenForm struct {
	RootAssets []string          `json:"root_assets"`
	Title      string            `json:"title"`
	Severity   incident.Severity `json:"severity"`
}

// incidentEditForm is the body of a staff change to an incident.
type incidentEditForm struct {
	incident.EditRequest
	// RootAssets, when given, sets the incident's scope by hand.
	RootAssets *[]string `json:"root_assets,omitempty"`
}
