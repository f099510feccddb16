package support

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
)

// Stats are support's figures: the tickets by status now, and over a
// period the tickets opened, the customers who followed a known incident
// instead of writing (deflections) or wrote anyway, and the incidents a
// customer told us of before Vigie saw them (the team wants none).
type Stats struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// ByStatus counts every ticket by its status now; Unassigned the open
	// and waiting ones no one took.
	ByStatus   map[Status]int `json:"by_status"`
	Unassigned int            `json:"unassigned"`
	// Opened counts the tickets opened in the period, Linked those of them
	// linked to an incident.
	Opened int `json:"opened"`
	Linked int `json:"linked"`
	// Deflections counts the customers who followed a known incident or
	// maintenance instead of writing; SentAnyway those who wrote although
	// shown one.
	Deflections int `json:"deflections"`
	SentAnyway  int `json:"sent_anyway"`
	// CustomerFirst counts the incidents detected in the period that a
	// customer reported before they were detected.
	CustomerFirst int `json:"customer_first"`
}

// Stats returns the figures over [from, to).
func (s *Store) Stats(ctx context.Context, from, to time.Time) (Stats, error) {
	if !from.Before(to) {
		return Stats{}, invalid("to", "want a time after from")
	}
	out := Stats{From: from.UTC(), To: to.UTC(), ByStatus: map[Status]int{}}
	for _, st := range Statuses {
		out.ByStatus[st] = 0
	}
	err := store.Each(ctx, s.db, "tickets by status", `SELECT status, assignee = '', COUNT(*) FROM tickets
		GROUP BY status, assignee = ''`, nil, func(rows *sql.Rows) error {
		var st Status
		var none bool
		var n int
		if err := rows.Scan(&st, &none, &n); err != nil {
			return err
		}
		out.ByStatus[st] += n
		if none && st.Live() {
			out.Unassigned += n
		}
		return nil
	})
	if err != nil {
		return Stats{}, err
	}
	f, t := ts(from), ts(to)
	counts := []struct {
		dst   *int
		query string
		args  []any
	}{
		{&out.Opened, `SELECT COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2`, []any{f, t}},
		{&out.Linked, `SELECT COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2
			AND id IN (SELECT ticket_id FROM ticket_incidents)`, []any{f, t}},
		{&out.Deflections, `SELECT COUNT(*) FROM support_deflections WHERE outcome = $3 AND at >= $1 AND at < $2`, []any{f, t, Followed}},
		{&out.SentAnyway, `SELECT COUNT(*) FROM support_deflections WHERE outcome = $3 AND at >= $1 AND at < $2`, []any{f, t, SentAnyway}},
	}
	for _, c := range counts {
		if err := s.db.QueryRowContext(ctx, c.query, c.args...).Scan(c.dst); err != nil {
			return Stats{}, fmt.Errorf("support stats: %w", err)
		}
	}
	inc, err := incident.Stats(ctx, s.o.Incidents, from, to)
	if err != nil {
		return Stats{}, err
	}
	out.CustomerFirst = inc.CustomerFirst
	return out, nil
}

// Deflections counts every deflection step's outcome so far: followed and
// sent anyway.
func (s *Store) Deflections(ctx context.Context) (followed, sent int, err error) {
	err = store.Each(ctx, s.db, "count deflections", `SELECT outcome, COUNT(*) FROM support_deflections GROUP BY outcome`, nil,
		func(rows *sql.Rows) error {
			var o string
			var n int
			if err := rows.Scan(&o, &n); err != nil {
				return err
			}
			if o == Followed {
				followed = n
			} else {
				sent = n
			}
			return nil
		})
	return followed, sent, err
}
