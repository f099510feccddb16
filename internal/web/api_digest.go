package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/incident"
)

// digestEntry is one line of a digest, its time in the reader's zone.
type digestEntry struct {
	when time.Time
	At   string `json:"at"`
	Kind string `json:"kind"`
	Text string `json:"text"`
	ID   int64  `json:"incident_id,omitempty"`
}

// showDigest tells a staff member what happened since they last looked:
// incidents opened and resolved, signals, maintenance started and ended,
// and post-mortems still pending, with times in their zone (?tz=, default
// the user's own zone) — staff in Montreal read the Paris night over breakfast.
func (s *Server) showDigest(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	entries := []digestEntry{}
	zone := q.Get("tz")
	if user, ok := UserFrom(r.Context()); zone == "" && ok && user.Timezone != "" {
		zone = user.Timezone
	}
	if zone == "" {
		zone = "Europe/Paris"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		s.writeError(w, r, badRequest("tz: unknown time zone %q", zone))
		return
	}
	now := time.Now()
	since, err := parseTime("since", q.Get("since"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if since.IsZero() {
		since = now.Add(-24 * time.Hour)
	}
	at := func(t time.Time) string { return t.In(loc).Format(time.RFC3339) }
	add := func(t time.Time, e digestEntry) {
		e.when, e.At = t, at(t)
		entries = append(entries, e)
	}
	all, err := s.incidents.List(r.Context(), "all", 0)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var pending []incident.Incident
	for _, inc := range all {
		if !inc.DetectedAt.Before(since) {
			add(inc.DetectedAt, digestEntry{Kind: "incident-opened", ID: inc.ID, Text: string(inc.Severity) + ": " + inc.Title})
		}
		if inc.ResolvedAt != nil && !inc.ResolvedAt.Before(since) {
			add(*inc.ResolvedAt, digestEntry{Kind: "incident-resolved", ID: inc.ID, Text: inc.Title})
		}
		if s.postmortems == nil && incident.Required(&inc) && inc.Status == incident.Resolved {
			pending = append(pending, inc)
		}
	}
	if s.maintenance != nil {
		windows, err := s.maintenance.List(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, win := range windows {
			start, end, ok := win.Occurrence(since)
			if !ok {
				continue
			}
			if !start.Before(since) && !start.After(now) {
				add(start, digestEntry{Kind: "maintenance-started", Text: win.Title})
			}
			if !end.Before(since) && !end.After(now) {
				add(end, digestEntry{Kind: "maintenance-ended", Text: win.Title})
			}
		}
	}
	if s.postmortems != nil {
		if pending, err = s.postmortems.Pending(r.Context()); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	signals, err := s.detection.Signals(r.Context(), detect.SignalFilter{Since: since, Limit: 1000})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	counts := map[string]int{}
	for _, sg := range signals {
		counts[string(sg.Kind)]++
	}
	type pendingJSON struct {
		ID    int64  `json:"incident_id"`
		Title string `json:"title"`
	}
	pend := make([]pendingJSON, len(pending))
	for i, p := range pending {
		pend[i] = pendingJSON{p.ID, p.Title}
	}
	sortDigest(entries)
	writeJSON(w, http.StatusOK, map[string]any{
		"since": at(since), "until": at(now), "zone": zone,
		"events": entries, "signals": counts, "postmortems_to_write": pend,
	})
}

func sortDigest(es []digestEntry) {
	slices.SortStableFunc(es, func(a, b digestEntry) int { return a.when.Compare(b.when) })
}
