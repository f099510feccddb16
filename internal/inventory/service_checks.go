package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
)

// CheckFilter selects checks.
type CheckFilter struct {
	Asset string
	Kind  string
	// Effective lists every check the inventory implies (with the defaults
	// of each asset kind, completed from the asset), not only declared ones.
	Effective bool
}

// Checks returns the declared or effective checks matching f, by key, as
// shown to people: each secret (header values but Host's, the URL's
// password) reads check.SecretMarker. The monitor and the probes, which
// run the checks, use ChecksWithSecrets.
func (s *Service) Checks(ctx context.Context, f CheckFilter) ([]check.Check, error) {
	list, err := s.ChecksWithSecrets(ctx, f)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i] = list[i].Masked()
	}
	return list, nil
}

// ChecksWithSecrets is Checks with the secrets in clear, for whatever runs
// the checks; never show its result.
func (s *Service) ChecksWithSecrets(ctx context.Context, f CheckFilter) ([]check.Check, error) {
	var inv *Inventory
	var err error
	if f.Asset != "" {
		inv, err = loadAssetChecks(ctx, s.db, f.Asset)
	} else {
		inv, _, err = loadAll(ctx, s.db)
	}
	if err != nil {
		return nil, err
	}
	list := inv.Checks
	if f.Effective {
		list = EffectiveChecks(inv)
	}
	out := []check.Check{}
	for _, c := range list {
		if (f.Asset == "" || c.Asset == f.Asset) && (f.Kind == "" || string(c.Kind) == f.Kind) {
			out = append(out, c)
		}
	}
	return out, nil
}

// ChecksOfAssets returns the effective checks of each named asset, by
// asset then key, as Checks shows them; names that are no asset are
// left out. It reads the store a few times for any number of names.
func (s *Service) ChecksOfAssets(ctx context.Context, names []string) (map[string][]check.Check, error) {
	inv, err := loadAssetsChecks(ctx, s.db, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]check.Check, len(inv.Assets))
	for _, c := range EffectiveChecks(inv) {
		out[c.Asset] = append(out[c.Asset], c.Masked())
	}
	return out, nil
}

// SaveCheck creates or replaces a declared check after validating it
// against its asset, and returns it as Checks shows it. A secret given as
// check.SecretMarker keeps the stored value; a marker where none is stored
// is a CheckInvalidError naming the field.
func (s *Service) SaveCheck(ctx context.Context, c check.Check, mode Mode) (check.Check, error) {
	if c.Kind == KindNone {
		return check.Check{}, &CheckInvalidError{Fields: []check.FieldError{{Field: "kind", Message: `"none" only turns off a default check`}}}
	}
	_, err := s.write(ctx, func(tx *sql.Tx) (*Plan, error) {
		a, err := getAsset(ctx, s.db, tx, c.Asset)
		if errors.Is(err, store.ErrNotFound) {
			return nil, &CheckInvalidError{Fields: []check.FieldError{{Field: "asset", Message: fmt.Sprintf("unknown asset %q", c.Asset)}}}
		}
		if err != nil {
			return nil, err
		}
		stored, err := storedCheck(ctx, tx, c.Asset, checkName(&c))
		if err != nil {
			return nil, err
		}
		// A check written back as it was shown keeps its secrets.
		var kept []check.FieldError
		if c, kept = c.KeepSecrets(stored); len(kept) > 0 {
			return nil, &CheckInvalidError{Fields: kept}
		}
		full := Resolve(c, &a)
		if errs := check.Validate(&full); len(errs) > 0 {
			return nil, &CheckInvalidError{Fields: errs}
		}
		n := 0
		if stored != nil {
			n = 1
		}
		p := &Plan{}
		switch {
		case mode == Create && n > 0:
			return nil, fmt.Errorf("check %q already exists: %w", c.Key(), store.ErrConflict)
		case mode == Update && n == 0:
			return nil, store.NotFound("check", c.Key())
		case n == 0:
			p.AddChecks = []check.Check{c}
		default:
			p.ChangeChecks = []check.Check{c}
		}
		return p, applyChecks(ctx, s.db.Engine, tx, p)
	})
	if err != nil {
		return check.Check{}, err
	}
	return c.Masked(), nil
}

// DeleteCheck removes a declared check.
func (s *Service) DeleteCheck(ctx context.Context, asset, name string) error {
	_, err := s.write(ctx, func(tx *sql.Tx) (*Plan, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM checks WHERE asset = $1 AND name = $2`, asset, name)
		if err != nil {
			return nil, fmt.Errorf("delete check %s/%s: %w", asset, name, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return nil, store.NotFound("check", check.Key{Asset: asset, Name: name})
		}
		// Already deleted above; the plan only bumps the version.
		return &Plan{RemoveChecks: []check.Check{{Asset: asset, Name: name}}}, nil
	})
	return err
}

// CheckInvalidError lists what is wrong with a check sent through the API,
// by field name.
type CheckInvalidError struct {
	Fields []check.FieldError
}

func (e *CheckInvalidError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid check: " + strings.Join(parts, "; ")
}
