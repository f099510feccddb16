// Command status measures the public status page under load, at the size
// of the reference host, during an active incident: requests per second
// and latency of the home page, of /api/v2/summary.json and of a
// customer's Atom feed, against a static file served by the same Go server
// in the same run, and the built-in probe's lateness with and without
// that load.
//
//	go run ./bench/status -sites 11000 -clients 64 -duration 20s
//
// Three processes share the machine: this one runs the whole Vigie server
// (SQLite in a temporary directory, built-in probe, status publisher) and
// the static file beside it on one loopback listener; a farm child serves
// the generated host's sites and machines on their own 127.c.x.y
// addresses, so that the probe really checks them; a load child per target
// is the load generator, with its own runtime and garbage collector.
// An extra target, not part of the issue's, requests the feed of every
// customer in turn: each request then builds that customer's site.
// Afterwards the server stops, and the publisher's builds (the whole
// public site after a change, a customer's site on first request) are
// timed on the same database. Progress goes to stderr and the tables, in
// Markdown, to stdout. The figures and how to read them are in
// docs/benchmarks.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench status: %v\n", err)
		os.Exit(1)
	}
}

// config is what the command line asks for.
type config struct {
	args       []string
	sites      int
	interval   time.Duration // of every site's http check
	clients    int
	duration   time.Duration // of each load window and of each quiet one
	warmup     time.Duration // of each load window, before it records
	targets    []string
	cpuprofile string
	keep       bool
	timeout    time.Duration
}

// errUsage reports a bad flag value.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench status", flag.ContinueOnError)
	child := fs.String("child", "", "internal: run one part in this process (farm, load)")
	var ca childArgs
	fs.IntVar(&ca.farmPort, "farm-port", 0, "internal: the farm's port")
	fs.StringVar(&ca.url, "url", "", "internal: the load child's target")
	fs.StringVar(&ca.urlsFile, "urls", "", "internal: a file of the load child's targets, taken in turn")
	sites := fs.Int("sites", 11000, "sites of the generated host (simulate.Generate; 5 sites per customer on average)")
	interval := fs.Duration("interval", 60*time.Second, "interval of every site's http check (11,000 sites every 60s: about 183 checks/s)")
	clients := fs.Int("clients", 64, "concurrent keep-alive clients of the load generator")
	duration := fs.Duration("duration", 20*time.Second, "how long each target is loaded, and each quiet window lasts")
	warmup := fs.Duration("warmup", time.Second, "requests made and not recorded at the start of each load window")
	targets := fs.String("targets", strings.Join(targetNames(), ","), "comma-separated targets, measured in this order")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the server process over each load window into this directory, as TARGET.pprof")
	keep := fs.Bool("keep", false, "keep the temporary directory (database, static files)")
	timeout := fs.Duration("timeout", 20*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ca.sites, ca.clients, ca.duration, ca.warmup = *sites, *clients, *duration, *warmup
	if *child != "" {
		return runChild(ctx, *child, ca)
	}
	cfg := config{args: args, sites: *sites, interval: *interval, clients: *clients, duration: *duration,
		warmup: *warmup, cpuprofile: *cpuprofile, keep: *keep, timeout: *timeout}
	if cfg.sites <= 0 || cfg.interval <= 0 || cfg.clients <= 0 || cfg.duration <= 0 || cfg.warmup < 0 || cfg.timeout <= 0 {
		return fmt.Errorf("%w: -sites, -interval, -clients, -duration and -timeout must be positive, -warmup not negative", errUsage)
	}
	for name := range strings.SplitSeq(*targets, ",") {
		name = strings.TrimSpace(name)
		if _, ok := targetByName(name); !ok {
			return fmt.Errorf("%w: unknown target %q (want some of %s)", errUsage, name, strings.Join(targetNames(), ", "))
		}
		cfg.targets = append(cfg.targets, name)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	rep, err := bench(ctx, cfg)
	if rep != nil {
		rep.print(os.Stdout)
	}
	return err
}

// childArgs are what a child process is told on its command line.
type childArgs struct {
	sites    int
	farmPort int
	url      string
	urlsFile string
	clients  int
	duration time.Duration
	warmup   time.Duration
}

func runChild(ctx context.Context, kind string, a childArgs) error {
	switch kind {
	case "farm":
		return runFarmChild(ctx, a)
	case "load":
		return runLoadChild(ctx, a)
	}
	return fmt.Errorf("%w: unknown child %q", errUsage, kind)
}
