package heartbeat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Check returns the key of the check whose token is given, or
// ErrUnknownToken; it writes nothing. Intakes call it before reading a
// ping's body, so that a made-up token costs one indexed read and no wait.
func (s *Store) Check(ctx context.Context, token string) (string, error) {
	lookup, secret, ok := parseToken(token)
	if !ok {
		return "", fmt.Errorf("check heartbeat token: %w", ErrUnknownToken)
	}
	var key, hash string
	err := s.db.QueryRowContext(ctx,
		`SELECT check_key, token_hash FROM heartbeats WHERE token_lookup = $1`, lookup).Scan(&key, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("check heartbeat token: %w", ErrUnknownToken)
	}
	if err != nil {
		return "", fmt.Errorf("check heartbeat token: %w", s.db.MapError(err))
	}
	if !secretMatches(secret, hash) {
		return "", fmt.Errorf("check heartbeat token: %w", ErrUnknownToken)
	}
	return key, nil
}
