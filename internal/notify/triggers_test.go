package notify

import (
	"context"
	"database/sql"
	"testing"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// The intake keeps a row only of what the planner reads: an outage's many
// signal events cost no outbox rows.
func TestTheIntakeKeepsOnlyWhatThePlannerReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tr := NewTriggers(db)
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			for _, typ := range []string{"signal", "role-changed", "merged", "opened", "settled", incident.TriggerPublicUpdate, incident.TriggerMaintenance} {
				if err := tr.Enqueue(ctx, tx, incident.Trigger{Type: typ, IncidentID: 1, EventID: 1, At: t0}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := tr.Pending(ctx); err != nil || n != 4 {
			t.Errorf("pending triggers: %d %v, want 4 (opened, settled, the update, the window)", n, err)
		}
	})
}
