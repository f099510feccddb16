package report

import (
	"context"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
)

// Reader reads what reports are computed from: the inventory, the
// detector's states and signals, maintenance windows and incidents.
type Reader struct {
	Inventory   *inventory.Service
	Detection   *detect.Store
	Maintenance *incident.MaintenanceStore
	Incidents   *incident.Store
}

// AssetState is one of a customer's assets with the state of each of its
// checks.
type AssetState struct {
	Name, Kind string
	// Checks are the asset's effective checks, by key; Rows their overall
	// states, in the same order (State Unknown for a check never judged).
	Checks []check.Check
	Rows   []detect.StateRow
}

// State folds the states of every check of the asset: down when one is
// down (since the first went down), up when all are up (since the last
// came up), unknown otherwise.
func (a *AssetState) State() (detect.State, *time.Time) { return FoldStates(a.Rows) }

// Service is the state of what the asset serves: the fold of the checks
// that count (Counts), where a certificate ending soon but still valid
// is a warning, not down.
func (a *AssetState) Service() (st detect.State, since *time.Time, warning bool) {
	var rows []detect.StateRow
	for i, row := range a.Rows {
		if !Counts(a.Checks[i].Kind) {
			continue
		}
		if row.State == detect.Down && Expiring(row.Reason, row.Message) {
			warning = true
			row.State = detect.Up
		}
		rows = append(rows, row)
	}
	st, since = FoldStates(rows)
	return st, since, warning
}

// Problems lists the asset's failing checks that count, read for its
// owner; now dates what a certificate has left.
func (a *AssetState) Problems(now time.Time) []Problem {
	var out []Problem
	for i := range a.Checks {
		if p, ok := ProblemOf(&a.Checks[i], a.Rows[i], now); ok {
			out = append(out, p)
		}
	}
	return out
}

// FoldStates folds the states of an asset's checks: down when one is
// down, with the earliest time one went down; up when all are up, with
// the latest time one came up; unknown otherwise (or with no check).
func FoldStates(rows []detect.StateRow) (detect.State, *time.Time) {
	var down, up *time.Time
	unknown := len(rows) == 0
	for _, row := range rows {
		at := row.Since
		switch row.State {
		case detect.Down:
			if down == nil || at.Before(*down) {
				down = &at
			}
		case detect.Up:
			if up == nil || at.After(*up) {
				up = &at
			}
		default:
			unknown = true
		}
	}
	switch {
	case down != nil:
		return detect.Down, down
	case unknown:
		return detect.Unknown, nil
	}
	return detect.Up, up
}

// CustomerAssets returns the assets a customer owns, by name, with the
// states of their checks: what their overview and their area show, and
// nothing of anyone else's.
func (r *Reader) CustomerAssets(ctx context.Context, customer string) ([]AssetState, error) {
	g := r.Inventory.Graph()
	names := g.Owned(customer, "")
	out := make([]AssetState, 0, len(names))
	if len(names) == 0 {
		return out, nil
	}
	checks, err := r.Inventory.ChecksOfAssets(ctx, names)
	if err != nil {
		return nil, fmt.Errorf("checks of customer %s: %w", customer, err)
	}
	var keys []string
	for _, list := range checks {
		for i := range list {
			keys = append(keys, list[i].Key())
		}
	}
	rows, err := r.Detection.StatesOf(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("states of customer %s: %w", customer, err)
	}
	states := make(map[string]detect.StateRow, len(rows))
	for _, row := range rows {
		if row.Location == "" {
			states[row.Check] = row
		}
	}
	for _, name := range names {
		list := checks[name]
		if list == nil {
			list = []check.Check{}
		}
		a := AssetState{Name: name, Kind: g.Kind(name), Checks: list, Rows: make([]detect.StateRow, len(list))}
		for i := range list {
			row, ok := states[list[i].Key()]
			if !ok {
				row = detect.StateRow{Check: list[i].Key()}
			}
			a.Rows[i] = row
		}
		out = append(out, a)
	}
	return out, nil
}
