package web

import (
	"net/http"

	"github.com/vigie/vigie/internal/inventory"
)

func (h *api) listCustomers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := parseLimit(q.Get("limit"), inventory.MaxPage)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := h.inv.Customers(r.Context(), inventory.CustomerFilter{
		Prefix: q.Get("prefix"), After: q.Get("after"), Limit: limit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	next := ""
	if len(page) > 0 && len(page) == effectiveLimit(limit) {
		next = page[len(page)-1].ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"customers": page, "next": next})
}

func (h *api) showCustomer(w http.ResponseWriter, r *http.Request) {
	c, err := h.inv.Customer(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (h *api) createCustomer(w http.ResponseWriter, r *http.Request) {
	h.saveCustomer(w, r, inventory.Create, http.StatusCreated)
}

func (h *api) updateCustomer(w http.ResponseWriter, r *http.Request) {
	h.saveCustomer(w, r, inventory.Update, http.StatusOK)
}

func (h *api) saveCustomer(w http.ResponseWriter, r *http.Request, mode inventory.Mode, status int) {
	var c inventory.Customer
	if err := decodeJSON(w, r, &c); err != nil {
		h.fail(w, r, err)
		return
	}
	if id := r.PathValue("id"); id != "" {
		if c.ID != "" && c.ID != id {
			h.fail(w, r, badRequest("id %q in the body differs from %q in the URL", c.ID, id))
			return
		}
		c.ID = id
	}
	saved, err := h.inv.SaveCustomer(r.Context(), c, mode)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, saved)
}

func (h *api) deleteCustomer(w http.ResponseWriter, r *http.Request) {
	if err := h.inv.DeleteCustomer(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
