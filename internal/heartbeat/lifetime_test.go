package heartbeat_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// withJob is an inventory with a heartbeat check backup/nightly, and
// another asset.
const withJob = `assets:
  - {name: backup, kind: service}
  - {name: other, kind: service}
checks:
  - {asset: backup, name: nightly, kind: heartbeat, period: 24h}
check_defaults:
  service: {kind: none}
`

// withoutJob is withJob without the check.
const withoutJob = `assets:
  - {name: backup, kind: service}
  - {name: other, kind: service}
check_defaults:
  service: {kind: none}
`

// withoutAsset is withJob without the asset backup, nor its check.
const withoutAsset = `assets:
  - {name: other, kind: service}
check_defaults:
  service: {kind: none}
`

func importYAML(t *testing.T, inv *inventory.Service, yaml string, prune bool) {
	t.Helper()
	_, err := inv.ImportFiles(context.Background(), []inventory.File{{Name: "h.yaml", Data: []byte(yaml)}},
		inventory.ImportOptions{Prune: prune})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAHeartbeatTokenDiesWithItsCheck(t *testing.T) {
	nightly := check.Check{Asset: "backup", Name: "nightly", Kind: check.Heartbeat, HeartbeatOptions: &check.HeartbeatOptions{Period: check.Duration(24 * time.Hour)}}
	ends := []struct {
		name string
		// end makes the check stop existing.
		end func(t *testing.T, inv *inventory.Service)
	}{
		{"deleted through the service", func(t *testing.T, inv *inventory.Service) {
			if err := inv.DeleteCheck(context.Background(), "backup", "nightly"); err != nil {
				t.Fatal(err)
			}
		}},
		{"pruned by an import", func(t *testing.T, inv *inventory.Service) { importYAML(t, inv, withoutJob, true) }},
		{"its asset deleted", func(t *testing.T, inv *inventory.Service) {
			if err := inv.DeleteAsset(context.Background(), "backup"); err != nil {
				t.Fatal(err)
			}
		}},
		{"its asset pruned by an import", func(t *testing.T, inv *inventory.Service) { importYAML(t, inv, withoutAsset, true) }},
		{"turned into another kind", func(t *testing.T, inv *inventory.Service) {
			c := check.Check{Asset: "backup", Name: "nightly", Kind: check.TCP, Address: "127.0.0.1:9"}
			if _, err := inv.SaveCheck(context.Background(), c, inventory.Update); err != nil {
				t.Fatal(err)
			}
		}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, tc := range ends {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				if _, err := db.ExecContext(ctx, `DELETE FROM heartbeats`); err != nil {
					t.Fatal(err)
				}
				inv := inventory.NewService(db, nil)
				importYAML(t, inv, withJob, true)
				hb := heartbeat.NewStore(db)
				old, created, err := hb.Ensure(ctx, nightly.Key())
				if err != nil || !created {
					t.Fatalf("Ensure: %v, %v", created, err)
				}
				// A write that leaves the check alone keeps its token.
				if _, err := inv.SaveAsset(ctx, inventory.Asset{Name: "third", Kind: "service"}, inventory.Create); err != nil {
					t.Fatal(err)
				}
				if _, err := hb.Record(ctx, old, heartbeat.Ping{}, time.Now()); err != nil {
					t.Fatalf("the token after an unrelated write: %v, want it to work", err)
				}

				tc.end(t, inv)
				importYAML(t, inv, withJob, false) // the check again, same name
				if _, err := hb.Record(ctx, old, heartbeat.Ping{}, time.Now()); !errors.Is(err, heartbeat.ErrUnknownToken) {
					t.Fatalf("the old token fed the re-created check: %v, want ErrUnknownToken", err)
				}
				fresh, created, err := hb.Ensure(ctx, nightly.Key())
				if err != nil || !created {
					t.Fatalf("Ensure after re-creation: %v, %v; want a new token", created, err)
				}
				if key, err := hb.Record(ctx, fresh, heartbeat.Ping{}, time.Now()); err != nil || key != nightly.Key() {
					t.Fatalf("the new token: %q, %v", key, err)
				}
			})
		}
	})
}
