package inventory

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/store"
)

// ComponentCoverage returns, for each public component's id, the sorted
// names of the assets it covers: those its selector matches and those it
// lists that still exist (a listed asset deleted since is left out).
// Each distinct selector is one query on an index, whatever the number of
// components sharing it, and reads the asset names only.
func (s *Service) ComponentCoverage(ctx context.Context) (map[string][]string, error) {
	comps, err := s.Components(ctx)
	if err != nil {
		return nil, err
	}
	return coverage(ctx, s.db, s.db.Engine, comps)
}

// CoveredAssets returns the sorted names of the assets c covers, as
// ComponentCoverage counts them.
func (s *Service) CoveredAssets(ctx context.Context, c Component) ([]string, error) {
	cov, err := coverage(ctx, s.db, s.db.Engine, []Component{c})
	if err != nil {
		return nil, err
	}
	return cov[c.ID()], nil
}

// coverage computes the coverage of comps.
func coverage(ctx context.Context, q querier, e store.Engine, comps []Component) (map[string][]string, error) {
	matched := map[Selector][]string{}
	var listed []string
	for i := range comps {
		c := &comps[i]
		if c.Covers != nil {
			if _, done := matched[*c.Covers]; !done {
				names, err := selectAssets(ctx, q, c.Covers)
				if err != nil {
					return nil, err
				}
				matched[*c.Covers] = names
			}
		}
		listed = append(listed, c.Assets...)
	}
	existing, err := existingAssets(ctx, q, e, listed)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(comps))
	shared := map[Selector]bool{}
	for i := range comps {
		c := &comps[i]
		var selected []string
		if c.Covers != nil {
			selected = matched[*c.Covers]
			if shared[*c.Covers] {
				// Each component gets a list of its own.
				selected = slices.Clone(selected)
			}
			shared[*c.Covers] = true
		}
		var names []string
		for _, name := range c.Assets {
			if n, ok := existing[name]; ok {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		out[c.ID()] = mergeSorted(selected, names)
	}
	return out, nil
}

// selectAssets returns the sorted names of the assets s matches.
func selectAssets(ctx context.Context, q querier, s *Selector) ([]string, error) {
	var (
		query string
		args  []any
	)
	key, value, hasValue, hasLabel := s.labelPair()
	switch {
	case hasLabel:
		query = `SELECT l.asset FROM asset_labels l`
		where := []string{"l.key = $1"}
		args = append(args, key)
		if hasValue {
			args = append(args, value)
			where = append(where, "l.value = $2")
		}
		if s.Kind != "" {
			query += ` JOIN assets a ON a.name = l.asset`
			args = append(args, s.Kind)
			where = append(where, "a.kind = $"+strconv.Itoa(len(args)))
		}
		query += ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY l.asset`
	case s.Kind != "":
		query, args = `SELECT name FROM assets WHERE kind = $1 ORDER BY name`, []any{s.Kind}
	default:
		query = `SELECT name FROM assets ORDER BY name`
	}
	names, err := queryNames(ctx, q, "assets covered by "+s.Kind+" "+s.Label, query, args...)
	if err != nil {
		return nil, err
	}
	// Both engines order names bytewise (PostgreSQL's are COLLATE "C"),
	// but the merge must not depend on it.
	if !slices.IsSorted(names) {
		slices.Sort(names)
	}
	return names, nil
}

// existingAssets returns which of names are assets, each mapped to itself
// so that callers share one copy of the string.
func existingAssets(ctx context.Context, q querier, e store.Engine, names []string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	for chunk := range slices.Chunk(names, batchRows) {
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		found, err := queryNames(ctx, q, "find assets", `SELECT name FROM assets WHERE name IN `+e.List(len(chunk)), args...)
		if err != nil {
			return nil, err
		}
		for _, n := range found {
			out[n] = n
		}
	}
	return out, nil
}

// mergeSorted returns the union of two sorted lists, sorted, without
// repeats; never nil.
func mergeSorted(a, b []string) []string {
	switch {
	case len(b) == 0 && a == nil:
		return []string{}
	case len(b) == 0:
		return a
	}
	out := make([]string, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var next string
		switch {
		case j == len(b) || i < len(a) && a[i] <= b[j]:
			next = a[i]
			i++
		default:
			next = b[j]
			j++
		}
		if len(out) == 0 || out[len(out)-1] != next {
			out = append(out, next)
		}
	}
	return out
}
