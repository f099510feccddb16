package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
)

// titleAction renames the incident, through incident.Edit as the API's
// PATCH with a title does.
var titleAction = incAction{"title", "Change the incident's title", func(r *http.Request, _ string) (incident.EditRequest, string, error) {
	t := r.PostFormValue("title")
	return incident.EditRequest{Title: &t}, "title", nil
}}

// incComponentRow is a public component with the status staff set for it
// during the incident ("" for the computed one).
type incComponentRow struct {
	ID, Name, Status string
}

// incComponents lists the public components with the status staff set
// for each during incident id, and those set for components deleted since.
func (h *incPages) incComponents(r *http.Request, id int64) ([]incComponentRow, error) {
	list, err := h.d.Inventory.Components(r.Context())
	if err != nil {
		return nil, err
	}
	set, err := h.d.Incidents.ComponentOverrides(r.Context(), []int64{id})
	if err != nil {
		return nil, err
	}
	status := map[string]string{}
	for _, o := range set[id] {
		status[o.Component] = o.Status
	}
	var out []incComponentRow
	for _, c := range list {
		out = append(out, incComponentRow{ID: c.ID(), Name: c.Name, Status: status[c.ID()]})
		delete(status, c.ID())
	}
	for _, o := range set[id] {
		if _, gone := status[o.Component]; gone {
			out = append(out, incComponentRow{ID: o.Component, Name: o.Component, Status: o.Status})
		}
	}
	return out, nil
}

// setComponent sets, or with auto gives back the computed, public status
// of a component during the incident (as the API's PUT
// …/components/{component}).
func (h *incPages) setComponent(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	component, status := r.PathValue("component"), strings.TrimSpace(r.PostFormValue("status"))
	if status == "" {
		h.refuse(w, r, &incident.EditError{Field: "status", Message: "choose a status, or auto"}, incExtra{})
		return
	}
	// As the API: setting needs a component the inventory declares;
	// giving back the computed status works for one deleted since.
	if status != "auto" && inventory.ComponentID(component) == component {
		if _, err := h.d.Inventory.Component(r.Context(), component); err != nil {
			h.failPage(w, r, err)
			return
		}
	}
	err = h.d.Incidents.SetComponentStatus(r.Context(), id, component, status, viewerOf(r).User.Email, h.d.Now())
	h.after(w, r, id, "component", err)
}

// editUpdate changes the texts of a sent public update (as the API's PUT
// …/updates/{update}); its status stays.
func (h *incPages) editUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	updateID, err := strconv.ParseInt(r.PathValue("update"), 10, 64)
	if err != nil || updateID < 1 {
		h.failPage(w, r, &Error{Status: http.StatusNotFound, Message: "public update " + strconv.Quote(r.PathValue("update")) + " not found"})
		return
	}
	_, err = h.d.Incidents.EditPublicUpdate(r.Context(), id, updateID, r.PostFormValue("message_fr"), r.PostFormValue("message_en"), h.d.Now())
	h.after(w, r, id, "update-edited", err)
}
