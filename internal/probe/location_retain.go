package probe

import (
	"context"
	"fmt"
	"time"
)

// RevokedTokenRetention is how long a revoked location keeps the hash of its
// last token. Nothing can authenticate with it once revoked; the month only
// lets whoever investigates a leak check a found token against it.
const RevokedTokenRetention = 30 * 24 * time.Hour

// Retain clears the token hash of locations revoked more than
// RevokedTokenRetention before now, and returns how many it cleared. The
// rows stay, revoked, so that the history of each location keeps its name
// (and its token lookup id stays to recognise a leaked token); adding the
// location again gives it a new token as before. An empty hash matches no
// secret.
func (s *LocationStore) Retain(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx,
		`UPDATE probe_locations SET token_hash = '' WHERE revoked_at IS NOT NULL AND revoked_at < $1 AND token_hash <> ''`,
		now.UTC().Add(-RevokedTokenRetention).Truncate(time.Microsecond))
	if err != nil {
		return 0, fmt.Errorf("retain location tokens: %w", s.db.MapError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("retain location tokens: %w", err)
	}
	return n, nil
}
