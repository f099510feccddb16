package web

import (
	"net/http"
	"strconv"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
)

// updateForm is the body of a new public update of an incident.
type updateForm struct {
	Status    incident.Status `json:"status"`
	MessageFR string          `json:"message_fr"`
	MessageEN string          `json:"message_en"`
	// ReplacesEvent, when given, is the opened or status-changed event
	// whose default public text this update replaces.
	ReplacesEvent int64 `json:"replaces_event,omitempty"`
}

// updateEditForm is the body of a change to a public update's texts.
type updateEditForm struct {
	MessageFR string `json:"message_fr"`
	MessageEN string `json:"message_en"`
}

// componentForm is the body of a component's status during an incident.
type componentForm struct {
	// Status is a component status, or "auto" for the computed one.
	Status string `json:"status"`
}

// listUpdates answers the public updates of an incident, oldest first.
func (h *api) listUpdates(w http.ResponseWriter, r *http.Request) {
	id, err := h.existingIncident(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	byIncident, err := h.incidents.PublicUpdates(r.Context(), []int64{id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"updates": nonNil(byIncident[id])})
}

// readUpdate reads the incident id and the body of a public update, the
// one to post or to preview.
func readUpdate(w http.ResponseWriter, r *http.Request) (int64, updateForm, error) {
	var form updateForm
	id, err := incidentID(r)
	if err == nil {
		err = decodeJSON(w, r, &form)
	}
	return id, form, err
}

// addUpdate adds a public update, moving the incident to its status.
func (h *api) addUpdate(w http.ResponseWriter, r *http.Request) {
	id, form, err := readUpdate(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := incident.PublicUpdate{IncidentID: id, Status: form.Status, MessageFR: form.MessageFR, MessageEN: form.MessageEN,
		ReplacesEvent: form.ReplacesEvent, Author: author(r)}
	if err := h.incidents.AddPublicUpdate(r.Context(), &u, h.now()); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

// editUpdate replaces the texts of a public update.
func (h *api) editUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	updateID, err := strconv.ParseInt(r.PathValue("update"), 10, 64)
	if err != nil || updateID < 1 {
		h.fail(w, r, badRequest("update id: want a number, got %q", r.PathValue("update")))
		return
	}
	var form updateEditForm
	if err := decodeJSON(w, r, &form); err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.incidents.EditPublicUpdate(r.Context(), id, updateID, form.MessageFR, form.MessageEN, h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// setComponent sets, or with "auto" removes, a component's status during
// an incident: 200 with the override set, 204 once removed.
func (h *api) setComponent(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var form componentForm
	if err := decodeJSON(w, r, &form); err != nil {
		h.fail(w, r, err)
		return
	}
	component := r.PathValue("component")
	// Setting needs a component the inventory declares; removing works
	// even for one deleted since.
	if form.Status != "" && form.Status != "auto" && inventory.ComponentID(component) == component {
		if _, err := h.inv.Component(r.Context(), component); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if err := h.incidents.SetComponentStatus(r.Context(), id, component, form.Status, author(r), h.now()); err != nil {
		h.fail(w, r, err)
		return
	}
	if form.Status == "" || form.Status == "auto" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, incident.ComponentOverride{IncidentID: id, Component: component, Status: form.Status})
}

// listIncidentComponents answers the component statuses staff set during an
// incident.
func (h *api) listIncidentComponents(w http.ResponseWriter, r *http.Request) {
	id, err := h.existingIncident(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	byIncident, err := h.incidents.ComponentOverrides(r.Context(), []int64{id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"components": nonNil(byIncident[id])})
}

// existingIncident returns the id of the request's incident, not found
// when there is no such incident.
func (h *api) existingIncident(r *http.Request) (int64, error) {
	id, err := incidentID(r)
	if err != nil {
		return 0, err
	}
	if _, err := h.incidents.Get(r.Context(), id); err != nil {
		return 0, err
	}
	return id, nil
}

// nonNil makes an absent list an empty one, so that JSON says [] rather
// than null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
