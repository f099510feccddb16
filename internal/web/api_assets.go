package web

import (
	"net/http"

	"github.com/vigie/vigie/internal/inventory"
)

func effectiveLimit(n int) int {
	if n == 0 {
		return inventory.DefaultPage
	}
	return n
}

func (h *api) listAssets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := parseLimit(q.Get("limit"), inventory.MaxPage)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := h.inv.Assets(r.Context(), inventory.AssetFilter{
		Kind: q.Get("kind"), Owner: q.Get("owner"), Prefix: q.Get("prefix"), Label: q.Get("label"),
		After: q.Get("after"), Limit: limit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	next := ""
	if len(page) > 0 && len(page) == effectiveLimit(limit) {
		next = page[len(page)-1].Name
	}
	writeJSON(w, http.StatusOK, map[string]any{"assets": page, "next": next})
}

func (h *api) showAsset(w http.ResponseWriter, r *http.Request) {
	a, err := h.inv.Asset(r.Context(), r.PathValue("name"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (h *api) createAsset(w http.ResponseWriter, r *http.Request) {
	h.saveAsset(w, r, inventory.Create, http.StatusCreated)
}

func (h *api) updateAsset(w http.ResponseWriter, r *http.Request) {
	h.saveAsset(w, r, inventory.Update, http.StatusOK)
}

func (h *api) saveAsset(w http.ResponseWriter, r *http.Request, mode inventory.Mode, status int) {
	var a inventory.Asset
	if err := decodeJSON(w, r, &a); err != nil {
		h.fail(w, r, err)
		return
	}
	if name := r.PathValue("name"); name != "" {
		if a.Name != "" && a.Name != name {
			h.fail(w, r, badRequest("name %q in the body differs from %q in the URL", a.Name, name))
			return
		}
		a.Name = name
	}
	saved, err := h.inv.SaveAsset(r.Context(), a, mode)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, saved)
}

func (h *api) deleteAsset(w http.ResponseWriter, r *http.Request) {
	if err := h.inv.DeleteAsset(r.Context(), r.PathValue("name")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *api) showImpact(w http.ResponseWriter, r *http.Request) {
	imp, err := h.inv.Impact(r.Context(), r.PathValue("name"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, imp)
}
