package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"
)

// bench starts the farm, runs every measure and returns what it measured,
// even when it stops on an error.
func bench(ctx context.Context, cfg config) (*report, error) {
	rep := newReport(ctx, cfg)
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "vigie-bench-probe-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	largest := slices.Max(append(slices.Clone(cfg.checks), cfg.https...))
	fmt.Fprintf(os.Stderr, "starting the farm for %d sites\n", largest)
	farm, err := startFarm(ctx, exe, dir, largest, cfg.hang)
	if err != nil {
		return rep, err
	}
	defer farm.stop()
	rep.farmStart = farm.started
	for _, n := range cfg.checks {
		if err := rep.measurePair(ctx, exe, farm, n, "http"); err != nil {
			return rep, err
		}
	}
	for _, n := range cfg.https {
		if err := rep.measurePair(ctx, exe, farm, n, "https"); err != nil {
			return rep, err
		}
	}
	rep.end()
	return rep, nil
}

// measurePair measures Vigie, then the raw loop unless left out, at n
// checks.
func (r *report) measurePair(ctx context.Context, exe string, farm *farmProcess, n int, scheme string) error {
	kinds := []string{"vigie", "raw"}
	if !r.cfg.raw {
		kinds = kinds[:1]
	}
	for _, kind := range kinds {
		m, err := r.measureOne(ctx, exe, farm, kind, n, scheme)
		if err != nil {
			return fmt.Errorf("%s %s at %d: %w", kind, scheme, n, err)
		}
		r.rows = append(r.rows, m)
	}
	return nil
}

// row is one measure with the farm's CPU time during it.
type row struct {
	measure
	FarmCPU float64
}

// measureOne runs one measured child and reads its report.
func (r *report) measureOne(ctx context.Context, exe string, farm *farmProcess, kind string, n int, scheme string) (row, error) {
	args := []string{"-child", kind, "-n", strconv.Itoa(n), "-scheme", scheme,
		"-sites-file", farm.sitesFile, "-ca-file", farm.caFile,
		"-interval", r.cfg.interval.String(), "-duration", r.cfg.duration.String(),
		"-concurrency", strconv.Itoa(r.cfg.concurrency), "-check-timeout", r.cfg.runTimeout.String()}
	if r.cfg.profile != "" && kind == "vigie" {
		if err := os.MkdirAll(r.cfg.profile, 0o750); err != nil {
			return row{}, err
		}
		args = append(args, "-cpuprofile", filepath.Join(r.cfg.profile, fmt.Sprintf("vigie-%s-%d.pprof", scheme, n)))
	}
	fmt.Fprintf(os.Stderr, "%s: %d %s checks every %s for %s\n", kind, n, scheme, r.cfg.interval, r.cfg.duration)
	cmd := exec.CommandContext(ctx, exe, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	farm0 := farm.cpuSeconds()
	if err := cmd.Run(); err != nil {
		return row{}, err
	}
	var m row
	m.FarmCPU = farm.cpuSeconds() - farm0
	if err := json.Unmarshal(out.Bytes(), &m.measure); err != nil {
		return row{}, fmt.Errorf("report %q: %w", out.String(), err)
	}
	fmt.Fprintf(os.Stderr, "  %d runs, %d failed, %.1f CPU s, %s RSS, p99 lateness %s\n",
		m.Runs, m.Failures, m.CPU, mb(m.MaxRSSKiB), m.P99.Round(time.Millisecond))
	if m.FirstFailure != "" {
		fmt.Fprintf(os.Stderr, "  first failure: %s\n", m.FirstFailure)
	}
	return m, nil
}

// machine describes where the run took place.
type machine struct {
	cpus      int
	cpu       string
	goVersion string
	source    string
	loadStart string
	loadEnd   string
}

func describeMachine(ctx context.Context) machine {
	return machine{cpus: runtime.NumCPU(), cpu: cpuModel(), goVersion: runtime.Version(),
		source: sourceState(ctx), loadStart: loadAverage()}
}

// cpuModel returns the first "model name" of /proc/cpuinfo, or "".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for line := range bytes.Lines(b) {
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && string(bytes.TrimSpace(k)) == "model name" {
			return string(bytes.TrimSpace(v))
		}
	}
	return ""
}

// loadAverage returns the three load averages of /proc/loadavg, or "".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil || len(bytes.Fields(b)) < 3 {
		return ""
	}
	return string(bytes.Join(bytes.Fields(b)[:3], []byte(" ")))
}

// sourceState returns the commit and whether the tree has changes, or "".
func sourceState(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	s := string(bytes.TrimSpace(out))
	if st, err := exec.CommandContext(ctx, "git", "status", "--porcelain").Output(); err == nil && len(st) > 0 {
		s += " with uncommitted changes"
	}
	return s
}
