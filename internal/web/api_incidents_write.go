package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
)

// statsWindow is the default period of the incident figures.
const statsWindow = 90 * 24 * time.Hour

// incidentWriteHandlers returns the staff actions on incidents by route:
// opening one by hand, editing one, and the response figures. graph gives
// the current inventory graph; writeErr answers with an error.
func incidentWriteHandlers(st *incident.Store, graph func() *inventory.Graph, now func() time.Time,
	writeErr func(http.ResponseWriter, *http.Request, error)) map[string]http.HandlerFunc {
	h := &incidentWriter{store: st, graph: graph, now: now, writeErr: writeErr}
	return map[string]http.HandlerFunc{
		"POST /api/v1/incidents":       h.openIncident,
		"PATCH /api/v1/incidents/{id}": h.editIncident,
		"GET /api/v1/incidents/stats":  h.showIncidentStats,
	}
}

type incidentWriter struct {
	store    *incident.Store
	graph    func() *inventory.Graph
	now      func() time.Time
	writeErr func(http.ResponseWriter, *http.Request, error)
}

// fail answers with err, turning a refused change into a 422 naming the field.
func (h *incidentWriter) fail(w http.ResponseWriter, r *http.Request, err error) {
	var edit *incident.EditError
	if errors.As(err, &edit) {
		err = &Error{Status: http.StatusUnprocessableEntity, Message: "invalid input", Err: err,
			Details: map[string]any{"fields": []map[string]string{{"field": edit.Field, "message": edit.Message}}}}
	}
	h.writeErr(w, r, err)
}

func author(r *http.Request) string {
	user, _ := UserFrom(r.Context())
	return user.Email
}

// openIncident opens an incident by hand on root assets.
func (h *incidentWriter) openIncident(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RootAssets []string          `json:"root_assets"`
		Title      string            `json:"title"`
		Severity   incident.Severity `json:"severity"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	inc, err := incident.OpenManual(r.Context(), h.store, h.graph(), body.RootAssets, body.Title, body.Severity, author(r), h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, inc)
}

// editIncident applies a staff change: status, roles, severity and the rest.
func (h *incidentWriter) editIncident(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var req struct {
		incident.EditRequest
		// RootAssets, when given, sets the incident's scope by hand.
		RootAssets *[]string `json:"root_assets,omitempty"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	if req.RootAssets != nil {
		if _, err := incident.EditScope(r.Context(), h.store, h.graph(), id, *req.RootAssets, author(r), h.now()); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	inc, err := incident.Edit(r.Context(), h.store, id, req.EditRequest, author(r), h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, inc)
}

// showIncidentStats answers the response figures of the incidents opened
// in [from, to), by default the last 90 days.
func (h *incidentWriter) showIncidentStats(w http.ResponseWriter, r *http.Request) {
	to, from := h.now(), time.Time{}
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		at   *time.Time
	}{{"to", &to}, {"from", &from}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			h.fail(w, r, badRequest("%s: want an RFC 3339 time, got %q", p.name, v))
			return
		}
		*p.at = t
	}
	if from.IsZero() {
		from = to.Add(-statsWindow)
	}
	if !from.Before(to) {
		h.fail(w, r, badRequest("from: want a time before to"))
		return
	}
	stats, err := incident.Stats(r.Context(), h.store, from, to)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, stats)
}
