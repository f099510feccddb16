package support

import (
	"context"
	"fmt"
	"time"
)

// Version returns a short string that moves whenever a ticket is opened,
// changed, answered or deleted: the staff console asks it often, to
// refresh only when something moved. Every change of a ticket moves its
// updated_at; the count catches deletions.
func (s *Store) Version(ctx context.Context) (string, error) {
	var n, last int64
	var updated any
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(id), 0), MAX(updated_at) FROM tickets`).Scan(&n, &last, &updated)
	if err != nil {
		return "", fmt.Errorf("tickets version: %w", err)
	}
	if t, ok := updated.(time.Time); ok {
		updated = t.UTC().UnixMicro()
	}
	return fmt.Sprintf("%d.%d.%v", n, last, updated), nil
}
