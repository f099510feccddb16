package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
	"github.com/vigie/vigie/internal/store"
)

// baselineBatch is the rows per INSERT of the baseline, the same as the import's.
const baselineBatch = 500

// Placeholder styles of the baseline.
const (
	// nativeStyle is the engine's own positional parameters: ? on SQLite,
	// $n on PostgreSQL.
	nativeStyle = "native"
	// dollarStyle is $n on both engines, as store.Placeholders writes them.
	dollarStyle = "dollar"
	qmarkStyle  = "qmark"
)

// runBaselineChild writes the host of n sites into the empty database dsn
// the plainest way: migrations, then every customers, assets, asset_deps and
// asset_labels row in batched multi-row INSERTs in one transaction, with no
// parsing, validation or diff. Assets are inserted sorted by name like the
// import's, since the insertion order changes the cost. It prints a
// baselineResult as JSON.
func runBaselineChild(ctx context.Context, dsn string, n int, style string) error {
	inv := simulate.Generate(simulate.Params{Sites: n})
	sortLikeImport(inv)
	t0 := time.Now()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	if _, err := db.Migrate(ctx, nil); err != nil {
		return err
	}
	if style == nativeStyle && db.Engine == store.SQLite {
		style = qmarkStyle
	}
	var rows rowCounts
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		rows, err = writeRows(ctx, tx, inv, style == qmarkStyle)
		return err
	})
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	return json.NewEncoder(os.Stdout).Encode(baselineResult{Write: time.Since(t0), Rows: rows})
}

// sortLikeImport puts the rows in the order the import writes them:
// customers by id, assets by name, dependencies by name. The order matters:
// B-trees filled in key order end up denser and are written faster.
func sortLikeImport(inv *inventory.Inventory) {
	slices.SortFunc(inv.Customers, func(a, b inventory.Customer) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(inv.Assets, func(a, b inventory.Asset) int { return strings.Compare(a.Name, b.Name) })
	for i := range inv.Assets {
		slices.Sort(inv.Assets[i].DependsOn)
	}
}

func writeRows(ctx context.Context, tx *sql.Tx, inv *inventory.Inventory, qmarks bool) (rowCounts, error) {
	var rc rowCounts
	customers := newBatcher(tx, "INSERT INTO customers (id, name, email, language, timezone) VALUES ", 5, qmarks)
	for _, c := range inv.Customers {
		if err := customers.add(ctx, c.ID, c.Name, c.Email, c.Language, c.Timezone); err != nil {
			return rc, err
		}
	}
	// Each table is flushed before the next one refers to it.
	if err := customers.flush(ctx); err != nil {
		return rc, err
	}
	assets := newBatcher(tx, "INSERT INTO assets (name, kind, owner, url, address) VALUES ", 5, qmarks)
	for i := range inv.Assets {
		a := &inv.Assets[i]
		var owner any
		if a.Owner != "" {
			owner = a.Owner
		}
		if err := assets.add(ctx, a.Name, a.Kind, owner, a.URL, a.Address); err != nil {
			return rc, err
		}
	}
	if err := assets.flush(ctx); err != nil {
		return rc, err
	}
	deps := newBatcher(tx, "INSERT INTO asset_deps (asset, depends_on) VALUES ", 2, qmarks)
	labels := newBatcher(tx, "INSERT INTO asset_labels (asset, key, value) VALUES ", 3, qmarks)
	for i := range inv.Assets {
		a := &inv.Assets[i]
		for _, d := range a.DependsOn {
			if err := deps.add(ctx, a.Name, d); err != nil {
				return rc, err
			}
		}
		for k, v := range a.Labels {
			if err := labels.add(ctx, a.Name, k, v); err != nil {
				return rc, err
			}
		}
	}
	for _, b := range []*batcher{deps, labels} {
		if err := b.flush(ctx); err != nil {
			return rc, err
		}
	}
	rc = rowCounts{Customers: customers.rows, Assets: assets.rows, Deps: deps.rows, Labels: labels.rows}
	return rc, nil
}

// batcher gathers the rows of one table into multi-row INSERTs.
type batcher struct {
	tx     *sql.Tx
	head   string
	cols   int
	qmarks bool
	full   string // the statement of a full batch, built once
	args   []any
	rows   int64
}

func newBatcher(tx *sql.Tx, head string, cols int, qmarks bool) *batcher {
	return &batcher{tx: tx, head: head, cols: cols, qmarks: qmarks,
		full: head + placeholders(baselineBatch, cols, qmarks), args: make([]any, 0, baselineBatch*cols)}
}

// placeholders returns the parameters of a multi-row INSERT: numbered $n
// ones as PostgreSQL takes them, or anonymous ? ones.
func placeholders(rows, cols int, qmarks bool) string {
	if !qmarks {
		return store.Postgres.Placeholders(rows, cols)
	}
	row := "(?" + strings.Repeat(",?", cols-1) + ")"
	return row + strings.Repeat(","+row, rows-1)
}

func (b *batcher) add(ctx context.Context, values ...any) error {
	b.args = append(b.args, values...)
	b.rows++
	if len(b.args) == baselineBatch*b.cols {
		return b.flush(ctx)
	}
	return nil
}

func (b *batcher) flush(ctx context.Context) error {
	n := len(b.args) / b.cols
	if n == 0 {
		return nil
	}
	q := b.full
	if n != baselineBatch {
		q = b.head + placeholders(n, b.cols, b.qmarks)
	}
	if _, err := b.tx.ExecContext(ctx, q, b.args...); err != nil {
		return fmt.Errorf("%s…: %w", b.head, err)
	}
	b.args = b.args[:0]
	return nil
}
