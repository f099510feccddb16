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
// a batch at a time, and derives the effective checks of each batch only.
func (s *Service) effectivePage(ctx context.Context, f CheckPage) ([]check.Check, bool, error) {
	out := make([]check.Check, 0, min(f.Limit, 1024))
	from, inclusive := f.After.Asset, true
	batch := pageBatch(f.Limit)
	for {
		names, err := s.assetNamesFrom(ctx, f.Asset, from, inclusive, batch)
		if err != nil {
			return nil, false, err
		}
		if len(names) == 0 {
			return out, false, nil
		}
		inv, err := loadAssetsChecks(ctx, s.db, names)
		if err != nil {
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
		if len(names) < batch {
			return out, false, nil
		}
		from, inclusive = names[len(names)-1], false
	}
}

// declaredPage reads the declared checks in key order after the cursor, a
// batch at a time, keeping those the filters select.
func (s *Service) declaredPage(ctx context.Context, f CheckPage) ([]check.Check, bool, error) {
	out := make([]check.Check, 0, min(f.Limit, 1024))
	after := f.After
	batch := pageBatch(f.Limit)
	for {
		args := []any{after.Asset, after.Name}
		q := `SELECT asset, name, spec FROM checks WHERE asset >= $1 AND (asset > $1 OR name > $2)`
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

// assetNamesFrom returns up to limit asset names from from on (from
// itself included when inclusive), in order; only asset when it is set.
func (s *Service) assetNamesFrom(ctx context.Context, asset, from string, inclusive bool, limit int) ([]string, error) {
	op := ">"
	if inclusive {
		op = ">="
	}
	args := []any{from}
	q := `SELECT name FROM assets WHERE name ` + op + ` $1`
	if asset != "" {
		args = append(args, asset)
		q += ` AND name = $2`
	}
	q += fmt.Sprintf(` ORDER BY name LIMIT %d`, limit)
	return queryNames(ctx, s.db, "load assets page", q, args...)
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
