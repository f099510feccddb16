package incident

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

// DigestEntry is one line of a digest, its time in the reader's zone.
type DigestEntry struct {
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"`
	Text       string    `json:"text"`
	IncidentID int64     `json:"incident_id,omitempty"`
}

// The kinds of digest entries.
const (
	DigestIncidentOpened     = "incident-opened"
	DigestIncidentResolved   = "incident-resolved"
	DigestMaintenanceStarted = "maintenance-started"
	DigestMaintenanceEnded   = "maintenance-ended"
)

// PendingPostMortem names an incident whose post-mortem is still to write.
type PendingPostMortem struct {
	IncidentID int64  `json:"incident_id"`
	Title      string `json:"title"`
}

// Digest is what happened in a period, for a staff member coming back:
// incidents opened and resolved, maintenance started and ended, signals by
// kind, and the post-mortems still to write.
type Digest struct {
	Since   time.Time      `json:"since"`
	Until   time.Time      `json:"until"`
	Zone    string         `json:"zone"`
	Events  []DigestEntry  `json:"events"`
	Signals map[string]int `json:"signals"`
	// PostMortems lists the incidents that need a post-mortem not yet
	// published, whenever they happened.
	PostMortems []PendingPostMortem `json:"postmortems_to_write"`
}

// DigestSources are the stores a digest reads; Maintenance, PostMortems
// and Signals may be nil.
type DigestSources struct {
	Incidents   *Store
	Maintenance *MaintenanceStore
	PostMortems *PostMortemStore
	Signals     *detect.Store
}

// Digest returns what happened in [since, until), times shown in zone.
// Only the incidents opened or resolved in the period are read.
func (d DigestSources) Digest(ctx context.Context, since, until time.Time, zone *time.Location) (Digest, error) {
	out := Digest{Since: since.In(zone), Until: until.In(zone), Zone: zone.String(),
		Events: []DigestEntry{}, Signals: map[string]int{}, PostMortems: []PendingPostMortem{}}
	add := func(t time.Time, e DigestEntry) {
		e.At = t.In(zone)
		out.Events = append(out.Events, e)
	}
	in := func(t time.Time) bool { return !t.Before(since) && t.Before(until) }
	incidents, err := d.Incidents.Between(ctx, since, until)
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	for _, inc := range incidents {
		if in(inc.DetectedAt) {
			add(inc.DetectedAt, DigestEntry{Kind: DigestIncidentOpened, IncidentID: inc.ID, Text: string(inc.Severity) + ": " + inc.Title})
		}
		if inc.ResolvedAt != nil && in(*inc.ResolvedAt) {
			add(*inc.ResolvedAt, DigestEntry{Kind: DigestIncidentResolved, IncidentID: inc.ID, Text: inc.Title})
		}
	}
	if d.Maintenance != nil {
		windows, err := d.Maintenance.List(ctx)
		if err != nil {
			return Digest{}, fmt.Errorf("digest: %w", err)
		}
		for _, win := range windows {
			start, end, ok := win.Occurrence(since)
			if !ok {
				continue
			}
			if in(start) {
				add(start, DigestEntry{Kind: DigestMaintenanceStarted, Text: win.Title})
			}
			if in(end) {
				add(end, DigestEntry{Kind: DigestMaintenanceEnded, Text: win.Title})
			}
		}
	}
	if d.PostMortems != nil {
		pending, err := d.PostMortems.Pending(ctx)
		if err != nil {
			return Digest{}, fmt.Errorf("digest: %w", err)
		}
		for _, p := range pending {
			out.PostMortems = append(out.PostMortems, PendingPostMortem{IncidentID: p.ID, Title: p.Title})
		}
	}
	if d.Signals != nil {
		counts, err := d.Signals.CountSignals(ctx, since, until)
		if err != nil {
			return Digest{}, fmt.Errorf("digest: %w", err)
		}
		for kind, n := range counts {
			out.Signals[string(kind)] = n
		}
	}
	slices.SortStableFunc(out.Events, func(a, b DigestEntry) int { return a.At.Compare(b.At) })
	return out, nil
}

// Between returns the incidents detected or resolved in [since, until),
// oldest first.
func (s *Store) Between(ctx context.Context, since, until time.Time) ([]Incident, error) {
	list, err := s.query(ctx, `SELECT `+incidentColumns+` FROM incidents
		WHERE (detected_at >= $1 AND detected_at < $2) OR (resolved_at >= $1 AND resolved_at < $2)
		ORDER BY id`, ts(since), ts(until))
	if err != nil {
		return nil, fmt.Errorf("incidents between %s and %s: %w", since.Format(time.RFC3339), until.Format(time.RFC3339), err)
	}
	return list, nil
}
