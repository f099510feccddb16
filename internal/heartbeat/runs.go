package heartbeat

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// MaxRestorePoints is how many restore points Summary returns, newest
// first.
const MaxRestorePoints = 30

// Run is one ping of a heartbeat check as kept in its history: for a
// backup, one run of the backup job.
type Run struct {
	At       time.Time `json:"at"`
	Status   string    `json:"status"`
	Size     *int64    `json:"size,omitempty"`
	Duration *Duration `json:"duration,omitempty"`
	// RestorePoint is the id the backup tool gave the copy; "" when the
	// job named none.
	RestorePoint string `json:"restore_point,omitempty"`
	Message      string `json:"message,omitempty"`
}

// Summary is what the history of a backup check tells its customer: the
// newest ok run, the newest failed one, and the ok runs that name a
// restore point, newest first (at most MaxRestorePoints). Nil runs were
// not received (or are past retention).
type Summary struct {
	LastGood      *Run  `json:"last_good,omitempty"`
	LastFailure   *Run  `json:"last_failure,omitempty"`
	RestorePoints []Run `json:"restore_points"`
}

// addRun appends a ping to the history of checkKey, in the transaction
// that records it as the last one.
func addRun(ctx context.Context, tx *sql.Tx, checkKey string, at time.Time, p Ping, durationMS *int64) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO heartbeat_runs (check_key, at, status, size, duration_ms, restore_point, message)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		checkKey, at, p.Status, p.Size, durationMS, p.RestorePoint, p.Message)
	if err != nil {
		return fmt.Errorf("add to the history of %s: %w", checkKey, err)
	}
	return nil
}

// deleteRuns deletes the history of checkKey, with its token.
func deleteRuns(ctx context.Context, tx *sql.Tx, checkKey string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM heartbeat_runs WHERE check_key = $1`, checkKey); err != nil {
		return fmt.Errorf("delete the history of %s: %w", checkKey, err)
	}
	return nil
}

// runColumns are the columns scanRun reads, in its order; newestFirst
// orders runs, the later insertion first between runs of the same time.
const (
	runColumns  = `at, status, size, duration_ms, restore_point, message`
	newestFirst = ` ORDER BY at DESC, id DESC`
)

// scanRun reads one row of runColumns.
func scanRun(row interface{ Scan(...any) error }) (Run, error) {
	var (
		r      Run
		size   sql.NullInt64
		millis sql.NullInt64
	)
	if err := row.Scan(&r.At, &r.Status, &size, &millis, &r.RestorePoint, &r.Message); err != nil {
		return Run{}, err
	}
	r.At = r.At.UTC()
	if size.Valid {
		r.Size = &size.Int64
	}
	if millis.Valid {
		d := Duration(time.Duration(millis.Int64) * time.Millisecond)
		r.Duration = &d
	}
	return r, nil
}

// runs returns the runs of checkKey that match cond (SQL over the
// columns, with $2 onwards for args), newest first, at most limit.
func (s *Store) runs(ctx context.Context, checkKey, cond string, limit int, args ...any) ([]Run, error) {
	q := `SELECT ` + runColumns + ` FROM heartbeat_runs WHERE check_key = $1`
	if cond != "" {
		q += ` AND ` + cond
	}
	q += newestFirst + fmt.Sprintf(` LIMIT %d`, limit)
	rows, err := s.db.QueryContext(ctx, q, append([]any{checkKey}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", checkKey, s.db.MapError(err))
	}
	defer func() { _ = rows.Close() }()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", checkKey, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history of %s: %w", checkKey, err)
	}
	return out, nil
}

// Runs returns the history of a heartbeat check, newest first, at most
// limit runs (limit below 1 reads as 1); a check without history gives
// none and no error.
func (s *Store) Runs(ctx context.Context, checkKey string, limit int) ([]Run, error) {
	return s.runs(ctx, checkKey, "", max(limit, 1))
}

// Summary returns what the history of a heartbeat check tells: see
// Summary. A check without history gives an empty one and no error.
func (s *Store) Summary(ctx context.Context, checkKey string) (Summary, error) {
	sum := Summary{RestorePoints: []Run{}}
	good, err := s.runs(ctx, checkKey, `status = $2`, 1, StatusOK)
	if err != nil {
		return Summary{}, err
	}
	bad, err := s.runs(ctx, checkKey, `status = $2`, 1, StatusFail)
	if err != nil {
		return Summary{}, err
	}
	points, err := s.runs(ctx, checkKey, `status = $2 AND restore_point <> ''`, MaxRestorePoints, StatusOK)
	if err != nil {
		return Summary{}, err
	}
	if len(good) > 0 {
		sum.LastGood = &good[0]
	}
	if len(bad) > 0 {
		sum.LastFailure = &bad[0]
	}
	if points != nil {
		sum.RestorePoints = points
	}
	return sum, nil
}
