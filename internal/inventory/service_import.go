package inventory

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/vigie/vigie/internal/store"
)

// ImportOptions tunes an import.
type ImportOptions struct {
	// DryRun computes the plan and writes nothing.
	DryRun bool
	// Prune removes what the documents no longer list.
	Prune bool
	// Progress, when set, is told of the rows written so far.
	Progress func(done, total int)
	// IfVersion, when not nil, applies the import only if the stored
	// inventory is still at this version, the Plan.BaseVersion of the dry
	// run that was shown: the same files on the same inventory give the
	// same plan. Otherwise the import fails with ErrChanged.
	IfVersion *int64
}

// ErrChanged refuses an import whose dry run was made on an inventory that
// has changed since.
var ErrChanged = fmt.Errorf("the inventory changed since the dry run: %w", store.ErrConflict)

// Import validates docs against the stored inventory and, when everything is
// valid, applies the changes in one transaction. Validation failures come
// back as Problems and change nothing; an unchanged inventory gives an empty
// plan.
func (s *Service) Import(ctx context.Context, docs []*Document, opts ImportOptions) (*Plan, error) {
	if opts.DryRun {
		base, version, err := loadAll(ctx, s.db)
		if err != nil {
			return nil, err
		}
		return s.plan(base, version, docs, opts.Prune)
	}
	return s.write(ctx, func(tx *sql.Tx) (*Plan, error) {
		base, version, err := loadAll(ctx, tx)
		if err != nil {
			return nil, err
		}
		if opts.IfVersion != nil && version != *opts.IfVersion {
			return nil, ErrChanged
		}
		plan, err := s.plan(base, version, docs, opts.Prune)
		if err != nil || plan.Empty() {
			return plan, err
		}
		total := plan.Size()
		var progress func(int)
		if opts.Progress != nil {
			progress = func(done int) { opts.Progress(done, total) }
		}
		return plan, applyPlan(ctx, s.db.Engine, tx, plan, progress)
	})
}

func (s *Service) plan(base *Inventory, version int64, docs []*Document, prune bool) (*Plan, error) {
	if problems := keepSecrets(base, docs); len(problems) > 0 {
		return nil, problems
	}
	desired, problems := Check(base, prune, docs...)
	if len(problems) > 0 {
		return nil, problems
	}
	p := Diff(base, desired)
	p.BaseVersion = version
	return p, nil
}

// Export reads the whole inventory, customers by id and assets by name.
// Secrets of checks read check.SecretMarker: importing the export back
// keeps the stored ones. A component lists only the assets that still
// exist, so that the export imports anywhere.
func (s *Service) Export(ctx context.Context) (*Inventory, error) {
	inv, _, err := loadAll(ctx, s.db)
	if err != nil {
		return nil, err
	}
	maskSecrets(inv)
	dropDeletedAssets(inv)
	return inv, nil
}

// File is an inventory file's name and content.
type File struct {
	Name string
	Data []byte
}

// ImportFiles parses files and imports them. When a file does not parse
// cleanly, the rest is still checked against the stored inventory so that
// every problem (syntax, fields, references, cycles) is reported at once;
// nothing is written then.
func (s *Service) ImportFiles(ctx context.Context, files []File, opts ImportOptions) (*Plan, error) {
	docs := make([]*Document, 0, len(files))
	var problems Problems
	for _, f := range files {
		doc, ps := Parse(f.Name, f.Data)
		problems = append(problems, ps...)
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	if len(problems) == 0 {
		return s.Import(ctx, docs, opts)
	}
	base, _, err := loadAll(ctx, s.db)
	if err != nil {
		return nil, err
	}
	_, more := Check(base, opts.Prune, docs...)
	return nil, mergeProblems(problems, more)
}

// mergeProblems joins two lists, dropping the repeats, sorted.
func mergeProblems(a, b Problems) Problems {
	seen := make(map[Problem]bool, len(a)+len(b))
	var out Problems
	for _, p := range append(a, b...) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	out.Sort()
	return out
}
