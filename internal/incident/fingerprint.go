package incident

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// fingerprintQuery reads, in one round trip and through indexes, a value
// that moves with each change a public page may show. Every change of an
// incident (status, scope, title, component override) appends to its
// timeline, so the last event id covers them; public updates are edited in
// place, so their latest updated_at counts; maintenance windows are too,
// and each change adds one to their sequence; a post-mortem moves its
// updated_at. Counts catch deletions (retention, cascades).
const fingerprintQuery = `SELECT
	(SELECT MAX(id) FROM incident_events),
	(SELECT COUNT(*) FROM incidents),
	(SELECT COUNT(*) FROM incident_updates),
	(SELECT MAX(id) FROM incident_updates),
	(SELECT MAX(updated_at) FROM incident_updates),
	(SELECT COUNT(*) FROM incident_components),
	(SELECT SUM(LENGTH(status)) FROM incident_components),
	(SELECT COUNT(*) FROM maintenance_windows),
	(SELECT MAX(updated_at) FROM maintenance_windows),
	(SELECT SUM(sequence) FROM maintenance_windows),
	(SELECT COUNT(*) FROM postmortems),
	(SELECT MAX(updated_at) FROM postmortems)`

// Fingerprint returns a short string that changes whenever anything a
// public page shows may have changed: incidents and their timelines,
// public updates, component overrides, maintenance windows and
// post-mortems. It costs one query of index lookups, so that a page can
// ask it often and rebuild only when it moves.
func (s *Store) Fingerprint(ctx context.Context) (string, error) {
	vals := make([]any, 12)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := s.db.QueryRowContext(ctx, fingerprintQuery).Scan(ptrs...); err != nil {
		return "", fmt.Errorf("fingerprint: %w", err)
	}
	var b strings.Builder
	for _, v := range vals {
		// Values are written as the driver gives them: the same database
		// always gives them the same way, which is all a fingerprint needs.
		switch v := v.(type) {
		case []byte:
			b.Write(v)
		default:
			fmt.Fprint(&b, v)
		}
		b.WriteByte('|')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:12]), nil
}
