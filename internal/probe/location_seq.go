package probe

import (
	"context"
	"fmt"
)

// LastSeq returns the last result sequence number taken from a location
// and the epoch (the probe buffer) it counts in.
func (s *LocationStore) LastSeq(ctx context.Context, name string) (epoch string, seq uint64, err error) {
	var n int64
	err = s.db.QueryRowContext(ctx, `SELECT seq_epoch, last_seq FROM probe_locations WHERE name = $1`, name).Scan(&epoch, &n)
	if err != nil {
		return "", 0, fmt.Errorf("last sequence of %s: %w", name, s.db.MapError(err))
	}
	return epoch, uint64(n), nil
}

// SetLastSeq records the last result sequence number taken from a location.
func (s *LocationStore) SetLastSeq(ctx context.Context, name, epoch string, seq uint64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE probe_locations SET seq_epoch = $1, last_seq = $2 WHERE name = $3`, epoch, int64(seq), name)
	if err != nil {
		return fmt.Errorf("set last sequence of %s: %w", name, err)
	}
	return nil
}
