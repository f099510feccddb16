package inventory

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
)

// checkName is the name a check is stored under: its name, or its kind.
func checkName(c *check.Check) string {
	if c.Name != "" {
		return c.Name
	}
	return string(c.Kind)
}

// loadChecks reads the declared checks, by asset and name, and the default
// checks, by asset kind.
func loadChecks(ctx context.Context, q querier, inv *Inventory) error {
	if err := loadCheckRows(ctx, q, inv, "", nil); err != nil {
		return err
	}
	return loadCheckDefaults(ctx, q, inv)
}

// loadCheckRows appends the declared checks of the rows where selects (a
// WHERE clause, or ""), by asset and name.
func loadCheckRows(ctx context.Context, q querier, inv *Inventory, where string, args []any) error {
	return queryEach(ctx, q, "load checks", `SELECT asset, name, spec FROM checks`+where+` ORDER BY asset, name`, args,
		func(rows *sql.Rows) error {
			var asset, name, spec string
			if err := rows.Scan(&asset, &name, &spec); err != nil {
				return err
			}
			var c check.Check
			if err := json.Unmarshal([]byte(spec), &c); err != nil {
				return fmt.Errorf("check %s/%s: %w", asset, name, err)
			}
			inv.Checks = append(inv.Checks, c)
			return nil
		})
}

// loadCheckDefaults reads the default checks, by asset kind.
func loadCheckDefaults(ctx context.Context, q querier, inv *Inventory) error {
	return queryEach(ctx, q, "load default checks", `SELECT asset_kind, spec FROM check_defaults ORDER BY asset_kind`, nil,
		func(rows *sql.Rows) error {
			var kind, spec string
			if err := rows.Scan(&kind, &spec); err != nil {
				return err
			}
			d := CheckDefault{AssetKind: kind}
			if err := json.Unmarshal([]byte(spec), &d.Check); err != nil {
				return fmt.Errorf("default check of %s: %w", kind, err)
			}
			inv.CheckDefaults = append(inv.CheckDefaults, d)
			return nil
		})
}

// applyChecks writes the check changes of p; assets it refers to exist.
func applyChecks(ctx context.Context, e store.Engine, tx *sql.Tx, p *Plan) error {
	for _, c := range p.RemoveChecks {
		if _, err := tx.ExecContext(ctx, `DELETE FROM checks WHERE asset = $1 AND name = $2`, c.Asset, checkName(&c)); err != nil {
			return fmt.Errorf("delete check %s: %w", c.Key(), err)
		}
	}
	for _, list := range [][]check.Check{p.ChangeChecks, p.AddChecks} {
		for _, c := range list {
			spec, err := json.Marshal(c)
			if err != nil {
				return fmt.Errorf("encode check %s: %w", c.Key(), err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO checks (asset, name, spec) VALUES `+e.Placeholders(1, 3)+`
				ON CONFLICT (asset, name) DO UPDATE SET spec = excluded.spec`, c.Asset, checkName(&c), string(spec))
			if err != nil {
				return fmt.Errorf("save check %s: %w", c.Key(), err)
			}
		}
	}
	for _, kind := range p.RemoveCheckDefaults {
		if _, err := tx.ExecContext(ctx, `DELETE FROM check_defaults WHERE asset_kind = $1`, kind); err != nil {
			return fmt.Errorf("delete default check of %s: %w", kind, err)
		}
	}
	for _, d := range p.PutCheckDefaults {
		spec, err := json.Marshal(d.Check)
		if err != nil {
			return fmt.Errorf("encode default check of %s: %w", d.AssetKind, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO check_defaults (asset_kind, spec) VALUES `+e.Placeholders(1, 2)+`
			ON CONFLICT (asset_kind) DO UPDATE SET spec = excluded.spec`, d.AssetKind, string(spec))
		if err != nil {
			return fmt.Errorf("save default check of %s: %w", d.AssetKind, err)
		}
	}
	return nil
}

// diffChecks adds to p what turns current's checks and defaults into desired's.
func diffChecks(p *Plan, current, desired *Inventory) {
	cur := map[check.Key]check.Check{}
	for _, c := range current.Checks {
		cur[c.ID()] = c
	}
	want := map[check.Key]bool{}
	for _, c := range desired.Checks {
		key := c.ID()
		want[key] = true
		old, ok := cur[key]
		switch {
		case !ok:
			p.AddChecks = append(p.AddChecks, c)
		case !sameJSON(old, c):
			p.ChangeChecks = append(p.ChangeChecks, c)
		}
	}
	for _, c := range current.Checks {
		if !want[c.ID()] {
			p.RemoveChecks = append(p.RemoveChecks, c)
		}
	}
	curD := map[string]check.Check{}
	for _, d := range current.CheckDefaults {
		curD[d.AssetKind] = d.Check
	}
	wantD := map[string]bool{}
	for _, d := range desired.CheckDefaults {
		wantD[d.AssetKind] = true
		old, ok := curD[d.AssetKind]
		if !ok {
			p.newDefaults++
		}
		if !ok || !sameJSON(old, d.Check) {
			p.PutCheckDefaults = append(p.PutCheckDefaults, d)
		}
	}
	for _, d := range current.CheckDefaults {
		if !wantD[d.AssetKind] {
			p.RemoveCheckDefaults = append(p.RemoveCheckDefaults, d.AssetKind)
		}
	}
}

// sameJSON compares two values by their JSON form, which encoding/json
// writes deterministically (struct order, sorted map keys).
func sameJSON(a, b any) bool {
	x, errX := json.Marshal(a)
	y, errY := json.Marshal(b)
	return errX == nil && errY == nil && bytes.Equal(x, y)
}

// loadAssetChecks loads one asset with its declared checks and the
// default checks, enough for EffectiveChecks; an unknown asset gives an
// empty inventory.
func loadAssetChecks(ctx context.Context, db *store.DB, name string) (*Inventory, error) {
	return loadAssetsChecks(ctx, db, []string{name})
}

// assetsChunk bounds the names of one IN list, well below the bind
// variables either engine takes.
const assetsChunk = 500

// loadAssetsChecks loads the named assets (those that exist) with their
// dependencies, labels and declared checks, and the default checks: a
// few queries for any number of names.
func loadAssetsChecks(ctx context.Context, db *store.DB, names []string) (*Inventory, error) {
	inv := &Inventory{}
	if err := loadNamedAssets(ctx, db, db.Engine, inv, names); err != nil {
		return nil, err
	}
	if len(inv.Assets) == 0 {
		return inv, nil
	}
	return inv, loadCheckDefaults(ctx, db, inv)
}

// loadNamedAssets appends the named assets that exist, by name, with their
// dependencies, labels and declared checks: a few queries per
// assetsChunk names.
func loadNamedAssets(ctx context.Context, q querier, e store.Engine, inv *Inventory, names []string) error {
	for chunk := range slices.Chunk(names, assetsChunk) {
		args := anyOf(chunk)
		in := e.List(len(chunk))
		first := len(inv.Assets)
		if err := loadAssetRows(ctx, q, inv, ` WHERE name IN `+in+` ORDER BY name`, args); err != nil {
			return err
		}
		page := inv.Assets[first:]
		index := make(map[string]int, len(page))
		for i := range page {
			index[page[i].Name] = i
		}
		if err := loadEdges(ctx, q, page, index, ` WHERE asset IN `+in, args...); err != nil {
			return err
		}
		if err := loadCheckRows(ctx, q, inv, ` WHERE asset IN `+in, args); err != nil {
			return err
		}
	}
	return nil
}
