package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"time"
)

// childArgs is what the parent tells a child.
type childArgs struct {
	sitesFile, caFile string
	n                 int
	scheme            string
	interval          time.Duration
	duration          time.Duration
	concurrency       int
	cpuprofile        string
	hang              string        // farm: hypervisors that hang, comma-separated
	runTimeout        time.Duration // of each check or request, 0 for the default
}

// errChild reports an unknown kind of child.
var errChild = errors.New("unknown child")

// runChild runs one part of the benchmark in this process.
func runChild(ctx context.Context, kind string, a childArgs) error {
	if kind == "farm" {
		return runFarmChild(ctx, a)
	}
	if a.cpuprofile != "" {
		f, err := os.Create(a.cpuprofile)
		if err != nil {
			return fmt.Errorf("profile: %w", err)
		}
		defer func() { _ = f.Close() }()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	var (
		m   measure
		err error
	)
	switch kind {
	case "vigie":
		m, err = runVigieChild(ctx, a)
	case "raw":
		m, err = runRawChild(ctx, a)
	default:
		return fmt.Errorf("%w %q", errChild, kind)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(m)
}

// measure is what a measured child reports.
type measure struct {
	Kind   string `json:"kind"`
	Checks int    `json:"checks"`
	Scheme string `json:"scheme"`
	// Window is from the first possible run to the end of the last one.
	Window time.Duration `json:"window"`
	// Runs counts the results; Failures those not OK, with the first one.
	Runs, Failures uint64
	FirstFailure   string `json:"first_failure,omitempty"`
	// Skipped counts planned runs skipped and Late those started more than
	// an interval late (Vigie only).
	Skipped uint64 `json:"skipped"`
	Late    uint64 `json:"late"`
	// Capacity is the cap on runs in flight (Vigie only).
	Capacity int `json:"capacity"`
	// Planned is the rate the intervals call for, Achieved the runs per
	// second over the window.
	Planned, Achieved float64
	// CPU is the process's user and system time over the window, in seconds.
	CPU float64 `json:"cpu"`
	// MaxRSSKiB is the process's peak RSS.
	MaxRSSKiB int64 `json:"max_rss_kib"`
	// P50 and P99 are quantiles of the lateness of runs: Vigie's over the
	// last minute (Stats), the raw loop's over the window. WorstP99 is the
	// highest P99 seen over the run (Vigie, polled every 5 s).
	P50, P99, WorstP99 time.Duration
}

// counter counts results, safe for concurrent use.
type counter struct {
	mu             sync.Mutex
	runs, failures uint64
	first          string
}

func (c *counter) add(ok bool, why func() string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs++
	if !ok {
		c.failures++
		if c.first == "" {
			c.first = why()
		}
	}
}

// quantile returns the q-quantile of sorted durations, 0 for none.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// sortDurations sorts d in place and returns it.
func sortDurations(d []time.Duration) []time.Duration {
	slices.Sort(d)
	return d
}
