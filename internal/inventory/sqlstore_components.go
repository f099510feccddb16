package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/vigie/vigie/internal/store"
)

// PlacedComponent is a component with its place in the list, from 0.
type PlacedComponent struct {
	Component
	Position int
}

// loadComponents reads the components in their order. Every writer keeps
// their positions 0, 1, 2… without gaps, so that a component's index in
// the list is its stored position.
func loadComponents(ctx context.Context, q querier, inv *Inventory) error {
	return queryEach(ctx, q, "load components", `SELECT id, spec FROM components ORDER BY position, id`, nil,
		func(rows *sql.Rows) error {
			var id, spec string
			if err := rows.Scan(&id, &spec); err != nil {
				return err
			}
			var c Component
			if err := json.Unmarshal([]byte(spec), &c); err != nil {
				return fmt.Errorf("component %s: %w", id, err)
			}
			inv.Components = append(inv.Components, c)
			return nil
		})
}

// applyComponents writes the component changes of p.
func applyComponents(ctx context.Context, e store.Engine, tx *sql.Tx, p *Plan) error {
	for _, id := range p.RemoveComponents {
		if _, err := tx.ExecContext(ctx, `DELETE FROM components WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete component %s: %w", id, err)
		}
	}
	for _, c := range p.PutComponents {
		id := c.ID()
		spec, err := json.Marshal(c.Component)
		if err != nil {
			return fmt.Errorf("encode component %s: %w", id, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO components (id, position, spec) VALUES `+e.Placeholders(1, 3)+`
			ON CONFLICT (id) DO UPDATE SET position = excluded.position, spec = excluded.spec`, id, c.Position, string(spec))
		if err != nil {
			return fmt.Errorf("save component %s: %w", id, err)
		}
	}
	return nil
}

// diffComponents adds to p what turns current's components into desired's:
// each component new, changed or at another index is put at its index,
// and the others removed. For the summary, a component counts as changed
// when its content changed or it moved among the others, not when it only
// shifted because one before it came or went.
func diffComponents(p *Plan, current, desired *Inventory) {
	cur := make(map[string]int, len(current.Components))
	for i := range current.Components {
		cur[current.Components[i].ID()] = i
	}
	want := make(map[string]bool, len(desired.Components))
	// The current index of each unchanged component, in desired order.
	var kept []int
	for i, c := range desired.Components {
		id := c.ID()
		want[id] = true
		j, ok := cur[id]
		switch {
		case !ok:
			p.newComponents++
		case !sameJSON(current.Components[j], c):
			p.changedComponents++
		default:
			kept = append(kept, j)
		}
		if !ok || j != i || !sameJSON(current.Components[j], c) {
			p.PutComponents = append(p.PutComponents, PlacedComponent{Component: c, Position: i})
		}
	}
	for _, c := range current.Components {
		if id := c.ID(); !want[id] {
			p.RemoveComponents = append(p.RemoveComponents, id)
		}
	}
	// Of the unchanged ones, those outside a longest run still in their
	// current order are the ones that moved.
	p.changedComponents += len(kept) - longestIncreasing(kept)
}

// longestIncreasing returns the length of a longest strictly increasing
// subsequence of xs.
func longestIncreasing(xs []int) int {
	var tails []int
	for _, x := range xs {
		i := sort.SearchInts(tails, x)
		if i == len(tails) {
			tails = append(tails, x)
		} else {
			tails[i] = x
		}
	}
	return len(tails)
}
