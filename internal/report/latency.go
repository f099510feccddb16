package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
)

// Point is the latency of a check over one step of a series.
type Point struct {
	At time.Time // start of the step
	// OK is set when the step has successful results; Mean is their
	// average and Max the slowest of them.
	OK        bool
	Mean, Max time.Duration
	// Failures counts the failed results of the step.
	Failures int
}

// Series is a check's latency over a period, one point per step, oldest
// first; steps without a successful result are points with OK unset.
type Series struct {
	Check  string
	Period Span
	Step   time.Duration
	Points []Point
}

// Summary sums a series up: the median of the steps' averages, the
// slowest single response, and how many steps had successful results.
type Summary struct {
	Median, Max time.Duration
	Measured    int
}

// LatencySeries folds minute buckets of one check (detect.Store.Latency)
// into steps of step from period.From to period.To.
func LatencySeries(check string, period Span, step time.Duration, buckets []detect.Bucket) Series {
	n := int(period.Duration() / step)
	s := Series{Check: check, Period: period, Step: step, Points: make([]Point, n)}
	sums := make([]time.Duration, n)
	oks := make([]int, n)
	for i := range s.Points {
		s.Points[i].At = period.From.Add(time.Duration(i) * step)
	}
	for _, b := range buckets {
		if b.Minute.Before(period.From) {
			continue
		}
		i := int(b.Minute.Sub(period.From) / step)
		if i >= n {
			continue
		}
		p := &s.Points[i]
		p.Failures += b.Failures
		ok := b.Count - b.Failures
		if ok <= 0 {
			continue
		}
		p.OK = true
		p.Max = max(p.Max, b.Max)
		sums[i] += b.LatencySum
		oks[i] += ok
	}
	for i := range s.Points {
		if oks[i] > 0 {
			s.Points[i].Mean = sums[i] / time.Duration(oks[i])
		}
	}
	return s
}

// Summary returns the series' summary; a series without any successful
// result has a zero one.
func (s Series) Summary() Summary {
	var means []time.Duration
	var sum Summary
	for _, p := range s.Points {
		if !p.OK {
			continue
		}
		means = append(means, p.Mean)
		sum.Max = max(sum.Max, p.Max)
	}
	sum.Measured = len(means)
	if len(means) == 0 {
		return sum
	}
	slices.Sort(means)
	mid := len(means) / 2
	sum.Median = means[mid]
	if len(means)%2 == 0 {
		sum.Median = (means[mid-1] + means[mid]) / 2
	}
	return sum
}

// latencyKinds are the kinds of checks whose latency a chart shows, in
// the order one is chosen: what a visitor waits for first.
var latencyKinds = []check.Kind{check.HTTP, check.TCP, check.TLS, check.DNS}

// LatencyCheck picks the check of a whose latency stands for it: its
// first http check, else tcp, tls or dns; ok is false when it has none.
func LatencyCheck(a *AssetState) (c check.Check, ok bool) {
	for _, k := range latencyKinds {
		for _, c := range a.Checks {
			if c.Kind == k {
				return c, true
			}
		}
	}
	return check.Check{}, false
}

// Latency reads the latency of the check standing for a (LatencyCheck)
// over the period, in steps of step, from the minute counters (kept for
// detect.MinuteRetention); ok is false when a has no such check.
func (r *Reader) Latency(ctx context.Context, a *AssetState, period Span, step time.Duration) (s Series, ok bool, err error) {
	c, ok := LatencyCheck(a)
	if !ok {
		return Series{}, false, nil
	}
	buckets, err := r.Detection.Latency(ctx, c.Key(), detect.PeriodMinute, period.From, period.To)
	if err != nil {
		return Series{}, false, fmt.Errorf("latency of %s: %w", c.Key(), err)
	}
	return LatencySeries(c.Key(), period, step, buckets), true, nil
}
