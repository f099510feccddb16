package main

import (
	"math"
	"time"
)

// percentile returns the q-quantile (0 < q ≤ 1) of sorted latencies by
// nearest rank: the smallest latency that at least q of them do not
// exceed; 0 when there are none.
func percentile(sorted []time.Duration, q float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	k := int(math.Ceil(q*float64(n))) - 1
	return sorted[min(max(k, 0), n-1)]
}

// histogram is a Prometheus histogram as read at one moment: the upper
// bounds of its finite buckets, the cumulative count of each, and the
// count and sum of every observation (those above the last bound too).
type histogram struct {
	bounds []float64
	cum    []uint64
	count  uint64
	sum    float64
}

// since returns what was observed between old and h, two readings of one
// histogram.
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

// quantile estimates the q-quantile as Prometheus's histogram_quantile
// does: linear within the bucket that holds it, from 0 in the first one.
// It returns the last finite bound when the quantile lies above it, and
// NaN without observations.
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

// above returns how many observations exceed the first bound that is at
// least x (within rounding), and that bound; -1 and the last bound when x
// is above them all.
func (h histogram) above(x float64) (int64, float64) {
	for i, b := range h.bounds {
		if b >= x*(1-1e-9) {
			return int64(h.count - h.cum[i]), b
		}
	}
	if len(h.bounds) == 0 {
		return -1, math.NaN()
	}
	return -1, h.bounds[len(h.bounds)-1]
}
