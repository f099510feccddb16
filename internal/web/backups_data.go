package web

import (
	"context"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/inventory"
)

// assetBackups is one of a customer's assets with its backup checks (its
// heartbeat checks: a backup job pings its check's URL).
type assetBackups struct {
	Asset, Kind string
	Backups     []heartbeat.Backup
}

// customerBackups returns the backup checks of the assets customer owns,
// asset by asset in name order, as they stand at now; assets without
// any are left out. Only the customer's own assets are read: the graph
// lists them, nothing else is asked for.
func customerBackups(ctx context.Context, inv *inventory.Service, beats *heartbeat.Store, customer string, now time.Time) ([]assetBackups, error) {
	g := inv.Graph()
	out := []assetBackups{}
	owned := g.Owned(customer, "")
	all, err := inv.ChecksOfAssets(ctx, owned)
	if err != nil {
		return nil, fmt.Errorf("backups of customer %s: %w", customer, err)
	}
	for _, name := range owned {
		var checks []check.Check
		for _, c := range all[name] {
			if c.Kind == check.Heartbeat {
				checks = append(checks, c)
			}
		}
		if len(checks) == 0 {
			continue
		}
		list, err := beats.Backups(ctx, checks, now)
		if err != nil {
			return nil, fmt.Errorf("backups of %s: %w", name, err)
		}
		out = append(out, assetBackups{Asset: name, Kind: g.Kind(name), Backups: list})
	}
	return out, nil
}
