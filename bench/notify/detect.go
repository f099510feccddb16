package main

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigie/vigie/bench/internal/stats"
	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/incident"
)

// metricLateness is the built-in probe's lateness histogram.
const metricLateness = "vigie_probe_lateness_seconds"

// readLateness reads the probe's lateness from the server's registry, in
// process.
func readLateness(g prometheus.Gatherer) (stats.Histogram, error) {
	return stats.Gather(g, metricLateness)
}

// tick is one timed Engine.Tick.
type tick struct {
	at  time.Time
	dur time.Duration
}

// ticker times incident.Engine.Tick on the server's database, every
// period, with an engine of its own: nothing is down for it, so it
// writes nothing, and each tick is the engine's fixed cost (the graph's
// version, the checked assets, the maintenance mutes, correlation).
type ticker struct {
	mu    sync.Mutex
	ticks []tick
	errs  int
}

func startTicker(ctx context.Context, a *app.App, period time.Duration) (*ticker, func()) {
	t := &ticker{}
	e := incident.NewEngine(a.Incidents, a.Inventory, incident.EngineOptions{
		MutesFrom: func(ctx context.Context) (incident.Mutes, error) {
			return a.Maintenance.Mutes(ctx, a.Inventory.Graph())
		}})
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			start := time.Now()
			err := e.Tick(ctx)
			d := time.Since(start)
			t.mu.Lock()
			if err != nil {
				t.errs++
			} else {
				t.ticks = append(t.ticks, tick{at: start, dur: d})
			}
			t.mu.Unlock()
			select {
			case <-ctx.Done():
			case <-time.After(period):
			}
		}
	}()
	return t, func() { cancel(); <-done }
}

// between returns the ticks started in [from, to), sorted by duration.
func (t *ticker) between(from, to time.Time) []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []time.Duration
	for _, k := range t.ticks {
		if !k.at.Before(from) && k.at.Before(to) {
			out = append(out, k.dur)
		}
	}
	slices.Sort(out)
	return out
}
