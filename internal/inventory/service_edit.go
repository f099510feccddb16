package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigie/vigie/internal/store"
)

// Mode says whether a save creates a new entity or replaces an existing one.
type Mode int

// The save modes.
const (
	Create Mode = iota
	Update
)

// maxReferrers bounds the names listed when a delete is refused.
const maxReferrers = 200

// Assets returns a page of assets.
func (s *Service) Assets(ctx context.Context, f AssetFilter) ([]Asset, error) {
	return listAssets(ctx, s.db, f)
}

// Asset returns one asset.
func (s *Service) Asset(ctx context.Context, name string) (Asset, error) {
	return getAsset(ctx, s.db, s.db, name)
}

// Customers returns a page of customers.
func (s *Service) Customers(ctx context.Context, f CustomerFilter) ([]Customer, error) {
	return listCustomers(ctx, s.db, f)
}

// Customer returns one customer.
func (s *Service) Customer(ctx context.Context, id string) (Customer, error) {
	return getCustomer(ctx, s.db, id)
}

// SaveCustomer creates or updates a customer after validating it.
func (s *Service) SaveCustomer(ctx context.Context, c Customer, mode Mode) (Customer, error) {
	if errs := ValidateCustomer(&c); len(errs) > 0 {
		return Customer{}, &InvalidError{Fields: errs}
	}
	_, err := s.write(ctx, func(tx *sql.Tx) (*Plan, error) {
		old, err := getCustomer(ctx, tx, c.ID)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		p := &Plan{}
		switch {
		case mode == Create && exists:
			return nil, fmt.Errorf("customer %q already exists: %w", c.ID, store.ErrConflict)
		case mode == Update && !exists:
			return nil, store.NotFound("customer", c.ID)
		case !exists:
			p.AddCustomers = []Customer{c}
		case old != c:
			p.ChangeCustomers = []Customer{c}
		}
		return p, applyPlan(ctx, s.db.Engine, tx, p, nil)
	})
	if err != nil {
		return Customer{}, err
	}
	return c, nil
}

// DeleteCustomer removes a customer who owns no asset.
func (s *Service) DeleteCustomer(ctx context.Context, id string) error {
	_, err := s.write(ctx, func(tx *sql.Tx) (*Plan, error) {
		if _, err := getCustomer(ctx, tx, id); err != nil {
			return nil, err
		}
		owned, err := ownedAssets(ctx, tx, id, maxReferrers)
		if err != nil {
			return nil, err
		}
		if len(owned) > 0 {
			return nil, &InUseError{What: "customer " + id, By: owned}
		}
		p := &Plan{RemoveCustomers: []string{id}}
		return p, applyPlan(ctx, s.db.Engine, tx, p, nil)
	})
	return err
}

// SaveAsset creates or updates an asset after validating it, its references
// and the acyclicity of the graph with it.
func (s *Service) SaveAsset(ctx context.Context, a Asset, mode Mode) (Asset, error) {
	if errs := ValidateAsset(&a); len(errs) > 0 {
		return Asset{}, &InvalidError{Fields: errs}
	}
	slices.Sort(a.DependsOn)
	if err := s.Refresh(ctx); err != nil {
		return Asset{}, err
	}
	_, err := s.write(ctx, func(tx *sql.Tx) (*Plan, error) {
		old, err := getAsset(ctx, s.db, tx, a.Name)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		switch {
		case mode == Create && exists:
			return nil, fmt.Errorf("asset %q already exists: %w", a.Name, store.ErrConflict)
		case mode == Update && !exists:
			return nil, store.NotFound("asset", a.Name)
		}
		if err := s.checkReferences(ctx, tx, &a); err != nil {
			return nil, err
		}
		p := &Plan{}
		switch {
		case !exists:
			p.AddAssets = []Asset{a}
		case !sameAsset(&old, &a):
			p.ChangeAssets = []Asset{a}
		}
		return p, applyPlan(ctx, s.db.Engine, tx, p, nil)
	})
	if err != nil {
		return Asset{}, err
	}
	return a, nil
}

func (s *Service) checkReferences(ctx context.Context, tx *sql.Tx, a *Asset) error {
	var errs []FieldError
	if a.Owner != "" {
		if _, err := getCustomer(ctx, tx, a.Owner); errors.Is(err, store.ErrNotFound) {
			errs = append(errs, FieldError{Field: FieldOwner, Message: fmt.Sprintf("unknown customer %q", a.Owner)})
		} else if err != nil {
			return err
		}
	}
	for _, d := range a.DependsOn {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM assets WHERE name = $1`, d).Scan(&n); err != nil {
			return fmt.Errorf("check dependency %q: %w", d, err)
		}
		if n == 0 {
			errs = append(errs, FieldError{Field: FieldDependsOn, Message: fmt.Sprintf("unknown asset %q", d)})
		}
	}
	if len(errs) == 0 {
		if path := s.Graph().PathTo(a.DependsOn, a.Name); path != nil {
			cycle := append([]string{a.Name}, path...)
			errs = append(errs, FieldError{Field: FieldDependsOn,
				Message: "dependency cycle: " + strings.Join(cycle, " -> ")})
		}
	}
	if len(errs) > 0 {
		return &InvalidError{Fields: errs}
	}
	return nil
}

// DeleteAsset removes an asset nothing depends on.
func (s *Service) DeleteAsset(ctx context.Context, name string) error {
	_, err := s.write(ctx, func(tx *sql.Tx) (*Plan, error) {
		a, err := getAsset(ctx, s.db, tx, name)
		if err != nil {
			return nil, err
		}
		deps, err := dependentsOf(ctx, tx, name)
		if err != nil {
			return nil, err
		}
		if len(deps) > 0 {
			return nil, &InUseError{What: "asset " + name, By: deps}
		}
		p := &Plan{RemoveAssets: []string{name}, removedKinds: map[string]int{a.Kind: 1}}
		return p, applyPlan(ctx, s.db.Engine, tx, p, nil)
	})
	return err
}

func dependentsOf(ctx context.Context, tx *sql.Tx, name string) ([]string, error) {
	return queryNames(ctx, tx, "dependents of "+name,
		fmt.Sprintf(`SELECT asset FROM asset_deps WHERE depends_on = $1 ORDER BY asset LIMIT %d`, maxReferrers), name)
}
