// Command scale simulates a large host on this machine, on loopback only:
// N sites every interval, checked by the built-in probe of the leader of
// two `vigie serve` replicas on one PostgreSQL database (location
// "local") and by K `vigie probe` processes of one remote location; the
// leader is killed (SIGKILL) halfway through the measurement window. It
// prints one JSON summary and a table: rates per location, lateness, what
// the remote location produced against what the detector took, states
// at the end, CPU, RSS and PostgreSQL's writes.
//
//	go run ./bench/scale -sites 200000 -interval 60s -duration 10m
//	go run ./bench/scale -sites 2000 -interval 10s -duration 90s -probes 1
//
// Run it from the module root: it builds ./cmd/vigie, and the targets of
// the shared reference harness (../shared/bench, or -shared, or
// $SHARED_BENCH). How to read the figures: docs/scaling.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench scale: %v\n", err)
		os.Exit(1)
	}
}

// config is what the command line asks for.
type config struct {
	sites     int
	interval  time.Duration
	duration  time.Duration
	warmup    time.Duration
	probes    int
	kill      bool
	shared    string
	pgDSN     string
	db        string
	out       string
	timeout   time.Duration
	maxLate   time.Duration
	sampleInt time.Duration
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	fs.IntVar(&c.sites, "sites", 2000, "sites, each with an http check of its target URL")
	fs.DurationVar(&c.interval, "interval", 10*time.Second, "the checks' interval")
	fs.DurationVar(&c.duration, "duration", 90*time.Second, "how long the monitoring runs, warm-up included")
	fs.DurationVar(&c.warmup, "warmup", 0, "time before the measurement window (default: twice the interval, at most a third of -duration)")
	fs.IntVar(&c.probes, "probes", 2, "remote probe processes of the one remote location (0: the built-in probe only)")
	fs.BoolVar(&c.kill, "kill", true, "kill the leader replica (SIGKILL) halfway through the window")
	def := os.Getenv("SHARED_BENCH")
	if def == "" {
		def = "../shared/bench"
	}
	fs.StringVar(&c.shared, "shared", def, "the shared reference harness (its targets/), env SHARED_BENCH")
	fs.StringVar(&c.pgDSN, "pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server (loopback), its maintenance database")
	fs.StringVar(&c.db, "db", "vigie_bench_scale", "the database created for the run and dropped at its end")
	fs.StringVar(&c.out, "out", "", "keep the logs, inventory and summary.json in this directory (default: a temporary one, removed)")
	fs.DurationVar(&c.timeout, "timeout", 0, "bound on the whole run (default: -duration + 20 min)")
	fs.DurationVar(&c.maxLate, "max-late", 2*time.Second, "the p99 lateness the run must stay under")
	fs.DurationVar(&c.sampleInt, "sample", 5*time.Second, "how often processes and the database are sampled")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.sites < 1 || c.sites > 5_000_000:
		return c, fmt.Errorf("-sites %d: want 1 to 5,000,000", c.sites)
	case c.interval < time.Second:
		return c, fmt.Errorf("-interval %s: want at least 1s", c.interval)
	case c.probes < 0 || c.probes > 16:
		return c, fmt.Errorf("-probes %d: want 0 to 16", c.probes)
	case c.duration < 3*c.interval/2 || c.duration > 3*time.Hour:
		return c, fmt.Errorf("-duration %s: want 1.5 intervals to 3h", c.duration)
	case c.sampleInt < time.Second:
		return c, fmt.Errorf("-sample %s: want at least 1s", c.sampleInt)
	}
	if c.warmup <= 0 {
		c.warmup = min(2*c.interval, c.duration/3)
	}
	if c.warmup >= c.duration {
		return c, fmt.Errorf("-warmup %s: want less than -duration %s", c.warmup, c.duration)
	}
	if c.timeout <= 0 {
		c.timeout = c.duration + 20*time.Minute
	}
	return c, nil
}

func run(ctx context.Context, args []string) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	shared := c.shared
	if !filepath.IsAbs(shared) {
		shared = filepath.Join(root, shared)
	}
	if _, err := os.Stat(filepath.Join(shared, "targets", "main.go")); err != nil {
		return fmt.Errorf("no shared targets at %s (set -shared or SHARED_BENCH): %w", shared, err)
	}
	dir := c.out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "vigie-bench-scale-"); err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(dir) }()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r := &runner{c: c, dir: dir, vigie: filepath.Join(dir, "vigie"), targets: filepath.Join(dir, "targets")}
	logf("building vigie and the targets in %s", dir)
	if err := build(ctx, root, r.vigie, "./cmd/vigie"); err != nil {
		return err
	}
	if err := build(ctx, filepath.Join(shared, "targets"), r.targets, "."); err != nil {
		return err
	}
	if r.pg, err = createDB(ctx, c.pgDSN, c.db); err != nil {
		return err
	}
	defer func() {
		dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer dcancel()
		if err := r.pg.drop(dctx); err != nil {
			logf("%v", err)
		}
	}()
	defer r.stopAll()
	sum, err := r.simulate(ctx)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(sum, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), b, 0o644); err != nil {
		return err
	}
	fmt.Println(string(b))
	printTable(os.Stdout, sum)
	if len(sum.Failures) > 0 {
		return fmt.Errorf("%d targets missed: %s", len(sum.Failures), strings.Join(sum.Failures, "; "))
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s scale: %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// moduleRoot is the directory of the go.mod above the working directory.
func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/vigie/vigie\n") {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", errors.New("run it inside the vigie module (no go.mod of github.com/vigie/vigie above)")
		}
		d = up
	}
}

func build(ctx context.Context, dir, out, pkg string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s in %s: %w\n%s", pkg, dir, err, b)
	}
	return nil
}

// vigieCmd runs one short vigie command on the benchmark's database and
// returns its standard output.
func (r *runner) vigieCmd(ctx context.Context, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.vigie, args...)
	cmd.Env = append(os.Environ(), "VIGIE_DB="+r.pg.dsn)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("vigie %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// freePort returns a loopback address whose port was free a moment ago.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String(), nil
}

// writeInventory writes the sites as bench/serve/measure.sh does: site i
// at http://127.0.0.1:(30000+i%100)/s/i, an http check at the interval.
func writeInventory(path string, n int, interval time.Duration) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	b := make([]byte, 0, 1<<20)
	b = append(b, "assets:\n"...)
	for i := range n {
		b = fmt.Appendf(b, "  - {name: s%07d, kind: site, url: \"http://127.0.0.1:%d/s/%d\"}\n", i, 30000+i%100, i)
		if len(b) > 1<<20-200 {
			if _, err := f.Write(b); err != nil {
				_ = f.Close()
				return err
			}
			b = b[:0]
		}
	}
	b = fmt.Appendf(b, "check_defaults:\n  site: {kind: http, interval: %s}\n", strconv.Quote(interval.String()))
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
