package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vigie/vigie/internal/check"
)

// storedCheck returns the declared check asset/name as stored, secrets in
// clear, or nil when there is none.
func storedCheck(ctx context.Context, q querier, asset, name string) (*check.Check, error) {
	var spec string
	err := q.QueryRowContext(ctx, `SELECT spec FROM checks WHERE asset = $1 AND name = $2`, asset, name).Scan(&spec)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up check %s: %w", check.Key{Asset: asset, Name: name}, err)
	}
	var c check.Check
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		return nil, fmt.Errorf("check %s: %w", check.Key{Asset: asset, Name: name}, err)
	}
	return &c, nil
}

// maskSecrets replaces the secrets of inv's checks and default checks with
// check.SecretMarker, for an export.
func maskSecrets(inv *Inventory) {
	for i := range inv.Checks {
		inv.Checks[i] = inv.Checks[i].Masked()
	}
	for i := range inv.CheckDefaults {
		inv.CheckDefaults[i].Check = inv.CheckDefaults[i].Check.Masked()
	}
}

// keepSecrets puts back, in the checks and default checks of docs, the
// stored secrets that base holds where the documents hold
// check.SecretMarker (an export imported back), and reports a marker
// where nothing is stored.
func keepSecrets(base *Inventory, docs []*Document) Problems {
	stored := make(map[string]*check.Check, len(base.Checks))
	for i := range base.Checks {
		stored[base.Checks[i].Key()] = &base.Checks[i]
	}
	defaults := make(map[string]*check.Check, len(base.CheckDefaults))
	for i := range base.CheckDefaults {
		defaults[base.CheckDefaults[i].AssetKind] = &base.CheckDefaults[i].Check
	}
	var problems Problems
	report := func(file string, line int, fieldLines map[string]int, what string, errs []check.FieldError) {
		for _, e := range errs {
			l := line
			field, _, _ := strings.Cut(e.Field, ".") // headers.NAME is on the line of headers
			if fl, ok := fieldLines[field]; ok && fl > 0 {
				l = fl
			}
			problems = append(problems, Problem{File: file, Line: l, Message: fmt.Sprintf("%s: %s: %s", what, e.Field, e.Message)})
		}
	}
	for _, d := range docs {
		for i := range d.Checks {
			e := &d.Checks[i]
			if !e.HasSecretMarker() {
				continue
			}
			var errs []check.FieldError
			e.Check, errs = e.KeepSecrets(stored[e.Key()])
			report(e.File, e.Line, e.FieldLines, "check "+e.Key(), errs)
		}
		for i := range d.CheckDefaults {
			e := &d.CheckDefaults[i]
			if !e.Check.HasSecretMarker() {
				continue
			}
			var errs []check.FieldError
			e.Check, errs = e.Check.KeepSecrets(defaults[e.AssetKind])
			report(e.File, e.Line, e.FieldLines, "default check of "+e.AssetKind, errs)
		}
	}
	return problems
}
