package notify

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
)

// Triggers is the outbox's intake: each incident event, public update and
// change of a maintenance window becomes a row of the outbox, written in
// the transaction that writes it. The planner reads them in order.
type Triggers struct {
	db *store.DB
}

// NewTriggers returns the intake over db; hand it to the incident and
// maintenance stores' SetOutbox.
func NewTriggers(db *store.DB) *Triggers { return &Triggers{db: db} }

// Enqueue writes t inside tx, unless the planner never reads its type.
func (t *Triggers) Enqueue(ctx context.Context, tx *sql.Tx, tr incident.Trigger) error {
	if !plannedTypes[tr.Type] {
		return nil
	}
	at := tr.At
	if at.IsZero() {
		at = time.Now()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO notify_outbox (type, incident_id, event_id, update_id, maintenance_id,
		sequence, at, done) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, tr.Type, tr.IncidentID, tr.EventID, tr.UpdateID,
		tr.MaintenanceID, tr.Sequence, at.UTC().Truncate(time.Microsecond), false)
	if err != nil {
		return fmt.Errorf("outbox: %s of incident %d: %w", tr.Type, tr.IncidentID, err)
	}
	return t.db.NotifyTx(ctx, tx, store.TopicOutbox, "")
}

// Pending counts the triggers not planned yet.
func (t *Triggers) Pending(ctx context.Context) (int, error) {
	var n int
	if err := t.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_outbox WHERE NOT done`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count the outbox: %w", err)
	}
	return n, nil
}
