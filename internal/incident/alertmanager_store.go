package incident

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// DedupStore keeps the Alertmanager dedup state in the database.
type DedupStore struct {
	db *store.DB
}

// NewDedupStore returns the dedup store over db.
func NewDedupStore(db *store.DB) *DedupStore { return &DedupStore{db: db} }

// Load returns the stored entries, most recently seen last, at most limit.
func (s *DedupStore) Load(ctx context.Context, limit int) ([]DedupEntry, error) {
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT fingerprint, firing, starts_at, ends_at FROM
		(SELECT fingerprint, firing, starts_at, ends_at, seen_at FROM alert_dedup ORDER BY seen_at DESC LIMIT %d) recent
		ORDER BY seen_at`, limit))
	if err != nil {
		return nil, fmt.Errorf("load alert dedup: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []DedupEntry
	for rows.Next() {
		var e DedupEntry
		var ends sql.NullTime
		if err := rows.Scan(&e.Fingerprint, &e.Firing, &e.StartsAt, &ends); err != nil {
			return nil, fmt.Errorf("load alert dedup: %w", err)
		}
		e.StartsAt = e.StartsAt.UTC()
		if ends.Valid {
			e.EndsAt = ends.Time.UTC()
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Save records the state of the given alerts.
func (s *DedupStore) Save(ctx context.Context, entries []DedupEntry, now time.Time) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			if err := saveDedup(ctx, tx, e, now); err != nil {
				return err
			}
		}
		return nil
	})
}
