// Command notify measures the notification path against its issue's
// target: an incident touching 5,000 customers, from its opening by staff
// to the last of 5,000 mails accepted by an SMTP server on loopback, in
// under 60 s on 2 cores, without slowing detection.
//
//	go run ./bench/notify -customers 5000
//
// This process runs the whole Vigie server (app.Open, app.Serve: it
// leads, so it probes, correlates, plans and delivers) on a fresh SQLite
// database, or a fresh PostgreSQL schema with -db. A child process holds
// the peers: the SMTP server (notifytest, STARTTLS and AUTH as a real
// relay) and the loopback HTTP sites the built-in probe checks meanwhile,
// so that the CPU time and memory measured here are the server's own.
// After Vigie, the same 5,000 mails are sent to the same SMTP server with
// go-mail directly, as the baseline. Progress goes to stderr, the tables
// in Markdown to stdout; docs/benchmarks.md holds the figures.
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
		fmt.Fprintf(os.Stderr, "bench notify: %v\n", err)
		os.Exit(1)
	}
}

// config is what the command line asks for.
type config struct {
	args       []string
	customers  int
	db         string // "sqlite" or a postgres:// URL
	watched    int    // sites the probe checks during the run
	interval   time.Duration
	quiet      time.Duration
	gather     time.Duration
	rate       int
	conns      int
	cpuprofile string
	keep       bool
	timeout    time.Duration
}

// errUsage reports a bad flag value.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench notify", flag.ContinueOnError)
	child := fs.String("child", "", "internal: run the peers in this process")
	customers := fs.Int("customers", 5000, "customers touched by the incident, each with one site on the hypervisor and an e-mail address")
	db := fs.String("db", "sqlite", `"sqlite" (a file in a temporary directory) or a postgres:// URL (a fresh schema in it, dropped afterwards)`)
	watched := fs.Int("watched", 300, "sites on another hypervisor that the built-in probe checks during the run (http on loopback)")
	interval := fs.Duration("interval", 5*time.Second, "interval of the watched sites' checks")
	quiet := fs.Duration("quiet", 15*time.Second, "how long detection is measured before the incident, with no mail going out")
	gather := fs.Duration("gather", 0, "app.Config.NotifyGather: how long a first message waits for others to join it (0: the default, 20s; negative: none)")
	rate := fs.Int("rate", 0, "the e-mail channel's rate per minute (0: the kind's default)")
	conns := fs.Int("conns", 4, "connections the baseline opens, one per sender goroutine (Vigie's e-mail sender keeps at most 4 per channel)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of this process, from the incident to the last mail, into this file")
	keep := fs.Bool("keep", false, "keep the temporary directory (and the PostgreSQL schema)")
	timeout := fs.Duration("timeout", 15*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *child == "peers" {
		return runPeers(ctx)
	} else if *child != "" {
		return fmt.Errorf("%w: unknown child %q", errUsage, *child)
	}
	cfg := config{args: args, customers: *customers, db: *db, watched: *watched, interval: *interval, quiet: *quiet,
		gather: *gather, rate: *rate, conns: *conns, cpuprofile: *cpuprofile, keep: *keep, timeout: *timeout}
	if cfg.customers <= 0 || cfg.watched <= 0 || cfg.interval <= 0 || cfg.quiet <= 0 || cfg.rate < 0 || cfg.conns <= 0 {
		return fmt.Errorf("%w: -customers, -watched, -interval, -quiet and -conns must be positive, -rate not negative", errUsage)
	}
	if cfg.db != "sqlite" && !strings.HasPrefix(cfg.db, "postgres://") {
		return fmt.Errorf("%w: -db is sqlite or a postgres:// URL", errUsage)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	rep, err := bench(ctx, cfg)
	if rep != nil {
		rep.print(os.Stdout)
	}
	return err
}

// progress says what the run is doing, on stderr.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
