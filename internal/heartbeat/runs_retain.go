package heartbeat

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// RunRetention is how long the runs of a heartbeat check are kept, and
// MaxRuns how many at most per check (a job pinging every minute would
// otherwise keep 130,000). Past either, a run goes, except the check's
// newest ok run: a backup that has failed for four months still shows
// when it last worked.
const (
	RunRetention = 90 * 24 * time.Hour
	MaxRuns      = 400
)

// retainBatch bounds the rows one statement deletes, so that a first
// retention after a long time holds no lock for long.
const retainBatch = 5000

// supersededOK is true of a run that is not its check's newest ok run: it
// failed, or a later ok run exists. r names the run's row.
const supersededOK = `(r.status <> 'ok' OR EXISTS (SELECT 1 FROM heartbeat_runs n
	WHERE n.check_key = r.check_key AND n.status = 'ok' AND (n.at > r.at OR (n.at = r.at AND n.id > r.id))))`

// RetainRuns deletes the runs older than RunRetention before now and
// those past the MaxRuns newest of their check, keeping each check's
// newest ok run, and returns how many it deleted.
func (s *Store) RetainRuns(ctx context.Context, now time.Time) (int64, error) {
	cutoff := timestamp(now.Add(-RunRetention))
	var deleted int64
	for {
		res, err := s.db.ExecContext(ctx, `DELETE FROM heartbeat_runs WHERE id IN (
			SELECT r.id FROM heartbeat_runs r WHERE r.at < $1 AND `+supersededOK+` LIMIT $2)`, cutoff, retainBatch)
		if err != nil {
			return deleted, fmt.Errorf("retain heartbeat runs: %w", s.db.MapError(err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return deleted, fmt.Errorf("retain heartbeat runs: %w", err)
		}
		deleted += n
		if n < retainBatch {
			break
		}
	}
	var full []string
	err := store.Each(ctx, s.db, "retain heartbeat runs",
		`SELECT check_key FROM heartbeat_runs GROUP BY check_key HAVING COUNT(*) > $1`, []any{s.maxRuns},
		func(rows *sql.Rows) error {
			var key string
			if err := rows.Scan(&key); err != nil {
				return err
			}
			full = append(full, key)
			return nil
		})
	if err != nil {
		return deleted, err
	}
	for _, key := range full {
		res, err := s.db.ExecContext(ctx, `DELETE FROM heartbeat_runs WHERE id IN (
			SELECT r.id FROM heartbeat_runs r WHERE r.check_key = $1 AND `+supersededOK+` AND r.id NOT IN (
				SELECT k.id FROM heartbeat_runs k WHERE k.check_key = $1 ORDER BY k.at DESC, k.id DESC LIMIT $2))`,
			key, s.maxRuns)
		if err != nil {
			return deleted, fmt.Errorf("retain heartbeat runs of %s: %w", key, s.db.MapError(err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return deleted, fmt.Errorf("retain heartbeat runs of %s: %w", key, err)
		}
		deleted += n
	}
	return deleted, nil
}
