package incident_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestIncidentsRecordedBeforeSettlingWasKeptAreSettled takes a database
// back to before migration 23, records an incident there, and migrates:
// the incident settled when it was detected (it opened after the window).
func TestIncidentsRecordedBeforeSettlingWasKeptAreSettled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.MigrateDownTo(ctx, 22); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`INSERT INTO incidents (title, status, severity, cause, root_assets, dedup_key, reason, impact, peak, auto, hold,
				lead, comms, impact_started_at, detected_at, customer_reported_first, detected_by)
				VALUES ('hv03 down', 'investigating', 'major', 'outage', '["hv03"]', 'hv03', '', '{"customers":[]}',
				'{"customers":[]}', TRUE, FALSE, '', '', '2026-11-27 02:00:00', '2026-11-27 02:01:20', FALSE, 'probe')`} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if applied, err := db.Migrate(ctx, nil); err != nil || len(applied) == 0 || applied[0] != 23 {
			t.Fatalf("migrate: %v %v, want 23 applied first", applied, err)
		}
		list, err := incident.NewStore(db).List(ctx, "all", 0)
		detected := time.Date(2026, 11, 27, 2, 1, 20, 0, time.UTC)
		if err != nil || len(list) != 1 || list[0].SettledAt == nil || !list[0].SettledAt.Equal(detected) {
			t.Fatalf("incidents after the migration: %+v %v, want settled at %s", list, err, detected)
		}
	})
}
