package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

func incidentID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, badRequest("incident id: want a number, got %q", r.PathValue("id"))
	}
	return id, nil
}

func (h *api) listIncidents(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	if status != "" && status != "open" && status != "resolved" && status != "all" {
		h.fail(w, r, badRequest("status: want open, resolved or all, got %q", status))
		return
	}
	list, err := h.incidents.List(r.Context(), status, 0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	views := make([]incidentView, len(list))
	for i := range list {
		views[i] = viewIncident(list[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": views})
}

// incidentView is an incident as the API shows it, with what is derived:
// whether a customer told us before Vigie detected it.
type incidentView struct {
	incident.Incident
	CustomerFirst bool `json:"customer_first"`
}

func viewIncident(inc incident.Incident) incidentView {
	return incidentView{Incident: inc, CustomerFirst: inc.CustomerFirst()}
}

func (h *api) showIncident(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	inc, err := h.incidents.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	events, err := h.incidents.Events(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": viewIncident(inc), "timeline": events})
}

// addIncidentEvent appends a staff note to an incident's timeline.
func (h *api) addIncidentEvent(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body noteForm
	if err := decodeJSON(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.Text == "" || len(body.Text) > 10000 {
		h.fail(w, r, badRequest("text: required, at most 10,000 characters"))
		return
	}
	if _, err := h.incidents.Get(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	user, _ := UserFrom(r.Context())
	e := incident.Event{IncidentID: id, At: time.Now(), Type: incident.EventNote, Public: body.Public, Author: user.Email, Text: body.Text}
	if err := h.incidents.AddEvent(r.Context(), &e); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

// noteForm is the body of a staff note on an incident's timeline.
type noteForm struct {
	Text   string `json:"text"`
	Public bool   `json:"public"`
}
