package web

import (
	"net/http"

	"github.com/vigie/vigie/internal/inventory"
)

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := parseLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.inv.Customers(r.Context(), inventory.CustomerFilter{
		Prefix: q.Get("prefix"), After: q.Get("after"), Limit: limit})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	next := ""
	if len(page) > 0 && len(page) == effectiveLimit(limit) {
		next = page[len(page)-1].ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"customers": page, "next": next})
}

func (s *Server) showCustomer(w http.ResponseWriter, r *http.Request) {
	c, err := s.inv.Customer(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) {
	s.saveCustomer(w, r, inventory.Create, http.StatusCreated)
}

func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) {
	s.saveCustomer(w, r, inventory.Update, http.StatusOK)
}

func (s *Server) saveCustomer(w http.ResponseWriter, r *http.Request, mode inventory.Mode, status int) {
	var c inventory.Customer
	if err := decodeJSON(w, r, &c); err != nil {
		s.writeError(w, r, err)
		return
	}
	if id := r.PathValue("id"); id != "" {
		if c.ID != "" && c.ID != id {
			s.writeError(w, r, badRequest("id %q in the body differs from %q in the URL", c.ID, id))
			return
		}
		c.ID = id
	}
	saved, err := s.inv.SaveCustomer(r.Context(), c, mode)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, saved)
}

func (s *Server) deleteCustomer(w http.ResponseWriter, r *http.Request) {
	if err := s.inv.DeleteCustomer(r.Context(), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
