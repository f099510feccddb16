package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigie/vigie/internal/check"
)

// CheckPage selects one page of checks, in order of asset then name.
type CheckPage struct {
	// Asset, Kind and Location filter as CheckFilter does; Location keeps
	// the checks that run there: those naming it and those naming no
	// location, which run everywhere.
	Asset, Kind, Location string
	// Effective pages every check the inventory implies, as EffectiveChecks
	// derives them, rather than the declared ones.
	Effective bool
	// After is the last check of the previous page; zero starts at the
	// beginning.
	After check.Key
	// Limit is the most checks of the page, at least 1.
	Limit int
}

// ChecksPage returns up to f.Limit checks after f.After, as Checks shows
// them (secrets masked), and whether more follow. It reads only the assets
// and checks of the page, never the whole inventory: the first page costs
// the same at ten sites as at a million.
func (s *Service) ChecksPage(ctx context.Context, f CheckPage) ([]check.Check, bool, error) {
	if f.Limit < 1 {
		return nil, false, fmt.Errorf("checks page: limit %d, want at least 1", f.Limit)
	}
	var list []check.Check
	var more bool
	var err error
	if f.Effective {
		list, more, err = s.effectivePage(ctx, f)
	} else {
		list, more, err = s.declaredPage(ctx, f)
	}
	if err != nil {
		return nil, false, err
	}
	for i := range list {
		list[i] = list[i].Masked()
	}
	return list, more, nil
}

// errPageFull stops reading rows once a page has one more than it holds.
var errPageFull = errors.New("page full")

// pageBatch is how many assets or checks one read of a page takes: one
// more than the page, so that a page without filters needs one read.
func pageBatch(limit int) int { return max(limit+1, 100) }

// effectivePage reads assets in name order from the cursor's asset on,
// a batch at a time, with the declared checks of the batch's range of
// names, and derives the effective checks of that batch only: three
// queries for a page without filters, whatever the size of the inventory.
func (s *Service) effectivePage(ctx context.Context, f CheckPage) ([]check.Check, bool, error) {
	out := make([]check.Check, 0, min(f.Limit, 1024))
	inv := &Inventory{}
	if err := loadCheckDefaults(ctx, s.db, inv); err != nil {
		return nil, false, err
	}
	from, inclusive := f.After.Asset, true
	batch := pageBatch(f.Limit)
	for {
		assets, err := s.assetsFrom(ctx, f.Asset, from, inclusive, batch)
		if err != nil {
			return nil, false, err
		}
		if len(assets) == 0 {
			return out, false, nil
		}
		inv.Assets = assets
		if inv.Checks, err = s.checksBetween(ctx, assets[0].Name, assets[len(assets)-1].Name); err != nil {
			return nil, false, err
		}
		list := EffectiveChecks(inv)
		// EffectiveChecks sorts by key text; the page goes by asset, then
		// name, the order the assets' names come in from the store.
		slices.SortFunc(list, compareChecks)
		for i := range list {
			c := &list[i]
			if !afterKey(c.ID(), f.After) || !f.matches(c) {
				continue
			}
			if len(out) == f.Limit {
				return out, true, nil
			}
			out = append(out, *c)
		}
		if len(assets) < batch {
			return out, false, nil
		}
		from, inclusive = assets[len(assets)-1].Name, false
	}
}

// assetsFrom returns up to limit assets from from on (from itself included
// when inclusive), by name, with what deriving their checks needs (kind,
// url, address); only asset when it is set.
func (s *Service) assetsFrom(ctx context.Context, asset, from string, inclusive bool, limit int) ([]Asset, error) {
	op := ">"
	if inclusive {
		op = ">="
	}
	args := []any{from}
	q := `SELECT name, kind, url, address FROM assets WHERE name ` + op + ` $1`
	if asset != "" {
		args = append(args, asset)
		q += ` AND name = $2`
	}
	q += fmt.Sprintf(` ORDER BY name LIMIT %d`, limit)
	var out []Asset
	err := queryEach(ctx, s.db, "load assets page", q, args, func(rows *sql.Rows) error {
		var a Asset
		if err := rows.Scan(&a.Name, &a.Kind, &a.URL, &a.Address); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// checksBetween returns the declared checks of the assets named first to
// last, both included: one range of the checks' key.
func (s *Service) checksBetween(ctx context.Context, first, last string) ([]check.Check, error) {
	inv := &Inventory{}
	err := loadCheckRows(ctx, s.db, inv, ` WHERE asset >= $1 AND asset <= $2`, []any{first, last})
	return inv.Checks, err
}

// declaredPage reads the declared checks in key order after the cursor, a
// batch at a time, keeping those the filters select.
func (s *Service) declaredPage(ctx context.Context, f CheckPage) ([]check.Check, bool, error) {
	out := make([]check.Check, 0, min(f.Limit, 1024))
	after := f.After
	batch := pageBatch(f.Limit)
	for {
		args := []any{after.Asset, after.Name}
		q := `SELECT asset, name, spec FROM checks WHERE (asset, name) > ($1, $2)`
		if f.Asset != "" {
			args = append(args, f.Asset)
			q += ` AND asset = $3`
		}
		q += fmt.Sprintf(` ORDER BY asset, name LIMIT %d`, batch)
		n := 0
		err := queryEach(ctx, s.db, "load checks page", q, args, func(rows *sql.Rows) error {
			var spec string
			if err := rows.Scan(&after.Asset, &after.Name, &spec); err != nil {
				return err
			}
			n++
			var c check.Check
			if err := json.Unmarshal([]byte(spec), &c); err != nil {
				return fmt.Errorf("check %s: %w", after, err)
			}
			if f.matches(&c) {
				if len(out) == f.Limit {
					return errPageFull
				}
				out = append(out, c)
			}
			return nil
		})
		if errors.Is(err, errPageFull) {
			return out, true, nil
		}
		if err != nil {
			return nil, false, err
		}
		if n < batch {
			return out, false, nil
		}
	}
}

// matches reports whether the filters of f keep c.
func (f *CheckPage) matches(c *check.Check) bool {
	if f.Asset != "" && c.Asset != f.Asset {
		return false
	}
	if f.Kind != "" && string(c.Kind) != f.Kind {
		return false
	}
	return f.Location == "" || len(c.Locations) == 0 || slices.Contains(c.Locations, f.Location)
}

// afterKey reports whether k comes after the cursor, by asset then name.
func afterKey(k, cursor check.Key) bool {
	if cursor == (check.Key{}) {
		return true
	}
	return compareKeys(k, cursor) > 0
}

func compareKeys(a, b check.Key) int {
	if c := strings.Compare(a.Asset, b.Asset); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

func compareChecks(a, b check.Check) int { return compareKeys(a.ID(), b.ID()) }
