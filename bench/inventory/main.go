// Command inventory measures the inventory against the targets of its issue:
// importing a generated host with `vigie import` on SQLite and PostgreSQL,
// and computing impact from the in-memory graph. Every figure comes with a
// baseline measured in the same run (the raw cost of writing the same rows,
// a naive map-based graph) and the ratio between them, so that results from
// a noisy machine can still be compared.
//
//	go run ./bench/inventory -sites 11000,1000000 -engines sqlite,postgres
//
// Run it from the module root: it builds ./cmd/vigie. Progress goes to
// stderr and the tables to stdout; any failure exits non-zero. Peak RSS is
// read from the children's rusage and is only known on Linux. The figures
// and how to read them are in docs/benchmarks.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vigie/vigie/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench inventory: %v\n", err)
		os.Exit(1)
	}
}

// config is what the command line asks for.
type config struct {
	sites          []int
	engines        []store.Engine
	yaml           []yamlRun
	dollarBaseline bool
	graph          bool
	postgres       string
	profile        string
	keep           bool
	markdown       bool
	timeout        time.Duration
}

// yamlRun asks for the YAML import of one size, on one engine or on all.
type yamlRun struct {
	sites  int
	engine store.Engine // empty for every engine
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench inventory", flag.ContinueOnError)
	child := fs.String("child", "", "internal: run one measurement in this process (baseline, graph, load, import)")
	dsn := fs.String("dsn", "", "internal: database of a child")
	childSites := fs.Int("n", 0, "internal: sites of a child")
	files := fs.String("files", "", "internal: comma-separated files imported by an import child")
	style := fs.String("placeholders", nativeStyle, "internal: placeholders of a baseline child, native or dollar")
	sites := fs.String("sites", "11000,1000000", "comma-separated numbers of sites")
	engines := fs.String("engines", "sqlite,postgres", "comma-separated engines: sqlite, postgres")
	yaml := fs.String("yaml", "11000", "sizes whose YAML file is imported too, as SITES (every engine) or SITES/ENGINE")
	dollar := fs.Bool("dollar-baseline", true, "on SQLite, also run the baseline with $n placeholders, the import's")
	graph := fs.Bool("graph", true, "measure the graph index and impact at the largest size")
	pg := fs.String("postgres", postgresURL(), "PostgreSQL server; each run gets a schema of its own, dropped at the end")
	profile := fs.String("profile", "", "write CPU profiles of the graph measures and of an extra in-process import into this directory")
	keep := fs.Bool("keep", false, "keep the temporary directory (binary, generated files, SQLite databases)")
	markdown := fs.Bool("markdown", false, "write the tables in Markdown")
	timeout := fs.Duration("timeout", 29*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *child != "" {
		return runChild(ctx, *child, childArgs{dsn: *dsn, sites: *childSites, files: *files, style: *style, profile: *profile})
	}
	cfg := config{graph: *graph, dollarBaseline: *dollar, postgres: *pg, profile: *profile, keep: *keep, markdown: *markdown, timeout: *timeout}
	var err error
	if cfg.sites, err = parseSizes(*sites); err != nil {
		return err
	}
	if cfg.engines, err = parseEngines(*engines); err != nil {
		return err
	}
	if cfg.yaml, err = parseYAMLRuns(*yaml); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	rep, err := bench(ctx, cfg)
	if rep != nil {
		rep.print(os.Stdout)
	}
	return err
}

// bench runs every measurement and returns what it measured, even when it
// stops on an error.
func bench(ctx context.Context, cfg config) (*report, error) {
	rep := &report{started: time.Now(), cfg: cfg, cpus: runtime.NumCPU(), cpu: cpuModel(), goVersion: runtime.Version(),
		source: sourceState(ctx), loadStart: loadAverage()}
	w, err := newWorkspace(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer w.close()
	for _, n := range cfg.sites {
		h, err := w.generate(ctx, n)
		if err != nil {
			return rep, err
		}
		rep.hosts = append(rep.hosts, h)
		for _, e := range cfg.engines {
			if err := w.benchImports(ctx, rep, h, e); err != nil {
				return rep, err
			}
		}
	}
	if cfg.graph && len(cfg.sites) > 0 {
		g, err := w.benchGraph(ctx, slices.Max(cfg.sites))
		if err != nil {
			return rep, err
		}
		rep.graph = g
	}
	rep.elapsed = time.Since(rep.started)
	rep.loadEnd = loadAverage()
	logf("done in %s", round(rep.elapsed))
	return rep, nil
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-sites: %q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseEngines(s string) ([]store.Engine, error) {
	var out []store.Engine
	for _, f := range strings.Split(s, ",") {
		switch e := store.Engine(strings.TrimSpace(f)); e {
		case store.SQLite, store.Postgres:
			out = append(out, e)
		default:
			return nil, fmt.Errorf("-engines: unknown engine %q", f)
		}
	}
	return out, nil
}

func parseYAMLRuns(s string) ([]yamlRun, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []yamlRun
	for _, f := range strings.Split(s, ",") {
		size, engine, _ := strings.Cut(strings.TrimSpace(f), "/")
		n, err := strconv.Atoi(size)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-yaml: %q is not SITES or SITES/ENGINE", f)
		}
		e := store.Engine(engine)
		if e != "" && e != store.SQLite && e != store.Postgres {
			return nil, fmt.Errorf("-yaml: unknown engine %q", engine)
		}
		out = append(out, yamlRun{sites: n, engine: e})
	}
	return out, nil
}

// wantsYAML reports whether the YAML file of n sites is imported on e.
func (c config) wantsYAML(n int, e store.Engine) bool {
	return slices.ContainsFunc(c.yaml, func(y yamlRun) bool {
		return y.sites == n && (y.engine == "" || y.engine == e)
	})
}

// postgresURL is the server the benchmarks use, the same as the tests'.
func postgresURL() string {
	if u := os.Getenv("VIGIE_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// cpuModel returns the processor's name from /proc/cpuinfo, when there is one.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAverage returns the 1, 5 and 15-minute load averages, when known: on
// a shared machine they tell how noisy a run was.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// sourceState names the commit measured and whether the tree had changes.
func sourceState(ctx context.Context) string {
	head, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown commit"
	}
	s := "commit " + strings.TrimSpace(string(head))
	if st, err := exec.CommandContext(ctx, "git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		s += fmt.Sprintf(" with %d modified files", strings.Count(string(st), "\n"))
	}
	return s
}

var start = time.Now()

// logf reports progress on stderr with the time since the start.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%7.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
}

var errChild = errors.New("unknown child")
