// Command probe measures the probe engine against the targets of its issue:
// check.Engine driven by probe.Scheduler runs http checks against the sites
// of a simulated host served on loopback, and a raw net/http loop doing the
// same requests at the same planned rate is measured in the same run as the
// machine's limit.
//
//	go run ./bench/probe -checks 1000,10000,100000 -interval 60s -duration 2m
//
// With -hang, hypervisors of the farm hang for the whole run (the
// hang-hypervisor fault): their sites' checks wait until their timeout,
// and the figures tell whether the other checks stay on time.
//
// Three kinds of child processes do the work, so that the CPU time and the
// peak RSS of each measure are its own: one farm serving the sites of the
// largest host for the whole run, then, for each size, one process running
// Vigie and one running the raw loop, one after the other. The farm writes
// its sites (host name and listener addresses) to a file; a measured child
// reads the first N of them and dials each host name to its VM's listener.
// Progress goes to stderr and the tables, in Markdown, to stdout. The
// figures and how to read them are in docs/benchmarks.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
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
		fmt.Fprintf(os.Stderr, "bench probe: %v\n", err)
		os.Exit(1)
	}
}

// config is what the command line asks for.
type config struct {
	checks      []int
	https       []int
	interval    time.Duration
	duration    time.Duration
	concurrency int
	profile     string
	timeout     time.Duration
	hang        []string      // hypervisors hanging in the farm
	runTimeout  time.Duration // of each check, 0 for check.ApplyDefaults
	raw         bool          // measure the raw loop too
}

// errUsage reports a bad flag value.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench probe", flag.ContinueOnError)
	child := fs.String("child", "", "internal: run one part in this process (farm, vigie, raw)")
	var ca childArgs
	fs.StringVar(&ca.sitesFile, "sites-file", "", "internal: the farm's sites")
	fs.StringVar(&ca.caFile, "ca-file", "", "internal: the farm's CA certificate")
	fs.IntVar(&ca.n, "n", 0, "internal: sites of a child")
	fs.StringVar(&ca.scheme, "scheme", "http", "internal: scheme of a measured child's requests")
	fs.StringVar(&ca.cpuprofile, "cpuprofile", "", "internal: CPU profile of a measured child")
	checks := fs.String("checks", "1000,10000,100000", "comma-separated numbers of checks (sites)")
	https := fs.String("https", "", "sizes also measured over HTTPS, comma-separated")
	interval := fs.Duration("interval", 60*time.Second, "interval of every check")
	duration := fs.Duration("duration", 2*time.Minute, "how long each measure runs")
	concurrency := fs.Int("concurrency", 0, "runs in flight at most, for Vigie and the raw loop alike; 0 leaves Vigie's cap to the scheduler (it follows the checks) and gives the raw loop 256 workers")
	hang := fs.String("hang", "", "comma-separated hypervisors of the farm that hang for the whole run, such as hv01,hv02")
	raw := fs.Bool("raw", true, "measure the raw loop too")
	runTimeout := fs.Duration("check-timeout", 0, "timeout of every check and request; 0 takes the checks' default (10s, at most half the interval) and 10s for the raw loop")
	profile := fs.String("profile", "", "write a CPU profile of each Vigie child into this directory")
	timeout := fs.Duration("timeout", 2*time.Hour, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ca.interval, ca.duration, ca.concurrency, ca.hang, ca.runTimeout = *interval, *duration, *concurrency, *hang, *runTimeout
	if *child != "" {
		return runChild(ctx, *child, ca)
	}
	cfg := config{interval: *interval, duration: *duration, concurrency: *concurrency, profile: *profile, timeout: *timeout, raw: *raw, runTimeout: *runTimeout}
	if *hang != "" {
		cfg.hang = strings.Split(*hang, ",")
	}
	var err error
	if cfg.checks, err = parseSizes(*checks); err != nil {
		return err
	}
	if *https != "" {
		if cfg.https, err = parseSizes(*https); err != nil {
			return err
		}
	}
	if cfg.interval <= 0 || cfg.duration <= 0 || cfg.concurrency < 0 || cfg.runTimeout < 0 {
		return fmt.Errorf("%w: -interval and -duration must be positive, -concurrency and -check-timeout not negative", errUsage)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	rep, err := bench(ctx, cfg)
	if rep != nil {
		rep.print(os.Stdout)
	}
	return err
}

// parseSizes reads "1000,10000" into sorted, distinct positive numbers.
func parseSizes(s string) ([]int, error) {
	var sizes []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%w: bad size %q", errUsage, f)
		}
		sizes = append(sizes, n)
	}
	slices.Sort(sizes)
	return slices.Compact(sizes), nil
}
