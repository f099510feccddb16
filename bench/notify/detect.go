package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/incident"
)

// metricLateness is the built-in probe's lateness histogram.
const metricLateness = "vigie_probe_lateness_seconds"

// histogram is a Prometheus histogram as read at one moment: the upper
// bounds of its finite buckets, the cumulative count of each, and the
// count and sum of every observation.
type histogram struct {
	bounds []float64
	cum    []uint64
	count  uint64
	sum    float64
}

// readLateness reads the probe's lateness from the server's registry, in
// process.
func readLateness(g prometheus.Gatherer) (histogram, error) {
	families, err := g.Gather()
	if err != nil {
		return histogram{}, err
	}
	for _, f := range families {
		if f.GetName() != metricLateness {
			continue
		}
		if len(f.Metric) != 1 || f.Metric[0].Histogram == nil {
			return histogram{}, fmt.Errorf("%s: want one histogram", metricLateness)
		}
		return histogramOf(f.Metric[0].Histogram), nil
	}
	return histogram{}, fmt.Errorf("no %s: is the probe running?", metricLateness)
}

func histogramOf(h *dto.Histogram) histogram {
	out := histogram{count: h.GetSampleCount(), sum: h.GetSampleSum()}
	for _, b := range h.Bucket {
		out.bounds = append(out.bounds, b.GetUpperBound())
		out.cum = append(out.cum, b.GetCumulativeCount())
	}
	return out
}

// since returns what was observed between old and h.
func (h histogram) since(old histogram) histogram {
	d := histogram{bounds: h.bounds, cum: make([]uint64, len(h.cum)), count: h.count - old.count, sum: h.sum - old.sum}
	for i := range h.cum {
		d.cum[i] = h.cum[i]
		if i < len(old.cum) {
			d.cum[i] -= old.cum[i]
		}
	}
	return d
}

// mean returns the mean observation, or NaN without any.
func (h histogram) mean() float64 {
	if h.count == 0 {
		return math.NaN()
	}
	return h.sum / float64(h.count)
}

// quantile estimates the q-quantile as histogram_quantile does: linear
// within the bucket that holds it.
func (h histogram) quantile(q float64) float64 {
	if h.count == 0 || len(h.bounds) == 0 {
		return math.NaN()
	}
	rank := q * float64(h.count)
	lower, below := 0.0, uint64(0)
	for i, upper := range h.bounds {
		if float64(h.cum[i]) >= rank {
			in := h.cum[i] - below
			if in == 0 {
				return upper
			}
			return lower + (upper-lower)*(rank-float64(below))/float64(in)
		}
		lower, below = upper, h.cum[i]
	}
	return h.bounds[len(h.bounds)-1]
}

// worst returns the upper bound of the highest bucket holding an
// observation (+Inf above the last).
func (h histogram) worst() float64 {
	if h.count == 0 {
		return math.NaN()
	}
	for i := range h.bounds {
		if h.cum[i] == h.count {
			return h.bounds[i]
		}
	}
	return math.Inf(1)
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

// percentile returns the q-quantile of sorted durations by nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	k := int(math.Ceil(q*float64(n))) - 1
	return sorted[min(max(k, 0), n-1)]
}
