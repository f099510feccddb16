package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
)

func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import", "[--dry-run] [--prune] [--db DSN] FILE|DIR...",
		"Validate inventory files (YAML, customers.csv, assets.csv, or a folder of them as vigie export writes) and import them in one transaction")
	db := dbFlag(fs, e)
	dryRun := fs.Bool("dry-run", false, "print what would change and write nothing")
	prune := fs.Bool("prune", false, "also remove customers and assets the files no longer list")
	files, err := parse(fs, args)
	if err == nil && *db == "" {
		*db = store.DefaultDSN
	}
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%w: no file given", errUsage)
	}
	progress := newProgress(e.stderr)
	files, problems := expandFolders(files)
	progress.stage("reading %d files", len(files))
	var inputs []inventory.File
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			problems = append(problems, inventory.Problem{File: f, Line: 1, Message: fmt.Sprintf("cannot read: %v", err)})
			continue
		}
		inputs = append(inputs, inventory.File{Name: f, Data: data})
	}
	if len(problems) > 0 {
		progress.done()
		return reportProblems(e, problems)
	}
	dsn, fresh, cleanup, err := dryRunDatabase(*db, *dryRun)
	if err != nil {
		progress.done()
		return err
	}
	defer cleanup()
	a, err := app.Open(ctx, app.Config{DB: dsn, Logger: quietLogger(e)})
	if err != nil {
		progress.done()
		return err
	}
	defer closeApp(e, a)
	progress.stage("validating")
	plan, err := a.Inventory.ImportFiles(ctx, inputs, inventory.ImportOptions{
		DryRun: *dryRun, Prune: *prune, Progress: progress.rows})
	progress.done()
	if errors.As(err, &problems) {
		return reportProblems(e, problems)
	}
	if err != nil {
		return err
	}
	switch {
	case plan.Empty():
		fmt.Fprintf(e.stdout, "no changes: the inventory already matches %s\n", strings.Join(files, ", "))
	case *dryRun && fresh:
		fmt.Fprintf(e.stdout, "dry run: database %s does not exist yet and was not created; importing into a new database would add:\n%s\n", *db, plan)
	case *dryRun:
		fmt.Fprintf(e.stdout, "dry run, nothing written; the import would change:\n%s\n", plan)
	default:
		fmt.Fprintf(e.stdout, "imported:\n%s\n", plan)
	}
	return nil
}

func reportProblems(e *env, ps inventory.Problems) error {
	ps.Sort()
	for _, p := range ps {
		fmt.Fprintln(e.stderr, p.String())
	}
	noun := "problems"
	if len(ps) == 1 {
		noun = "problem"
	}
	fmt.Fprintf(e.stderr, "vigie import: %d %s, nothing changed\n", len(ps), noun)
	return errReported
}

// progress reports a long import on a terminal, and stays silent otherwise.
type progress struct {
	w     io.Writer
	on    bool
	last  time.Time
	shown bool
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, on: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progress) stage(format string, args ...any) {
	if !p.on {
		return
	}
	fmt.Fprintf(p.w, "\r\033[K"+format+"…", args...)
	p.shown = true
}

func (p *progress) rows(done, total int) {
	if !p.on || (time.Since(p.last) < 200*time.Millisecond && done < total) {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r\033[Kwriting %d/%d rows (%d%%)", done, total, done*100/max(total, 1))
	p.shown = true
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

// importable is what a folder given to import contributes: the files
// vigie export and vigie simulate write there.
var importable = []string{".yaml", ".yml", ".csv"}

// expandFolders replaces each folder among paths by its importable files,
// in name order; a folder with none of them is a problem.
func expandFolders(paths []string) ([]string, inventory.Problems) {
	var files []string
	var problems inventory.Problems
	for _, p := range paths {
		entries, err := os.ReadDir(p)
		if err != nil {
			// Not a folder, or not readable: reading it as a file says which.
			files = append(files, p)
			continue
		}
		n := len(files)
		for _, en := range entries {
			if en.Type().IsRegular() && slices.Contains(importable, strings.ToLower(filepath.Ext(en.Name()))) {
				files = append(files, filepath.Join(p, en.Name()))
			}
		}
		if len(files) == n {
			problems = append(problems, inventory.Problem{File: p, Line: 1,
				Message: "folder holds no .yaml, .yml or .csv file to import"})
		}
	}
	return files, problems
}

// dryRunDatabase returns the database an import runs against. A dry run on
// a SQLite file that does not exist yet must not create it: it runs
// against an empty database in a temporary folder, removed by cleanup,
// and fresh is true so that the output says so.
func dryRunDatabase(dsn string, dryRun bool) (use string, fresh bool, cleanup func(), err error) {
	path, isSQLite := strings.CutPrefix(dsn, "sqlite:")
	if !dryRun || !isSQLite || path == "" {
		return dsn, false, func() {}, nil
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return dsn, false, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "vigie-dry-run-")
	if err != nil {
		return "", false, nil, fmt.Errorf("dry run: %w", err)
	}
	return "sqlite:" + filepath.Join(dir, "vigie.db"), true, func() { _ = os.RemoveAll(dir) }, nil
}
