package web

import (
	"net/http"
	"strconv"

	"github.com/vigie/vigie/internal/inventory"
)

func parseLimit(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > inventory.MaxPage {
		return 0, badRequest("limit: want a number from 1 to %d, got %q", inventory.MaxPage, s)
	}
	return n, nil
}

func effectiveLimit(n int) int {
	if n == 0 {
		return inventory.DefaultPage
	}
	return n
}

func (s *Server) listAssets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := parseLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.inv.Assets(r.Context(), inventory.AssetFilter{
		Kind: q.Get("kind"), Owner: q.Get("owner"), Prefix: q.Get("prefix"), Label: q.Get("label"),
		After: q.Get("after"), Limit: limit})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	next := ""
	if len(page) > 0 && len(page) == effectiveLimit(limit) {
		next = page[len(page)-1].Name
	}
	writeJSON(w, http.StatusOK, map[string]any{"assets": page, "next": next})
}

func (s *Server) showAsset(w http.ResponseWriter, r *http.Request) {
	a, err := s.inv.Asset(r.Context(), r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) createAsset(w http.ResponseWriter, r *http.Request) {
	s.saveAsset(w, r, inventory.Create, http.StatusCreated)
}

func (s *Server) updateAsset(w http.ResponseWriter, r *http.Request) {
	s.saveAsset(w, r, inventory.Update, http.StatusOK)
}

func (s *Server) saveAsset(w http.ResponseWriter, r *http.Request, mode inventory.Mode, status int) {
	var a inventory.Asset
	if err := decodeJSON(w, r, &a); err != nil {
		s.writeError(w, r, err)
		return
	}
	if name := r.PathValue("name"); name != "" {
		if a.Name != "" && a.Name != name {
			s.writeError(w, r, badRequest("name %q in the body differs from %q in the URL", a.Name, name))
			return
		}
		a.Name = name
	}
	saved, err := s.inv.SaveAsset(r.Context(), a, mode)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, saved)
}

func (s *Server) deleteAsset(w http.ResponseWriter, r *http.Request) {
	if err := s.inv.DeleteAsset(r.Context(), r.PathValue("name")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) showImpact(w http.ResponseWriter, r *http.Request) {
	imp, err := s.inv.Impact(r.Context(), r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, imp)
}
