package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/vigie/vigie/internal/store"
)

// MaxPage is the largest page a list returns.
const MaxPage = 1000

// DefaultPage is the page size when none is asked for.
const DefaultPage = 100

// AssetFilter selects a page of assets, ordered by name.
type AssetFilter struct {
	Kind   string
	Owner  string
	Prefix string
	// Label is "key=value", or "key" for any value.
	Label string
	// After is the last name of the previous page.
	After string
	Limit int
}

// CustomerFilter selects a page of customers, ordered by id.
type CustomerFilter struct {
	Prefix string
	After  string
	Limit  int
}

func pageSize(n int) int {
	if n <= 0 {
		return DefaultPage
	}
	return min(n, MaxPage)
}

// where builds a WHERE clause from conditions, numbering placeholders.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	for range args {
		cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(w.args)+1), 1)
		w.args = append(w.args, args[0])
		args = args[1:]
	}
	w.conds = append(w.conds, cond)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func listAssets(ctx context.Context, db *store.DB, f AssetFilter) ([]Asset, error) {
	var w where
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	if f.Owner != "" {
		w.add("owner = ?", f.Owner)
	}
	if f.Prefix != "" {
		w.add("substr(name, 1, ?) = ?", len([]rune(f.Prefix)), f.Prefix)
	}
	if f.Label != "" {
		k, v, hasValue := strings.Cut(f.Label, "=")
		if hasValue {
			w.add("EXISTS (SELECT 1 FROM asset_labels l WHERE l.asset = assets.name AND l.key = ? AND l.value = ?)", k, v)
		} else {
			w.add("EXISTS (SELECT 1 FROM asset_labels l WHERE l.asset = assets.name AND l.key = ?)", k)
		}
	}
	if f.After != "" {
		w.add("name > ?", f.After)
	}
	q := `SELECT name, kind, COALESCE(owner, ''), url, address FROM assets` + w.String() +
		fmt.Sprintf(` ORDER BY name LIMIT %d`, pageSize(f.Limit))
	out := []Asset{}
	err := queryEach(ctx, db, "list assets", q, w.args, func(rows *sql.Rows) error {
		var a Asset
		if err := rows.Scan(&a.Name, &a.Kind, &a.Owner, &a.URL, &a.Address); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, fillEdges(ctx, db, out)
}

// fillEdges loads the depends_on lists and labels of a page of assets.
func fillEdges(ctx context.Context, db *store.DB, page []Asset) error {
	if len(page) == 0 {
		return nil
	}
	index := make(map[string]int, len(page))
	args := make([]any, len(page))
	for i := range page {
		index[page[i].Name] = i
		args[i] = page[i].Name
	}
	return loadEdges(ctx, db, page, index, ` WHERE asset IN `+db.Engine.List(len(page)), args...)
}

func getAsset(ctx context.Context, db *store.DB, q querier, name string) (Asset, error) {
	var a Asset
	err := q.QueryRowContext(ctx, `SELECT name, kind, COALESCE(owner, ''), url, address FROM assets WHERE name = $1`, name).
		Scan(&a.Name, &a.Kind, &a.Owner, &a.URL, &a.Address)
	if errors.Is(err, sql.ErrNoRows) {
		return Asset{}, store.NotFound("asset", name)
	}
	if err != nil {
		return Asset{}, fmt.Errorf("get asset %q: %w", name, err)
	}
	page := []Asset{a}
	if err := fillEdges(ctx, db, page); err != nil {
		return Asset{}, err
	}
	return page[0], nil
}

func listCustomers(ctx context.Context, db *store.DB, f CustomerFilter) ([]Customer, error) {
	var w where
	if f.Prefix != "" {
		w.add("substr(id, 1, ?) = ?", len([]rune(f.Prefix)), f.Prefix)
	}
	if f.After != "" {
		w.add("id > ?", f.After)
	}
	q := `SELECT id, name, email, language, timezone FROM customers` + w.String() +
		fmt.Sprintf(` ORDER BY id LIMIT %d`, pageSize(f.Limit))
	out := []Customer{}
	err := queryEach(ctx, db, "list customers", q, w.args, func(rows *sql.Rows) error {
		var c Customer
		if err := rows.Scan(&c.ID, &c.Name, &c.Email, &c.Language, &c.Timezone); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

func getCustomer(ctx context.Context, q querier, id string) (Customer, error) {
	var c Customer
	err := q.QueryRowContext(ctx, `SELECT id, name, email, language, timezone FROM customers WHERE id = $1`, id).
		Scan(&c.ID, &c.Name, &c.Email, &c.Language, &c.Timezone)
	if errors.Is(err, sql.ErrNoRows) {
		return Customer{}, store.NotFound("customer", id)
	}
	if err != nil {
		return Customer{}, fmt.Errorf("get customer %q: %w", id, err)
	}
	return c, nil
}

// ownedAssets returns up to limit names of assets owned by a customer.
func ownedAssets(ctx context.Context, q querier, id string, limit int) ([]string, error) {
	return queryNames(ctx, q, "assets of customer "+id,
		fmt.Sprintf(`SELECT name FROM assets WHERE owner = $1 ORDER BY name LIMIT %d`, limit), id)
}
