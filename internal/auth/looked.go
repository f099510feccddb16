package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Looked records that a staff member looked at the console's dashboard at
// at, and returns when they last did before, zero the first time. The time
// only moves forward: a look older than the one kept changes nothing, so
// that two tabs never take a staff member back.
func (s *Service) Looked(ctx context.Context, userID int64, at time.Time) (time.Time, error) {
	before, err := s.LastLooked(ctx, userID)
	if err != nil {
		return time.Time{}, err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO staff_dashboard_seen (user_id, seen_at) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET seen_at = excluded.seen_at
		WHERE staff_dashboard_seen.seen_at < excluded.seen_at`, userID, at.UTC().Truncate(time.Microsecond))
	if err != nil {
		return time.Time{}, fmt.Errorf("record the look of user %d: %w", userID, s.db.MapError(err))
	}
	return before, nil
}

// LastLooked returns when a staff member last looked at the dashboard,
// zero if never.
func (s *Service) LastLooked(ctx context.Context, userID int64) (time.Time, error) {
	var at time.Time
	err := s.db.QueryRowContext(ctx, `SELECT seen_at FROM staff_dashboard_seen WHERE user_id = $1`, userID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("last look of user %d: %w", userID, s.db.MapError(err))
	}
	return at.UTC(), nil
}
