package heartbeat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// OrphanRetention is how long the token of a heartbeat check that no longer
// exists is kept after its last ping (or its creation, when it never had
// one). A check removed by mistake and put back within it keeps its token,
// so its job needs no new URL; a job still pinging keeps it indefinitely.
const OrphanRetention = 90 * 24 * time.Hour

// Retain deletes the tokens, last pings and histories of heartbeat checks
// whose key live does not know and that have had neither a ping nor a new
// token for OrphanRetention before now, and returns how many it deleted.
// live tells whether a key (check.Check.Key) is a current check, such as
// the inventory's effective set answers, so that nothing is listed: a nil
// live is refused, since it would read as "no check exists".
func (s *Store) Retain(ctx context.Context, live func(key string) bool, now time.Time) (int64, error) {
	if live == nil {
		return 0, errors.New("retain heartbeats: no list of live checks")
	}
	cutoff := timestamp(now.Add(-OrphanRetention))
	const idle = `created_at < $1 AND (last_at IS NULL OR last_at < $1)`
	var orphans []string
	err := store.Each(ctx, s.db, "retain heartbeats", `SELECT check_key FROM heartbeats WHERE `+idle, []any{cutoff},
		func(rows *sql.Rows) error {
			var key string
			if err := rows.Scan(&key); err != nil {
				return err
			}
			if !live(key) {
				orphans = append(orphans, key)
			}
			return nil
		})
	if err != nil {
		return 0, err
	}
	var deleted int64
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		for _, key := range orphans {
			// The condition again: a ping since the read keeps the token.
			res, err := tx.ExecContext(ctx, `DELETE FROM heartbeats WHERE check_key = $2 AND `+idle, cutoff, key)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n > 0 {
				if err := deleteRuns(ctx, tx, key); err != nil {
					return err
				}
			}
			deleted += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("retain heartbeats: %w", err)
	}
	return deleted, nil
}
