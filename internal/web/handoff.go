package web

import (
	"errors"
	"net/http"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
)

// handOff opens a customer session from a link signed by the host's own
// customer panel (see auth.HandOffs), for that customer only, and lands on
// the link's next path or the customer area. A forged, stale, future-dated
// or replayed link is a 403 page and opens nothing; without a configured
// secret the route does not exist (404).
func (h *accountPages) handOff(w http.ResponseWriter, r *http.Request) {
	if h.d.HandOffs == nil {
		h.failPage(w, r, &Error{Status: http.StatusNotFound, Message: "no such page"})
		return
	}
	ctx, q := r.Context(), r.URL.Query()
	actor := "customer:" + q.Get("customer")
	ho, err := h.d.HandOffs.Check(ctx, q)
	if err == nil {
		if _, err = h.d.Inventory.Customer(ctx, ho.Customer); errors.Is(err, store.ErrNotFound) {
			err = errors.Join(auth.ErrHandOff, err)
		}
	}
	if errors.Is(err, auth.ErrHandOff) {
		h.d.Logger.Info("hand-off refused", "customer", q.Get("customer"), "err", err)
		h.auditAs(r, actor, "hand-off", "", false, err.Error())
		w.Header().Set("Cache-Control", "no-store")
		h.renderPage(w, r, http.StatusForbidden, "account_handoff", h.title(r, "AccountHandOffTitle"), nil)
		return
	}
	if err == nil {
		err = h.startSession(w, r, auth.SubjectCustomer, ho.Customer, auth.LevelHandOff)
	}
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	h.auditAs(r, actor, "hand-off", "", true, "session opened from the host's panel")
	http.Redirect(w, r, orAccount(ho.Next), http.StatusSeeOther)
}
