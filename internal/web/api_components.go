package web

import (
	"net/http"

	"github.com/vigie/vigie/internal/inventory"
)

// componentEntry is a public component as the staff API lists it: with its
// id, which its name gives.
type componentEntry struct {
	ID        string              `json:"id"`
	Component inventory.Component `json:"component"`
}

func (h *api) listComponents(w http.ResponseWriter, r *http.Request) {
	list, err := h.inv.Components(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]componentEntry, len(list))
	for i, c := range list {
		out[i] = componentEntry{ID: c.ID(), Component: c}
	}
	writeJSON(w, http.StatusOK, map[string]any{"components": out})
}

// showComponent answers with the component and the names of the assets it
// covers: staff may see them, the public page never does.
func (h *api) showComponent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := h.inv.Component(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	covered, err := h.inv.CoveredAssets(r.Context(), c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "component": c, "covered": covered})
}

func (h *api) createComponent(w http.ResponseWriter, r *http.Request) {
	h.saveComponent(w, r, inventory.Create, http.StatusCreated)
}

func (h *api) updateComponent(w http.ResponseWriter, r *http.Request) {
	h.saveComponent(w, r, inventory.Update, http.StatusOK)
}

func (h *api) saveComponent(w http.ResponseWriter, r *http.Request, mode inventory.Mode, status int) {
	var c inventory.Component
	if err := decodeJSON(w, r, &c); err != nil {
		h.fail(w, r, err)
		return
	}
	// The id comes from the name: a name giving another id would be
	// another component, which PUT cannot make.
	if id := r.PathValue("id"); id != "" && c.Name != "" && c.ID() != id {
		h.fail(w, r, badRequest("name %q gives the id %q, not %q as in the URL: a new name with a new id is a new component", c.Name, c.ID(), id))
		return
	}
	saved, err := h.inv.SaveComponent(r.Context(), c, mode)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, componentEntry{ID: saved.ID(), Component: saved})
}

func (h *api) deleteComponent(w http.ResponseWriter, r *http.Request) {
	if err := h.inv.DeleteComponent(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
