package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
)

// childArgs is what the parent tells a child.
type childArgs struct {
	dsn     string
	sites   int
	files   string
	style   string
	profile string
}

// runChild runs one measurement in this process, at the parent's request,
// under the CPU profiler when a profile file is given.
func runChild(ctx context.Context, kind string, a childArgs) error {
	if a.profile != "" {
		f, err := os.Create(a.profile)
		if err != nil {
			return fmt.Errorf("profile: %w", err)
		}
		defer func() { _ = f.Close() }()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	switch kind {
	case "baseline":
		return runBaselineChild(ctx, a.dsn, a.sites, a.style)
	case "graph":
		return runGraphChild(a.sites)
	case "load":
		return runLoadChild(ctx, a.dsn)
	case "import":
		return runImportChild(ctx, a.dsn, strings.Split(a.files, ","))
	}
	return fmt.Errorf("%w %q", errChild, kind)
}

// loadResult is what the load child measured on an imported database.
type loadResult struct {
	// Load is Service.LoadGraph: reading the whole inventory and indexing it,
	// as the server does when it starts.
	Load time.Duration `json:"load"`
	// Heap is what the loaded service keeps.
	Heap int64 `json:"heap"`
	// Scan is the baseline: the same queries, rows read and thrown away.
	Scan   time.Duration `json:"scan"`
	Assets int           `json:"assets"`
	RSSKiB int64         `json:"-"`
}

// The queries of the inventory's loadAll, for the scan baseline.
var loadQueries = []string{
	`SELECT id, name, email, language, timezone FROM customers ORDER BY id`,
	`SELECT name, kind, COALESCE(owner, ''), url, address FROM assets ORDER BY name`,
	`SELECT asset, depends_on FROM asset_deps ORDER BY asset, depends_on`,
	`SELECT asset, key, value FROM asset_labels`,
}

func runLoadChild(ctx context.Context, dsn string) error {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	// One untimed scan so that both measures find the pages in the cache.
	if _, err := scanAll(ctx, db); err != nil {
		return err
	}
	var r loadResult
	base := heapAfterGC()
	svc := inventory.NewService(db, nil)
	t0 := time.Now()
	if err := svc.LoadGraph(ctx); err != nil {
		return err
	}
	r.Load = time.Since(t0)
	r.Heap = heapAfterGC() - base
	r.Assets = svc.Graph().Len()
	runtime.KeepAlive(svc)
	if r.Scan, err = scanAll(ctx, db); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}

// scanAll runs the load queries, reading every column of every row into
// reused buffers.
func scanAll(ctx context.Context, db *store.DB) (time.Duration, error) {
	t0 := time.Now()
	for _, q := range loadQueries {
		if err := scanQuery(ctx, db, q); err != nil {
			return 0, err
		}
	}
	return time.Since(t0), nil
}

func scanQuery(ctx context.Context, db *store.DB, q string) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	defer func() { _ = rows.Close() }()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	vals := make([]sql.RawBytes, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	return nil
}

// runImportChild imports files the way `vigie import` does, in process, so
// that the parent can profile it.
func runImportChild(ctx context.Context, dsn string, files []string) error {
	inputs := make([]inventory.File, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		inputs = append(inputs, inventory.File{Name: f, Data: data})
	}
	a, err := app.Open(ctx, app.Config{DB: dsn})
	if err != nil {
		return err
	}
	defer func() { _ = a.Close() }()
	if _, err := a.Inventory.ImportFiles(ctx, inputs, inventory.ImportOptions{}); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}
