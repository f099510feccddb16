package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/vigie/vigie/internal/store"
)

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// inventoryLockID is the PostgreSQL advisory lock serialising inventory
// writers across replicas; SQLite's immediate transactions already do.
const inventoryLockID = 0x76696769_65000002

func lockInventory(ctx context.Context, db *store.DB, tx *sql.Tx) error {
	if err := db.LockTx(ctx, tx, inventoryLockID); err != nil {
		return fmt.Errorf("lock inventory: %w", err)
	}
	return nil
}

func readVersion(ctx context.Context, q querier) (int64, error) {
	var v int64
	if err := q.QueryRowContext(ctx, `SELECT version FROM inventory_state WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read inventory version: %w", err)
	}
	return v, nil
}

func bumpVersion(ctx context.Context, tx *sql.Tx) (int64, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE inventory_state SET version = version + 1 WHERE id = 1`); err != nil {
		return 0, fmt.Errorf("bump inventory version: %w", err)
	}
	return readVersion(ctx, tx)
}

// loadAll reads the whole inventory, customers by id and assets by name, with
// sorted depends_on lists, and the version it is at.
func loadAll(ctx context.Context, q querier) (*Inventory, int64, error) {
	version, err := readVersion(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	inv := &Inventory{Customers: []Customer{}, Assets: []Asset{}}
	if err := loadCustomerRows(ctx, q, inv, ` ORDER BY id`, nil); err != nil {
		return nil, 0, err
	}
	if err := loadAssetRows(ctx, q, inv, ` ORDER BY name`, nil); err != nil {
		return nil, 0, err
	}
	// Assets of one kind share one string; the index finds them by name.
	index := make(map[string]int, len(inv.Assets))
	kinds := map[string]string{}
	for i := range inv.Assets {
		a := &inv.Assets[i]
		if k, ok := kinds[a.Kind]; ok {
			a.Kind = k
		} else {
			kinds[a.Kind] = a.Kind
		}
		index[a.Name] = i
	}
	if err := loadEdges(ctx, q, inv.Assets, index, ""); err != nil {
		return nil, 0, err
	}
	if err := loadChecks(ctx, q, inv); err != nil {
		return nil, 0, err
	}
	if err := loadRules(ctx, q, inv); err != nil {
		return nil, 0, err
	}
	if err := loadComponents(ctx, q, inv); err != nil {
		return nil, 0, err
	}
	return inv, version, nil
}

// loadCustomerRows appends the customers of the rows tail selects (a
// WHERE and ORDER BY clause, or "").
func loadCustomerRows(ctx context.Context, q querier, inv *Inventory, tail string, args []any) error {
	return queryEach(ctx, q, "load customers", `SELECT id, name, email, language, timezone FROM customers`+tail, args,
		func(rows *sql.Rows) error {
			var c Customer
			if err := rows.Scan(&c.ID, &c.Name, &c.Email, &c.Language, &c.Timezone); err != nil {
				return err
			}
			inv.Customers = append(inv.Customers, c)
			return nil
		})
}

// loadAssetRows appends the assets of the rows tail selects, without their
// edges (loadEdges adds them).
func loadAssetRows(ctx context.Context, q querier, inv *Inventory, tail string, args []any) error {
	return queryEach(ctx, q, "load assets", `SELECT name, kind, COALESCE(owner, ''), url, address FROM assets`+tail, args,
		func(rows *sql.Rows) error {
			var a Asset
			if err := rows.Scan(&a.Name, &a.Kind, &a.Owner, &a.URL, &a.Address); err != nil {
				return err
			}
			inv.Assets = append(inv.Assets, a)
			return nil
		})
}

// anyOf turns names into query arguments.
func anyOf(names []string) []any {
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = n
	}
	return args
}

// loadEdges fills the depends_on lists and labels of assets (indexed by name
// in index) from the rows matching filter, a WHERE clause on asset or "".
func loadEdges(ctx context.Context, q querier, assets []Asset, index map[string]int, filter string, args ...any) error {
	err := queryEach(ctx, q, "load dependencies", `SELECT asset, depends_on FROM asset_deps`+filter+` ORDER BY asset, depends_on`, args,
		func(rows *sql.Rows) error {
			var name, dep string
			if err := rows.Scan(&name, &dep); err != nil {
				return err
			}
			// Point at the asset's own copy of the name to share the string.
			if j, ok := index[dep]; ok {
				dep = assets[j].Name
			}
			a := &assets[index[name]]
			a.DependsOn = append(a.DependsOn, dep)
			return nil
		})
	if err != nil {
		return err
	}
	return queryEach(ctx, q, "load labels", `SELECT asset, key, value FROM asset_labels`+filter, args,
		func(rows *sql.Rows) error {
			var name, k, v string
			if err := rows.Scan(&name, &k, &v); err != nil {
				return err
			}
			a := &assets[index[name]]
			if a.Labels == nil {
				a.Labels = map[string]string{}
			}
			a.Labels[k] = v
			return nil
		})
}

// queryEach runs a query and calls fn on each row (store.Each).
func queryEach(ctx context.Context, q querier, what, query string, args []any, fn func(rows *sql.Rows) error) error {
	return store.Each(ctx, q, what, query, args, fn)
}

// queryNames returns the first column of every row.
func queryNames(ctx context.Context, q querier, what, query string, args ...any) ([]string, error) {
	var out []string
	err := queryEach(ctx, q, what, query, args, func(rows *sql.Rows) error {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		out = append(out, n)
		return nil
	})
	return out, err
}

// batchRows is how many rows go in one multi-row statement: well under both
// engines' limits on bound parameters.
const batchRows = 500

// applyPlan writes p inside tx, in an order that keeps every reference valid.
// progress, when set, is called with the number of rows written so far.
func applyPlan(ctx context.Context, e store.Engine, tx *sql.Tx, p *Plan, progress func(done int)) error {
	done := 0
	step := func(n int) {
		done += n
		if progress != nil {
			progress(done)
		}
	}
	if err := insertCustomers(ctx, e, tx, p.AddCustomers, step); err != nil {
		return err
	}
	for _, c := range p.ChangeCustomers {
		_, err := tx.ExecContext(ctx, `UPDATE customers SET name = $2, email = $3, language = $4, timezone = $5 WHERE id = $1`,
			c.ID, c.Name, c.Email, c.Language, c.Timezone)
		if err != nil {
			return fmt.Errorf("update customer %s: %w", c.ID, err)
		}
		step(1)
	}
	// Edges and labels of changed and removed assets are rewritten or dropped
	// before the assets themselves change.
	touched := make([]string, 0, len(p.ChangeAssets)+len(p.RemoveAssets))
	for i := range p.ChangeAssets {
		touched = append(touched, p.ChangeAssets[i].Name)
	}
	touched = append(touched, p.RemoveAssets...)
	if err := deleteIn(ctx, e, tx, "asset_deps", "asset", touched); err != nil {
		return err
	}
	if err := deleteIn(ctx, e, tx, "asset_labels", "asset", touched); err != nil {
		return err
	}
	if err := insertAssets(ctx, e, tx, p.AddAssets, step); err != nil {
		return err
	}
	for i := range p.ChangeAssets {
		a := &p.ChangeAssets[i]
		_, err := tx.ExecContext(ctx, `UPDATE assets SET kind = $2, owner = $3, url = $4, address = $5 WHERE name = $1`,
			a.Name, a.Kind, nullable(a.Owner), a.URL, a.Address)
		if err != nil {
			return fmt.Errorf("update asset %s: %w", a.Name, err)
		}
		step(1)
	}
	if err := insertEdges(ctx, e, tx, p.AddAssets, p.ChangeAssets); err != nil {
		return err
	}
	if err := applyChecks(ctx, e, tx, p); err != nil {
		return err
	}
	if err := applyRules(ctx, e, tx, p); err != nil {
		return err
	}
	if err := applyComponents(ctx, e, tx, p); err != nil {
		return err
	}
	if err := deleteIn(ctx, e, tx, "assets", "name", p.RemoveAssets); err != nil {
		return err
	}
	step(len(p.RemoveAssets))
	if err := deleteIn(ctx, e, tx, "customers", "id", p.RemoveCustomers); err != nil {
		return err
	}
	step(len(p.RemoveCustomers))
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func insertCustomers(ctx context.Context, e store.Engine, tx *sql.Tx, cs []Customer, step func(int)) error {
	for chunk := range slices.Chunk(cs, batchRows) {
		args := make([]any, 0, len(chunk)*5)
		for _, c := range chunk {
			args = append(args, c.ID, c.Name, c.Email, c.Language, c.Timezone)
		}
		q := `INSERT INTO customers (id, name, email, language, timezone) VALUES ` + e.Placeholders(len(chunk), 5)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert customers: %w", err)
		}
		step(len(chunk))
	}
	return nil
}

func insertAssets(ctx context.Context, e store.Engine, tx *sql.Tx, as []Asset, step func(int)) error {
	for chunk := range slices.Chunk(as, batchRows) {
		args := make([]any, 0, len(chunk)*5)
		for i := range chunk {
			a := &chunk[i]
			args = append(args, a.Name, a.Kind, nullable(a.Owner), a.URL, a.Address)
		}
		q := `INSERT INTO assets (name, kind, owner, url, address) VALUES ` + e.Placeholders(len(chunk), 5)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert assets: %w", err)
		}
		step(len(chunk))
	}
	return nil
}

// insertEdges writes the depends_on and labels rows of the given assets.
func insertEdges(ctx context.Context, e store.Engine, tx *sql.Tx, lists ...[]Asset) error {
	var deps, labels []any
	flush := func(table string, cols int, args []any) error {
		if len(args) == 0 {
			return nil
		}
		q := `INSERT INTO asset_deps (asset, depends_on) VALUES `
		if table == "asset_labels" {
			q = `INSERT INTO asset_labels (asset, key, value) VALUES `
		}
		if _, err := tx.ExecContext(ctx, q+e.Placeholders(len(args)/cols, cols), args...); err != nil {
			return fmt.Errorf("insert %s: %w", strings.TrimPrefix(table, "asset_"), err)
		}
		return nil
	}
	for _, list := range lists {
		for i := range list {
			a := &list[i]
			for _, d := range a.DependsOn {
				deps = append(deps, a.Name, d)
				if len(deps) >= batchRows*2 {
					if err := flush("asset_deps", 2, deps); err != nil {
						return err
					}
					deps = deps[:0]
				}
			}
			for k, v := range a.Labels {
				labels = append(labels, a.Name, k, v)
				if len(labels) >= batchRows*3 {
					if err := flush("asset_labels", 3, labels); err != nil {
						return err
					}
					labels = labels[:0]
				}
			}
		}
	}
	if err := flush("asset_deps", 2, deps); err != nil {
		return err
	}
	return flush("asset_labels", 3, labels)
}

// deleteIn deletes the rows of table whose column is one of values.
func deleteIn(ctx context.Context, e store.Engine, tx *sql.Tx, table, column string, values []string) error {
	for chunk := range slices.Chunk(values, batchRows) {
		args := make([]any, len(chunk))
		for i, v := range chunk {
			args[i] = v
		}
		q := `DELETE FROM ` + table + ` WHERE ` + column + ` IN ` + e.List(len(chunk))
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("delete from %s: %w", table, err)
		}
	}
	return nil
}
