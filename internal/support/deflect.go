package support

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
)

// Known is what the host already knows of on one asset: the open
// incidents customers have been told of, and the maintenance in progress,
// that touch it. The ticket form shows them first.
type Known struct {
	Incidents   []incident.Incident
	Maintenance []incident.Window
}

// Empty reports whether nothing is known on the asset.
func (k Known) Empty() bool { return len(k.Incidents) == 0 && len(k.Maintenance) == 0 }

// The outcomes of the deflection step.
const (
	// Followed: the customer chose to follow the known incident or
	// maintenance instead of writing.
	Followed = "followed"
	// SentAnyway: the customer sent their ticket although shown one.
	SentAnyway = "sent"
)

// checkAsset refuses an asset the customer does not own, saying the same
// of one that does not exist, so that names of others' assets never show.
func (s *Store) checkAsset(customer, asset string) error {
	if asset == "" {
		return nil
	}
	g := s.o.Inventory.Graph()
	if g == nil || g.Owner(asset) != customer || customer == "" {
		return invalid("asset", "%q is not one of your assets", asset)
	}
	return nil
}

// Known returns what is known on one of customer's assets: open incidents
// that settled (customers hear of those) and maintenance in progress,
// whose scope reaches the asset. Nothing is known on no asset.
func (s *Store) Known(ctx context.Context, customer, asset string) (Known, error) {
	if err := s.checkAsset(customer, asset); err != nil || asset == "" {
		return Known{}, err
	}
	incs, err := s.touching(ctx, asset)
	if err != nil {
		return Known{}, err
	}
	k := Known{Incidents: slices.DeleteFunc(incs, func(i incident.Incident) bool { return !i.Settled() })}
	if s.o.Maintenance == nil {
		return k, nil
	}
	windows, err := s.o.Maintenance.List(ctx)
	if err != nil {
		return Known{}, fmt.Errorf("known on %s: %w", asset, err)
	}
	g, now := s.o.Inventory.Graph(), s.o.Now()
	for _, w := range windows {
		if st := w.State(now); (st == incident.InProgress || st == incident.Verifying) && reaches(g, w.Assets, asset) {
			k.Maintenance = append(k.Maintenance, w)
		}
	}
	return k, nil
}

// touching returns the open incidents whose scope reaches asset, settled
// or not, oldest first.
func (s *Store) touching(ctx context.Context, asset string) ([]incident.Incident, error) {
	open, err := s.o.Incidents.List(ctx, "open", 0)
	if err != nil {
		return nil, fmt.Errorf("open incidents on %s: %w", asset, err)
	}
	g := s.o.Inventory.Graph()
	out := []incident.Incident{}
	for _, inc := range open {
		if reaches(g, inc.RootAssets, asset) {
			out = append(out, inc)
		}
	}
	slices.Reverse(out)
	return out, nil
}

// reaches reports whether asset is in the scope of roots.
func reaches(g *inventory.Graph, roots []string, asset string) bool {
	if slices.Contains(roots, asset) {
		return true
	}
	if g == nil {
		return false
	}
	_, found := slices.BinarySearch(g.Scope(roots), asset)
	return found
}

// Followed records that customer, shown what is known on asset, chose to
// follow it rather than write: the deflection counted. It refuses an asset
// on which nothing is known any more.
func (s *Store) Followed(ctx context.Context, customer, asset string) error {
	k, err := s.Known(ctx, customer, asset)
	if err != nil {
		return err
	}
	if k.Empty() {
		return invalid("asset", "nothing is known on %q now", asset)
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error { return recordDeflection(ctx, tx, customer, asset, k, Followed, s.now()) })
}

// recordDeflection writes one outcome of the deflection step in tx.
func recordDeflection(ctx context.Context, tx *sql.Tx, customer, asset string, k Known, outcome string, at time.Time) error {
	var inc, win int64
	if len(k.Incidents) > 0 {
		inc = k.Incidents[0].ID
	}
	if len(k.Maintenance) > 0 {
		win, _ = strconv.ParseInt(k.Maintenance[0].ID, 10, 64)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO support_deflections (customer_id, asset, incident_id, maintenance_id, outcome, at)
		VALUES ($1, $2, $3, $4, $5, $6)`, customer, asset, inc, win, outcome, at)
	if err != nil {
		return fmt.Errorf("record deflection on %s: %w", asset, err)
	}
	return nil
}
