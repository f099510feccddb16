package web

import (
	"context"
	"net/http"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
)

// checksQuery is what GET /api/v1/checks takes.
var checksQuery = append([]string{
	"asset: only this asset's",
	"kind: only this kind",
	"location: only those that run there (naming it, or naming no location)",
	"effective: true for every check, defaults of kinds included",
}, pageDocs(defaultListLimit, maxListLimit)...)

// listChecks answers the declared or effective checks by asset then name,
// a page at a time, or all of them streamed; a page derives the effective
// checks of its own assets only.
func (h *api) listChecks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	effective, err := parseBool("effective", q.Get("effective"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := parsePage(q, "checks", 2, defaultListLimit, maxListLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := inventory.CheckPage{Asset: q.Get("asset"), Kind: q.Get("kind"), Location: q.Get("location"), Effective: effective}
	servePage(h, w, r, "checks", p, func(ctx context.Context, cursor []string, limit int) ([]check.Check, []string, error) {
		f.After, f.Limit = check.Key{}, limit
		if cursor != nil {
			f.After = check.Key{Asset: cursor[0], Name: cursor[1]}
		}
		list, more, err := h.inv.ChecksPage(ctx, f)
		if err != nil || !more {
			return list, nil, err
		}
		last := list[len(list)-1].ID()
		return list, []string{last.Asset, last.Name}, nil
	})
}

func (h *api) showCheck(w http.ResponseWriter, r *http.Request) {
	list, err := h.inv.Checks(r.Context(), inventory.CheckFilter{Asset: r.PathValue("asset")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, c := range list {
		if c.ID() == pathCheckKey(r) {
			writeJSON(w, http.StatusOK, c)
			return
		}
	}
	h.fail(w, r, &Error{Status: http.StatusNotFound, Message: "check " + pathCheckKey(r).String() + " not found"})
}

func (h *api) createCheck(w http.ResponseWriter, r *http.Request) {
	h.saveCheck(w, r, inventory.Create, http.StatusCreated)
}

func (h *api) updateCheck(w http.ResponseWriter, r *http.Request) {
	h.saveCheck(w, r, inventory.Update, http.StatusOK)
}

func (h *api) saveCheck(w http.ResponseWriter, r *http.Request, mode inventory.Mode, status int) {
	var c check.Check
	if err := decodeJSON(w, r, &c); err != nil {
		h.fail(w, r, err)
		return
	}
	if asset := r.PathValue("asset"); asset != "" {
		name := r.PathValue("name")
		if (c.Asset != "" && c.Asset != asset) || (c.Name != "" && c.Name != name) {
			h.fail(w, r, badRequest("asset and name in the body differ from the URL's %s/%s", asset, name))
			return
		}
		c.Asset = asset
		if name != string(c.Kind) {
			c.Name = name
		}
	}
	saved, err := h.inv.SaveCheck(r.Context(), c, mode)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, saved)
}

func (h *api) deleteCheck(w http.ResponseWriter, r *http.Request) {
	if err := h.inv.DeleteCheck(r.Context(), r.PathValue("asset"), r.PathValue("name")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// rotateHeartbeatToken gives a heartbeat check a new token, shown once; the
// old one stops working.
func (h *api) rotateHeartbeatToken(w http.ResponseWriter, r *http.Request) {
	asset, name := r.PathValue("asset"), r.PathValue("name")
	list, err := h.inv.Checks(r.Context(), inventory.CheckFilter{Asset: asset, Effective: true})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	key := check.Key{Asset: asset, Name: name}.String()
	found := false
	for _, c := range list {
		if c.Key() == key && c.Kind == check.Heartbeat {
			found = true
		}
	}
	if !found {
		h.fail(w, r, &Error{Status: http.StatusNotFound, Message: "heartbeat check " + key + " not found"})
		return
	}
	if _, _, err := h.heartbeats.Ensure(r.Context(), key); err != nil {
		h.fail(w, r, err)
		return
	}
	token, err := h.heartbeats.Rotate(r.Context(), key)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"check": key, "token": token, "url": "/api/v1/heartbeats/" + token})
}

// pathCheckKey is the check named by the {asset} and {name} of the path.
func pathCheckKey(r *http.Request) check.Key {
	return check.Key{Asset: r.PathValue("asset"), Name: r.PathValue("name")}
}
