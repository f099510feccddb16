package incident

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The trigger types that are no timeline event's type.
const (
	TriggerPublicUpdate = "public-update" // a public update added or edited
	TriggerMaintenance  = "maintenance"   // a maintenance window created, changed or cancelled
)

// Trigger is what may cause notifications: one timeline event, one public update, or one change of a maintenance window.
type Trigger struct {
	Type          string // the event type ("opened", "settled", "status-changed", ...), "public-update", or "maintenance"
	IncidentID    int64
	EventID       int64
	UpdateID      int64
	MaintenanceID int64
	Sequence      int // the maintenance window's sequence after the change
	At            time.Time
}

// Outbox receives, inside the transaction that writes them, the triggers of notifications.
type Outbox interface {
	Enqueue(ctx context.Context, tx *sql.Tx, t Trigger) error
}

// Outboxes hands each trigger to several outboxes in turn, in the
// transaction that writes it: the notifications' and support's.
type Outboxes []Outbox

// Enqueue hands t to every outbox, in order; the first error stops there
// and rolls the transaction back.
func (os Outboxes) Enqueue(ctx context.Context, tx *sql.Tx, t Trigger) error {
	for _, o := range os {
		if o == nil {
			continue
		}
		if err := o.Enqueue(ctx, tx, t); err != nil {
			return err
		}
	}
	return nil
}

// SetOutbox makes the store hand o, inside the transaction that writes
// them, the trigger of every timeline event (but those recording
// notifications) and of every public update added or edited. It is set
// once, when the server is wired, before the store is used; nil is none.
func (s *Store) SetOutbox(o Outbox) { s.outbox = o }

// SetOutbox makes the store hand o, inside the transaction that writes
// it, the trigger of every window created, changed or cancelled. It is set
// once, when the server is wired, before the store is used; nil is none.
func (s *MaintenanceStore) SetOutbox(o Outbox) { s.outbox = o }

// enqueue hands t to o inside tx; an error rolls tx back.
func enqueue(ctx context.Context, tx *sql.Tx, o Outbox, t Trigger) error {
	if o == nil {
		return nil
	}
	if err := o.Enqueue(ctx, tx, t); err != nil {
		if t.Type == TriggerMaintenance {
			return fmt.Errorf("outbox: enqueue change %d of maintenance window %d: %w", t.Sequence, t.MaintenanceID, err)
		}
		return fmt.Errorf("outbox: enqueue %s of incident %d: %w", t.Type, t.IncidentID, err)
	}
	return nil
}
