package heartbeat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Checked is a token found to be a check's, for RecordChecked.
type Checked struct {
	// Key is the check's key.
	Key  string
	hash string
}

// Check finds the check whose token is given, or returns ErrUnknownToken;
// it writes nothing. Intakes call it before reading a ping's body, so that
// a made-up token costs one indexed read and no wait; an unknown lookup id
// returns at once (lookup ids are not secret, so timing that reveals one
// exists gives nothing away).
func (s *Store) Check(ctx context.Context, token string) (Checked, error) {
	lookup, secret, ok := parseToken(token)
	if !ok {
		return Checked{}, fmt.Errorf("check heartbeat token: %w", ErrUnknownToken)
	}
	var key, hash string
	err := s.db.QueryRowContext(ctx,
		`SELECT check_key, token_hash FROM heartbeats WHERE token_lookup = $1`, lookup).Scan(&key, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return Checked{}, fmt.Errorf("check heartbeat token: %w", ErrUnknownToken)
	}
	if err != nil {
		return Checked{}, fmt.Errorf("check heartbeat token: %w", s.db.MapError(err))
	}
	if !secretMatches(secret, hash) {
		return Checked{}, fmt.Errorf("check heartbeat token: %w", ErrUnknownToken)
	}
	return Checked{Key: key, hash: hash}, nil
}
