package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/vigie/vigie/bench/internal/usage"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/probe"
)

// runVigieChild runs an http check per site with check.Engine under
// probe.Scheduler for the duration, and measures it.
func runVigieChild(ctx context.Context, a childArgs) (measure, error) {
	s, err := readSites(a.sitesFile, a.n)
	if err != nil {
		return measure{}, err
	}
	var pool *x509.CertPool
	if a.scheme == "https" {
		if pool, err = readCA(a.caFile); err != nil {
			return measure{}, err
		}
	}
	engine := check.NewEngine(check.Options{Dial: s.dial, RootCAs: pool})
	checks := make([]*check.Check, a.n)
	for i := range checks {
		c := &check.Check{Asset: s.hosts[i], Kind: check.HTTP, URL: s.url(i, a.scheme), Interval: check.Duration(a.interval),
			Timeout: check.Duration(a.runTimeout)}
		check.ApplyDefaults(c)
		checks[i] = c
	}
	var results counter
	sched := probe.NewScheduler(probe.SchedulerOptions{
		Run: engine.Run,
		Report: func(key string, r check.Result) {
			results.add(r.OK, func() string { return fmt.Sprintf("%s: %s %s %s", key, r.Phase, r.Reason, r.Message) })
		},
		Concurrency: a.concurrency,
	})
	sched.Set(checks)
	m := measure{Kind: "vigie", Checks: a.n, Scheme: a.scheme}
	cpu0, _ := usage.Self()
	begin := time.Now()
	sched.Start(ctx)
	st := watch(ctx, sched, a.duration, &m)
	sched.Stop()
	m.Window = time.Since(begin)
	cpu1, rss := usage.Self()
	m.CPU, m.MaxRSSKiB = cpu1-cpu0, rss
	m.Runs, m.Failures, m.FirstFailure = results.runs, results.failures, results.first
	m.Skipped, m.Planned, m.Capacity = st.Skipped, st.PlannedRate, st.Capacity
	m.Late = sched.Behind().Total.Late
	m.Achieved = float64(m.Runs) / a.duration.Seconds()
	m.P50, m.P99 = st.LatenessP50, st.LatenessP99
	return m, ctx.Err()
}

// watch polls the scheduler's statistics every 5 s for d, keeping the worst
// p99 lateness in m, and returns the last statistics.
func watch(ctx context.Context, sched *probe.Scheduler, d time.Duration, m *measure) probe.Stats {
	end := time.NewTimer(d)
	defer end.Stop()
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return sched.Stats()
		case <-end.C:
			st := sched.Stats()
			m.WorstP99 = max(m.WorstP99, st.LatenessP99)
			return st
		case <-tick.C:
			m.WorstP99 = max(m.WorstP99, sched.Stats().LatenessP99)
		}
	}
}
