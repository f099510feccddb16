package web

import (
	"context"
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
	e, err := addNote(r.Context(), h.incidents, id, author(r), body, h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

// addNote appends a staff note by author to the timeline of incident id,
// public or internal; the API and the console share it.
func addNote(ctx context.Context, st *incident.Store, id int64, author string, body noteForm, now time.Time) (incident.Event, error) {
	if body.Text == "" || len(body.Text) > 10000 {
		return incident.Event{}, badRequest("text: required, at most 10,000 characters")
	}
	if _, err := st.Get(ctx, id); err != nil {
		return incident.Event{}, err
	}
	e := incident.Event{IncidentID: id, At: now, Type: incident.EventNote, Public: body.Public, Author: author, Text: body.Text}
	if err := st.AddEvent(ctx, &e); err != nil {
		return incident.Event{}, err
	}
	return e, nil
}

// noteForm is the body of a staff note on an incident's timeline.
type noteForm struct {
	Text   string `json:"text"`
	Public bool   `json:"public"`
}
