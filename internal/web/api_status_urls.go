package web

import (
	"net/http"
	"strings"
)

// statusURL is a customer's secret status URL, shown once when issued.
type statusURL struct {
	Customer string `json:"customer"`
	// URL is the customer's own status page; its feeds, calendar and
	// documents are under it (feed.atom, maintenance.ics, api/v2/…).
	URL   string `json:"url"`
	Token string `json:"token"`
}

// issueStatusURL gives a customer a new secret status URL; the previous
// one stops working.
func (h *api) issueStatusURL(w http.ResponseWriter, r *http.Request) {
	if h.statusTokens == nil {
		h.fail(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "the status page is not enabled"})
		return
	}
	id := r.PathValue("id")
	token, err := h.statusTokens.Issue(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, statusURL{Customer: id, Token: token, URL: strings.TrimSuffix(h.publicURL, "/") + "/c/" + token + "/"})
}

// showStatusURL says whether a customer has a secret status URL, never
// the secret.
func (h *api) showStatusURL(w http.ResponseWriter, r *http.Request) {
	if h.statusTokens == nil {
		h.fail(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "the status page is not enabled"})
		return
	}
	info, err := h.statusTokens.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

// revokeStatusURL ends a customer's secret status URL.
func (h *api) revokeStatusURL(w http.ResponseWriter, r *http.Request) {
	if h.statusTokens == nil {
		h.fail(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "the status page is not enabled"})
		return
	}
	if err := h.statusTokens.Revoke(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
