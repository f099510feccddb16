package incident

import (
	"context"
	"fmt"
	"time"
)

// DedupRetention is how long the dedup row of a resolved alert is kept
// after its last delivery: longer than Alertmanager's default
// --data.retention of 120h, so that any late or repeated delivery it may
// still send is recognised.
const DedupRetention = 7 * 24 * time.Hour

// Retain deletes the dedup rows of resolved alerts last seen before before,
// and returns how many it deleted. Firing alerts are kept whatever their
// age: forgetting one would count its next resend as a new alert.
func (s *DedupStore) Retain(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM alert_dedup WHERE firing = $1 AND seen_at < $2`,
		false, before.UTC().Truncate(time.Microsecond))
	if err != nil {
		return 0, fmt.Errorf("retain alert dedup: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("retain alert dedup: %w", err)
	}
	return n, nil
}
