package web

import (
	"net/http"
	"time"
)

// showDigest tells a staff member what happened since they last looked
// (?since=, default a day ago): incidents opened and resolved, signals,
// maintenance started and ended, and post-mortems still pending, with times
// in their zone (?tz=, default the user's own zone) — staff in Montreal
// read the Paris night over breakfast.
func (h *api) showDigest(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	zone := q.Get("tz")
	if user, ok := UserFrom(r.Context()); zone == "" && ok && user.Timezone != "" {
		zone = user.Timezone
	}
	if zone == "" {
		zone = defaultZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		h.fail(w, r, badRequest("tz: unknown time zone %q", zone))
		return
	}
	now := h.now()
	since, err := parseTime("since", q.Get("since"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if since.IsZero() {
		since = now.Add(-24 * time.Hour)
	}
	if !since.Before(now) {
		h.fail(w, r, badRequest("since: want a time in the past, got %s", since.Format(time.RFC3339)))
		return
	}
	digest, err := h.digest.Digest(r.Context(), since, now, loc)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, digest)
}
