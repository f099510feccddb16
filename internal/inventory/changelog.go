package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
)

// invChange is what one inventory version changed, as the change log
// keeps it: enough for another process to read only that again.
type invChange struct {
	// Assets are the assets added, changed or removed, or whose declared
	// checks changed.
	Assets []string `json:"assets,omitempty"`
	// Kinds are the asset kinds whose default check changed.
	Kinds []string `json:"kinds,omitempty"`
	// Customers are the customers added, changed or removed.
	Customers []string `json:"customers,omitempty"`
	// All says the change was too big to list: read everything again.
	All bool `json:"all,omitempty"`
}

// changeLogMaxNames is the most names a change lists; a bigger one (an
// import) is logged as "all", and readers load the whole inventory.
const changeLogMaxNames = 10_000

// changeLogKeep is how many versions the log keeps: a process further
// behind loads the whole inventory.
const changeLogKeep = 1000

// changeOf returns what p changes, for the log.
func changeOf(p *Plan) invChange {
	var c invChange
	seen := map[string]bool{}
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			c.Assets = append(c.Assets, name)
		}
	}
	for i := range p.AddAssets {
		add(p.AddAssets[i].Name)
	}
	for i := range p.ChangeAssets {
		add(p.ChangeAssets[i].Name)
	}
	for _, n := range p.RemoveAssets {
		add(n)
	}
	for _, list := range [][]check.Check{p.AddChecks, p.ChangeChecks, p.RemoveChecks} {
		for i := range list {
			add(list[i].Asset)
		}
	}
	for i := range p.PutCheckDefaults {
		c.Kinds = append(c.Kinds, p.PutCheckDefaults[i].AssetKind)
	}
	c.Kinds = append(c.Kinds, p.RemoveCheckDefaults...)
	for i := range p.AddCustomers {
		c.Customers = append(c.Customers, p.AddCustomers[i].ID)
	}
	for i := range p.ChangeCustomers {
		c.Customers = append(c.Customers, p.ChangeCustomers[i].ID)
	}
	c.Customers = append(c.Customers, p.RemoveCustomers...)
	if len(c.Assets)+len(c.Customers) > changeLogMaxNames {
		return invChange{All: true}
	}
	return c
}

// logChange records what version changed, in the transaction that bumped
// it, and forgets versions older than changeLogKeep.
func logChange(ctx context.Context, tx *sql.Tx, version int64, c invChange) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode inventory change: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO inventory_changes (version, change) VALUES ($1, $2)`, version, string(b)); err != nil {
		return fmt.Errorf("log inventory change %d: %w", version, err)
	}
	if version%100 == 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM inventory_changes WHERE version <= $1`, version-changeLogKeep); err != nil {
			return fmt.Errorf("prune inventory changes: %w", err)
		}
	}
	return nil
}

// readChanges returns what the versions after from changed, up to the
// stored version to, merged; ok is false when the log cannot tell (pruned,
// or a change too big to list).
func readChanges(ctx context.Context, q querier, from int64) (merged invChange, to int64, ok bool, err error) {
	to, err = readVersion(ctx, q)
	if err != nil || to <= from {
		return invChange{}, to, err == nil, err
	}
	if to-from > changeLogKeep {
		return invChange{}, to, false, nil
	}
	next := from + 1
	seen := map[string]bool{}
	kinds := map[string]bool{}
	custs := map[string]bool{}
	err = queryEach(ctx, q, "read inventory changes", `SELECT version, change FROM inventory_changes WHERE version > $1 AND version <= $2 ORDER BY version`,
		[]any{from, to}, func(rows *sql.Rows) error {
			var v int64
			var text string
			if err := rows.Scan(&v, &text); err != nil {
				return err
			}
			var c invChange
			if err := json.Unmarshal([]byte(text), &c); err != nil {
				return fmt.Errorf("inventory change %d: %w", v, err)
			}
			if v != next || c.All {
				merged.All = true
			}
			next = v + 1
			for _, n := range c.Assets {
				if !seen[n] {
					seen[n] = true
					merged.Assets = append(merged.Assets, n)
				}
			}
			for _, k := range c.Kinds {
				if !kinds[k] {
					kinds[k] = true
					merged.Kinds = append(merged.Kinds, k)
				}
			}
			for _, id := range c.Customers {
				if !custs[id] {
					custs[id] = true
					merged.Customers = append(merged.Customers, id)
				}
			}
			return nil
		})
	if err != nil {
		return invChange{}, to, false, err
	}
	if merged.All || next != to+1 || len(merged.Assets)+len(merged.Customers) > changeLogMaxNames {
		return invChange{}, to, false, nil
	}
	return merged, to, true, nil
}

// loadChanged reads what deriving the changed part needs: the assets named
// (with their dependencies and labels, for the graph) and those of kinds,
// the declared checks of both, every default check, and the customers
// named. Names that are no longer stored are left out.
func loadChanged(ctx context.Context, q querier, e store.Engine, c invChange) (*Inventory, error) {
	inv := &Inventory{}
	if err := loadNamedAssets(ctx, q, e, inv, c.Assets); err != nil {
		return nil, err
	}
	if len(c.Kinds) > 0 {
		args := anyOf(c.Kinds)
		in := e.List(len(c.Kinds))
		// Assets already read by name are read again by kind: derived
		// twice the same way, harmless.
		if err := loadAssetRows(ctx, q, inv, ` WHERE kind IN `+in, args); err != nil {
			return nil, err
		}
		if err := loadCheckRows(ctx, q, inv, ` WHERE asset IN (SELECT name FROM assets WHERE kind IN `+in+`)`, args); err != nil {
			return nil, err
		}
		inv.Assets = dedupAssets(inv.Assets)
		inv.Checks = dedupChecks(inv.Checks)
	}
	if err := loadCheckDefaults(ctx, q, inv); err != nil {
		return nil, err
	}
	for chunk := range slices.Chunk(c.Customers, assetsChunk) {
		if err := loadCustomerRows(ctx, q, inv, ` WHERE id IN `+e.List(len(chunk)), anyOf(chunk)); err != nil {
			return nil, err
		}
	}
	return inv, nil
}

// dedupAssets keeps the first of assets of the same name.
func dedupAssets(list []Asset) []Asset {
	seen := make(map[string]bool, len(list))
	out := list[:0]
	for _, a := range list {
		if !seen[a.Name] {
			seen[a.Name] = true
			out = append(out, a)
		}
	}
	return out
}

// dedupChecks keeps the first of checks of the same key.
func dedupChecks(list []check.Check) []check.Check {
	seen := make(map[string]bool, len(list))
	out := list[:0]
	for i := range list {
		if k := list[i].Key(); !seen[k] {
			seen[k] = true
			out = append(out, list[i])
		}
	}
	return out
}
