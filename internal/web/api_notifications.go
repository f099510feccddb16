package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/vigie/vigie/internal/notify"
)

// notificationFilter reads the filter of the notification routes.
func notificationFilter(q url.Values) (notify.ListFilter, error) {
	f := notify.ListFilter{State: notify.State(q.Get("state")), Channel: q.Get("channel")}
	if s := q.Get("incident"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return f, badRequest("incident: want an incident id, got %q", s)
		}
		f.IncidentID = n
	}
	if s := q.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return f, badRequest("after: want a notification id, got %q", s)
		}
		f.AfterID = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return f, badRequest("limit: want a number from 1 to 1000, got %q", s)
		}
		f.Limit = n
	}
	return f, nil
}

func (h *api) listNotifications(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOn(w, r) {
		return
	}
	f, err := notificationFilter(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := h.notify.Messages(r.Context(), f)
	if err != nil {
		h.fail(w, r, notifyError(err))
		return
	}
	if list == nil {
		list = []notify.Message{}
	}
	limit := f.Limit
	if limit == 0 {
		limit = notify.DefaultListLimit
	}
	next := ""
	if len(list) == limit {
		next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": list, "next": next})
}

func (h *api) resendNotification(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOn(w, r) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		h.fail(w, r, &Error{Status: http.StatusNotFound, Message: "notification " + strconv.Quote(r.PathValue("id")) + " not found"})
		return
	}
	m, err := h.notify.Resend(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (h *api) resendNotifications(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOn(w, r) {
		return
	}
	f, err := notificationFilter(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.notify.ResendAll(r.Context(), f)
	if err != nil {
		h.fail(w, r, notifyError(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"resent": n})
}
