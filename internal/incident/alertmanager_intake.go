package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
)

// DedupStore keeps the state of the Alertmanager alerts seen (the
// alert_dedup table) and takes their deliveries.
type DedupStore struct {
	db *store.DB
}

// NewDedupStore returns the dedup store over db.
func NewDedupStore(db *store.DB) *DedupStore { return &DedupStore{db: db} }

// Receive records a delivery's mapped alerts in one transaction: each is
// judged against the stored state of its fingerprint (Dedup's rule), the
// new states are stored, and the signals of the fresh ones are appended to
// the signal log. It returns the signals appended, once committed; on
// error nothing is recorded and the delivery may be repeated. Deliveries
// from several servers on one database are judged one after the other.
func (s *DedupStore) Receive(ctx context.Context, alerts []AlertSignal, now time.Time) ([]detect.Signal, error) {
	var signals []detect.Signal
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		signals = signals[:0]
		// The log's lock, taken first, also keeps concurrent deliveries of
		// the same alert from both finding it fresh.
		if err := s.db.LockTx(ctx, tx, store.LockSignalLog); err != nil {
			return err
		}
		for _, a := range alerts {
			if a.Fingerprint == "" {
				sg := a.Signal()
				sg.Source = detect.SourceAlertmanager
				signals = append(signals, sg)
				continue
			}
			prev, err := loadDedup(ctx, tx, a.Fingerprint)
			if err != nil {
				return err
			}
			fresh, record := freshness(prev, a)
			if record {
				if err := saveDedup(ctx, tx, DedupEntry{Fingerprint: a.Fingerprint, Firing: a.Firing, StartsAt: a.StartsAt, EndsAt: a.EndsAt}, now); err != nil {
					return err
				}
			}
			if fresh {
				sg := a.Signal()
				sg.Source = detect.SourceAlertmanager
				signals = append(signals, sg)
			}
		}
		return detect.AppendTx(ctx, s.db, tx, signals)
	})
	if err != nil {
		return nil, fmt.Errorf("alertmanager delivery: %w", err)
	}
	detect.Committed(s.db, signals)
	return signals, nil
}

func loadDedup(ctx context.Context, tx *sql.Tx, fp string) (*DedupEntry, error) {
	e := DedupEntry{Fingerprint: fp}
	var ends sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT firing, starts_at, ends_at FROM alert_dedup WHERE fingerprint = $1`, fp).
		Scan(&e.Firing, &e.StartsAt, &ends)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("alert %s: %w", fp, err)
	}
	e.StartsAt = e.StartsAt.UTC()
	if ends.Valid {
		e.EndsAt = ends.Time.UTC()
	}
	return &e, nil
}

func saveDedup(ctx context.Context, tx *sql.Tx, e DedupEntry, now time.Time) error {
	var ends any
	if !e.EndsAt.IsZero() {
		ends = e.EndsAt.UTC().Truncate(time.Microsecond)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO alert_dedup (fingerprint, firing, starts_at, ends_at, seen_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (fingerprint) DO UPDATE SET firing = excluded.firing,
		starts_at = excluded.starts_at, ends_at = excluded.ends_at, seen_at = excluded.seen_at`,
		e.Fingerprint, e.Firing, e.StartsAt.UTC().Truncate(time.Microsecond), ends, now.UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("save alert %s: %w", e.Fingerprint, err)
	}
	return nil
}
