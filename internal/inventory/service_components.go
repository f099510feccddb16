package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigie/vigie/internal/store"
)

// Components returns the public components in their order.
func (s *Service) Components(ctx context.Context) ([]Component, error) {
	inv := &Inventory{Components: []Component{}}
	if err := loadComponents(ctx, s.db, inv); err != nil {
		return nil, err
	}
	return inv.Components, nil
}

// Component returns the public component of the given id.
func (s *Service) Component(ctx context.Context, id string) (Component, error) {
	var spec string
	err := s.db.QueryRowContext(ctx, `SELECT spec FROM components WHERE id = $1`, id).Scan(&spec)
	if errors.Is(err, sql.ErrNoRows) {
		return Component{}, store.NotFound("component", id)
	}
	if err != nil {
		return Component{}, fmt.Errorf("read component %s: %w", id, err)
	}
	var c Component
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		return Component{}, fmt.Errorf("component %s: %w", id, err)
	}
	return c, nil
}

// SaveComponent creates a public component, placed last, or replaces the
// one of the same id in its place, after validating it and checking that
// the assets it lists exist. Creating an existing id is a conflict, and
// replacing a missing one is not found.
func (s *Service) SaveComponent(ctx context.Context, c Component, mode Mode) (Component, error) {
	if errs := ValidateComponent(&c); len(errs) > 0 {
		return Component{}, &ComponentInvalidError{Fields: errs}
	}
	id := c.ID()
	_, err := s.write(ctx, func(tx *sql.Tx) (*Plan, error) {
		current := &Inventory{}
		if err := loadComponents(ctx, tx, current); err != nil {
			return nil, err
		}
		i := slices.IndexFunc(current.Components, func(x Component) bool { return x.ID() == id })
		switch {
		case mode == Create && i >= 0:
			return nil, &store.ConflictError{Message: fmt.Sprintf("component %q already exists", id), Err: store.ErrConflict}
		case mode == Update && i < 0:
			return nil, store.NotFound("component", id)
		}
		if err := checkComponentAssets(ctx, tx, s.db.Engine, &c); err != nil {
			return nil, err
		}
		desired := &Inventory{Components: slices.Clone(current.Components)}
		if i >= 0 {
			desired.Components[i] = c
		} else {
			desired.Components = append(desired.Components, c)
		}
		// Groups and components share one id space on the status page.
		for _, pair := range groupClashes(desired.Components) {
			g, n := &desired.Components[pair[0]], &desired.Components[pair[1]]
			if g.ID() == id || n.ID() == id {
				return nil, &ComponentInvalidError{Fields: []ComponentFieldError{{Field: "group",
					Message: fmt.Sprintf("group %q of component %q has the id %q of component %q: groups and components share one id space", g.Group, g.Name, n.ID(), n.Name)}}}
			}
		}
		p := &Plan{}
		diffComponents(p, current, desired)
		return p, applyComponents(ctx, s.db.Engine, tx, p)
	})
	if err != nil {
		return Component{}, fmt.Errorf("save component %s: %w", id, err)
	}
	return c, nil
}

// DeleteComponent removes a public component; the ones after it move up.
func (s *Service) DeleteComponent(ctx context.Context, id string) error {
	_, err := s.write(ctx, func(tx *sql.Tx) (*Plan, error) {
		current := &Inventory{}
		if err := loadComponents(ctx, tx, current); err != nil {
			return nil, err
		}
		desired := &Inventory{Components: slices.DeleteFunc(slices.Clone(current.Components),
			func(x Component) bool { return x.ID() == id })}
		if len(desired.Components) == len(current.Components) {
			return nil, store.NotFound("component", id)
		}
		p := &Plan{}
		diffComponents(p, current, desired)
		return p, applyComponents(ctx, s.db.Engine, tx, p)
	})
	if err != nil {
		return fmt.Errorf("delete component %s: %w", id, err)
	}
	return nil
}

// checkComponentAssets refuses a component listing assets that do not
// exist, naming each.
func checkComponentAssets(ctx context.Context, q querier, e store.Engine, c *Component) error {
	existing, err := existingAssets(ctx, q, e, c.Assets)
	if err != nil {
		return err
	}
	var errs []ComponentFieldError
	for _, name := range c.Assets {
		if _, ok := existing[name]; !ok {
			errs = append(errs, ComponentFieldError{Field: "assets", Message: fmt.Sprintf("unknown asset %q", name)})
		}
	}
	if len(errs) > 0 {
		return &ComponentInvalidError{Fields: errs}
	}
	return nil
}

// dropDeletedAssets removes from the components' lists the assets inv
// does not hold (its assets sorted by name): deleting an asset leaves the
// lists naming it as they were.
func dropDeletedAssets(inv *Inventory) {
	for i := range inv.Components {
		c := &inv.Components[i]
		c.Assets = slices.DeleteFunc(c.Assets, func(name string) bool {
			_, found := slices.BinarySearchFunc(inv.Assets, name, func(a Asset, n string) int { return strings.Compare(a.Name, n) })
			return !found
		})
		if len(c.Assets) == 0 {
			c.Assets = nil
		}
	}
}
