package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/simulate"
)

// workspace is the temporary directory of a run: the vigie binary, the
// generated hosts and the SQLite databases.
type workspace struct {
	cfg   config
	dir   string
	vigie string
	self  string
	// schemas lists the PostgreSQL schemas still to drop.
	schemas []string
}

// host is a generated host, in CSV and YAML, with its size.
type host struct {
	sites, customers, assets int
	csvDir, yamlFile         string
	csvBytes, yamlBytes      int64
	csvTime, yamlTime        time.Duration
}

func newWorkspace(ctx context.Context, cfg config) (*workspace, error) {
	dir, err := os.MkdirTemp("", "vigie-bench-")
	if err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	w := &workspace{cfg: cfg, dir: dir, vigie: filepath.Join(dir, "vigie")}
	if w.self, err = os.Executable(); err != nil {
		w.close()
		return nil, fmt.Errorf("workspace: %w", err)
	}
	logf("building vigie into %s", dir)
	out, err := exec.CommandContext(ctx, "go", "build", "-o", w.vigie, "./cmd/vigie").CombinedOutput()
	if err != nil {
		w.close()
		return nil, fmt.Errorf("go build ./cmd/vigie (run from the module root): %w\n%s", err, out)
	}
	return w, nil
}

// close drops the PostgreSQL schemas left and removes the directory unless
// asked to keep it.
func (w *workspace) close() {
	for _, s := range w.schemas {
		if err := dropSchema(context.Background(), w.cfg.postgres, s); err != nil {
			logf("drop schema %s: %v", s, err)
		}
	}
	w.schemas = nil
	if w.cfg.keep {
		logf("kept %s", w.dir)
		return
	}
	if err := os.RemoveAll(w.dir); err != nil {
		logf("remove %s: %v", w.dir, err)
	}
}

// generate writes the host of n sites with `vigie simulate inventory`, as a
// CSV directory and as one YAML file.
func (w *workspace) generate(ctx context.Context, n int) (*host, error) {
	shape := simulate.ShapeOf(n)
	h := &host{
		sites: n, customers: shape.Customers, assets: shape.Assets(),
		csvDir:   filepath.Join(w.dir, fmt.Sprintf("host-%d", n)),
		yamlFile: filepath.Join(w.dir, fmt.Sprintf("host-%d.yaml", n)),
	}
	var err error
	logf("generating %d sites as CSV", n)
	if h.csvTime, err = w.simulate(ctx, n, h.csvDir); err != nil {
		return nil, err
	}
	logf("generating %d sites as YAML", n)
	if h.yamlTime, err = w.simulate(ctx, n, h.yamlFile); err != nil {
		return nil, err
	}
	for _, f := range h.csvFiles() {
		fi, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("generated host: %w", err)
		}
		h.csvBytes += fi.Size()
	}
	fi, err := os.Stat(h.yamlFile)
	if err != nil {
		return nil, fmt.Errorf("generated host: %w", err)
	}
	h.yamlBytes = fi.Size()
	return h, nil
}

func (w *workspace) simulate(ctx context.Context, n int, out string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, w.vigie, "simulate", "inventory", "--sites", strconv.Itoa(n), "--out", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("vigie simulate inventory --sites %d: %w\n%s", n, err, stderr.Bytes())
	}
	return time.Since(t0), nil
}

func (h *host) csvFiles() []string {
	return []string{filepath.Join(h.csvDir, simulate.CustomersCSV), filepath.Join(h.csvDir, simulate.AssetsCSV)}
}
