// Package stats holds the figures the benchmarks read off a run: nearest-
// rank percentiles of latencies, and Prometheus histograms read in process,
// subtracted between two readings, and summarised as histogram_quantile
// does.
package stats

import (
	"fmt"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Percentile returns the q-quantile (0 < q ≤ 1) of sorted latencies by
// nearest rank: the smallest latency that at least q of them do not
// exceed; 0 when there are none.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	k := int(math.Ceil(q*float64(n))) - 1
	return sorted[min(max(k, 0), n-1)]
}

// Histogram is a Prometheus histogram as read at one moment: the upper
// bounds of its finite buckets, the cumulative count of each, and the
// count and sum of every observation (those above the last bound too).
type Histogram struct {
	Bounds []float64
	Cum    []uint64
	Count  uint64
	Sum    float64
}

// FromProto reads a gathered histogram.
func FromProto(h *dto.Histogram) Histogram {
	out := Histogram{Count: h.GetSampleCount(), Sum: h.GetSampleSum()}
	for _, b := range h.Bucket {
		out.Bounds = append(out.Bounds, b.GetUpperBound())
		out.Cum = append(out.Cum, b.GetCumulativeCount())
	}
	return out
}

// Gather reads the histogram named name from g, which must hold one.
func Gather(g prometheus.Gatherer, name string) (Histogram, error) {
	families, err := g.Gather()
	if err != nil {
		return Histogram{}, err
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		if len(f.Metric) != 1 || f.Metric[0].Histogram == nil {
			return Histogram{}, fmt.Errorf("%s: want one histogram", name)
		}
		return FromProto(f.Metric[0].Histogram), nil
	}
	return Histogram{}, fmt.Errorf("no %s gathered", name)
}

// Since returns what was observed between old and h, two readings of one
// histogram.
func (h Histogram) Since(old Histogram) Histogram {
	d := Histogram{Bounds: h.Bounds, Cum: make([]uint64, len(h.Cum)), Count: h.Count - old.Count, Sum: h.Sum - old.Sum}
	for i := range h.Cum {
		d.Cum[i] = h.Cum[i]
		if i < len(old.Cum) {
			d.Cum[i] -= old.Cum[i]
		}
	}
	return d
}

// Mean returns the mean observation, or NaN without any.
func (h Histogram) Mean() float64 {
	if h.Count == 0 {
		return math.NaN()
	}
	return h.Sum / float64(h.Count)
}

// Quantile estimates the q-quantile as Prometheus's histogram_quantile
// does: linear within the bucket that holds it, from 0 in the first one.
// It returns the last finite bound when the quantile lies above it, and
// NaN without observations.
func (h Histogram) Quantile(q float64) float64 {
	if h.Count == 0 || len(h.Bounds) == 0 {
		return math.NaN()
	}
	rank := q * float64(h.Count)
	lower, below := 0.0, uint64(0)
	for i, upper := range h.Bounds {
		if float64(h.Cum[i]) >= rank {
			in := h.Cum[i] - below
			if in == 0 {
				return upper
			}
			return lower + (upper-lower)*(rank-float64(below))/float64(in)
		}
		lower, below = upper, h.Cum[i]
	}
	return h.Bounds[len(h.Bounds)-1]
}

// Above returns how many observations exceed the first bound that is at
// least x (within rounding), and that bound; -1 and the last bound when x
// is above them all.
func (h Histogram) Above(x float64) (int64, float64) {
	for i, b := range h.Bounds {
		if b >= x*(1-1e-9) {
			return int64(h.Count - h.Cum[i]), b
		}
	}
	if len(h.Bounds) == 0 {
		return -1, math.NaN()
	}
	return -1, h.Bounds[len(h.Bounds)-1]
}

// Worst returns the upper bound of the highest bucket holding an
// observation (+Inf above the last), or NaN without any.
func (h Histogram) Worst() float64 {
	if h.Count == 0 {
		return math.NaN()
	}
	for i := range h.Bounds {
		if h.Cum[i] == h.Count {
			return h.Bounds[i]
		}
	}
	return math.Inf(1)
}
