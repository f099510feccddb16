package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// importRow is one timed `vigie import`.
type importRow struct {
	engine  store.Engine
	sites   int
	format  string // csv or yaml
	run     string // first (empty database) or again (same files, no changes)
	wall    time.Duration
	rssKiB  int64
	dbBytes int64
}

// baselineRow is the raw cost of writing the rows of one host on one engine.
type baselineRow struct {
	engine store.Engine
	sites  int
	style  string // nativeStyle or dollarStyle
	baselineResult
}

// baselineResult is what the baseline child measured.
type baselineResult struct {
	// Write runs from opening the database to the commit, migrations included.
	Write   time.Duration `json:"write"`
	Rows    rowCounts     `json:"rows"`
	RSSKiB  int64         `json:"-"`
	DBBytes int64         `json:"-"`
}

// engineRun measures one host on one engine, each step in a fresh database
// except the second import and the load, which reuse the first import's.
type engineRun struct {
	w      *workspace
	rep    *report
	h      *host
	e      store.Engine
	dbs    []*database
	db     *database // the first import's
	counts rowCounts // what the baseline wrote
}

// benchImports measures h on fresh databases of engine e: the baseline
// writing the rows, the import of the CSV files twice (the second time
// changes nothing), the graph loaded from the imported database, the YAML
// import when asked, and on SQLite a second baseline with $n placeholders.
// Each database is dropped once measured, so that the server's background
// work on it (checkpoints, autovacuum) weighs on the next measure as little
// as possible. Rows go into rep as they are measured.
func (w *workspace) benchImports(ctx context.Context, rep *report, h *host, e store.Engine) error {
	r := &engineRun{w: w, rep: rep, h: h, e: e}
	defer r.dropAll()
	steps := []func(context.Context) error{r.baseline, r.importCSV, r.importAgain, r.load, r.importYAML, r.dollarBaseline, r.profile}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (r *engineRun) fresh(ctx context.Context, name string) (*database, error) {
	db, err := r.w.freshDB(ctx, r.e, name)
	if err == nil {
		r.dbs = append(r.dbs, db)
	}
	return db, err
}

func (r *engineRun) dropAll() {
	for _, db := range r.dbs {
		if err := r.w.drop(context.Background(), db); err != nil {
			logf("drop %s database: %v", r.e, err)
		}
	}
}

func (r *engineRun) importCSV(ctx context.Context) error {
	var err error
	if r.db, err = r.fresh(ctx, "import"); err != nil {
		return err
	}
	row, counts, err := r.w.timeImport(ctx, r.db, r.h, "csv", "first")
	if err != nil {
		return err
	}
	if counts != r.counts {
		return fmt.Errorf("%s %d sites: the import wrote %s, the baseline %s", r.e, r.h.sites, counts, r.counts)
	}
	r.rep.imports = append(r.rep.imports, row)
	return nil
}

func (r *engineRun) importAgain(ctx context.Context) error {
	row, _, err := r.w.timeImport(ctx, r.db, r.h, "csv", "again")
	if err != nil {
		return err
	}
	r.rep.imports = append(r.rep.imports, row)
	return nil
}

func (r *engineRun) importYAML(ctx context.Context) error {
	if !r.w.cfg.wantsYAML(r.h.sites, r.e) {
		return nil
	}
	db, err := r.fresh(ctx, "yaml")
	if err != nil {
		return err
	}
	row, counts, err := r.w.timeImport(ctx, db, r.h, "yaml", "first")
	if err != nil {
		return err
	}
	if counts != r.counts {
		return fmt.Errorf("%s %d sites: the YAML import wrote %s, the baseline %s", r.e, r.h.sites, counts, r.counts)
	}
	r.rep.imports = append(r.rep.imports, row)
	return nil
}

func (r *engineRun) baseline(ctx context.Context) error {
	row, err := r.runBaseline(ctx, nativeStyle)
	r.counts = row.Rows
	return err
}

// dollarBaseline repeats the SQLite baseline with $n placeholders, the
// import's, to show what they cost on that engine.
func (r *engineRun) dollarBaseline(ctx context.Context) error {
	if r.e != store.SQLite || !r.w.cfg.dollarBaseline {
		return nil
	}
	row, err := r.runBaseline(ctx, dollarStyle)
	if err == nil && row.Rows != r.counts {
		err = fmt.Errorf("%s %d sites: the baselines wrote %s and %s", r.e, r.h.sites, row.Rows, r.counts)
	}
	return err
}

// runBaseline runs the baseline in a child process of its own, so that its
// peak RSS is its own too, checks what it wrote and drops its database.
func (r *engineRun) runBaseline(ctx context.Context, style string) (baselineRow, error) {
	row := baselineRow{engine: r.e, sites: r.h.sites, style: style}
	db, err := r.fresh(ctx, "baseline-"+style)
	if err != nil {
		return row, err
	}
	logf("%s %d sites: baseline, %s placeholders (same rows, batched INSERTs, one transaction)", r.e, r.h.sites, style)
	r.w.settle(ctx, r.e)
	out, _, rss, err := runMeasured(ctx, r.w.self, "-child", "baseline", "-dsn", db.dsn,
		"-n", strconv.Itoa(r.h.sites), "-placeholders", style)
	if err != nil {
		return row, fmt.Errorf("baseline: %w", err)
	}
	if err := json.Unmarshal(out, &row.baselineResult); err != nil {
		return row, fmt.Errorf("baseline: %w: %s", err, out)
	}
	row.RSSKiB = rss
	var counts rowCounts
	if counts, row.DBBytes, err = db.stats(ctx); err != nil {
		return row, err
	}
	if counts != row.Rows {
		return row, fmt.Errorf("baseline: says it wrote %s, the database holds %s", row.Rows, counts)
	}
	logf("  baseline %s, peak RSS %s, %s", round(row.Write), kib(rss), counts)
	r.rep.baselines = append(r.rep.baselines, row)
	return row, r.dropNow(ctx, db)
}

// dropNow drops a database before the end of the run.
func (r *engineRun) dropNow(ctx context.Context, db *database) error {
	r.dbs = slices.DeleteFunc(r.dbs, func(d *database) bool { return d == db })
	return r.w.drop(ctx, db)
}

// load loads the graph from the imported database in a child process, as
// the server does when it starts.
func (r *engineRun) load(ctx context.Context) error {
	logf("%s %d sites: LoadGraph from the database (server start)", r.e, r.h.sites)
	row := loadRow{engine: r.e, sites: r.h.sites}
	args := []string{"-child", "load", "-dsn", r.db.dsn}
	if r.w.cfg.profile != "" {
		args = append(args, "-profile", filepath.Join(r.w.cfg.profile, fmt.Sprintf("load-%s-%d.pprof", r.e, r.h.sites)))
	}
	r.w.settle(ctx, r.e)
	out, _, rss, err := runMeasured(ctx, r.w.self, args...)
	if err != nil {
		return fmt.Errorf("load graph: %w", err)
	}
	if err := json.Unmarshal(out, &row.loadResult); err != nil {
		return fmt.Errorf("load graph: %w: %s", err, out)
	}
	row.RSSKiB = rss
	logf("  %s (scan %s), heap %s, peak RSS %s", round(row.Load), round(row.Scan), mb(row.Heap), kib(rss))
	r.rep.loads = append(r.rep.loads, row)
	return nil
}

// profile imports the CSV files once more, in process, under the CPU
// profiler; the run is not part of the table.
func (r *engineRun) profile(ctx context.Context) error {
	if r.w.cfg.profile == "" {
		return nil
	}
	db, err := r.fresh(ctx, "profile")
	if err != nil {
		return err
	}
	prof := filepath.Join(r.w.cfg.profile, fmt.Sprintf("import-%s-%d.pprof", r.e, r.h.sites))
	logf("%s %d sites: profiling an in-process import into %s", r.e, r.h.sites, prof)
	_, _, _, err = runMeasured(ctx, r.w.self, "-child", "import", "-dsn", db.dsn,
		"-files", strings.Join(r.h.csvFiles(), ","), "-profile", prof)
	if err != nil {
		return fmt.Errorf("profiled import: %w", err)
	}
	return nil
}

// loadRow is the graph loaded from an imported database.
type loadRow struct {
	engine store.Engine
	sites  int
	loadResult
}

// timeImport runs `vigie import` on the CSV or YAML files of h as a child
// process and checks what it says and what it wrote.
func (w *workspace) timeImport(ctx context.Context, db *database, h *host, format, run string) (importRow, rowCounts, error) {
	row := importRow{engine: db.engine, sites: h.sites, format: format, run: run}
	files := h.csvFiles()
	if format == "yaml" {
		files = []string{h.yamlFile}
	}
	logf("%s %d sites: vigie import %s (%s)", db.engine, h.sites, format, run)
	w.settle(ctx, db.engine)
	args := append([]string{"import", "--db", db.dsn}, files...)
	out, wall, rss, err := runMeasured(ctx, w.vigie, args...)
	if err != nil {
		return row, rowCounts{}, fmt.Errorf("vigie import %s: %w", strings.Join(files, " "), err)
	}
	want := "imported:"
	if run == "again" {
		want = "no changes"
	}
	if !strings.HasPrefix(string(out), want) {
		return row, rowCounts{}, fmt.Errorf("vigie import %s (%s): want %q, got:\n%s", format, run, want, out)
	}
	row.wall, row.rssKiB = wall, rss
	counts, size, err := db.stats(ctx)
	if err != nil {
		return row, counts, err
	}
	if counts.Customers != int64(h.customers) || counts.Assets != int64(h.assets) {
		return row, counts, fmt.Errorf("vigie import %s: wrote %s, want %d customers and %d assets",
			format, counts, h.customers, h.assets)
	}
	row.dbBytes = size
	logf("  %s, peak RSS %s, %s", round(wall), kib(rss), counts)
	return row, counts, nil
}

// runMeasured runs a child process and returns its standard output, its
// wall time and its peak resident set size in KiB.
func runMeasured(ctx context.Context, name string, args ...string) ([]byte, time.Duration, int64, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	if err != nil {
		return nil, wall, 0, fmt.Errorf("%w\n%s%s", err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes(), wall, maxRSS(cmd.ProcessState), nil
}
