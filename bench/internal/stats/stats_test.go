package stats

import (
	"math"
	"testing"
	"time"
)

func TestPercentileIsTheNearestRank(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{"none", nil, 0.99, 0},
		{"one", ms(7), 0.5, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"median of five is the third", ms(1, 2, 3, 4, 5), 0.5, 3 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"p99 of ten is the largest", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.99, 10 * time.Millisecond},
		{"max", ms(1, 5, 9), 1, 9 * time.Millisecond},
		{"tiny q is the smallest", ms(3, 4), 0.0001, 3 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.sorted, tc.q); got != tc.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tc.sorted, tc.q, got, tc.want)
			}
		})
	}
}

func TestHistogramQuantileInterpolatesWithinItsBucket(t *testing.T) {
	// Buckets ≤1, ≤2, ≤4 holding 10, 30 and 50 observations; 10 more above 4.
	h := Histogram{Bounds: []float64{1, 2, 4}, Cum: []uint64{10, 40, 90}, Count: 100, Sum: 250}
	tests := []struct {
		q, want float64
	}{
		{0.05, 0.5},   // rank 5: half of the first bucket, from 0
		{0.10, 1},     // rank 10: the first bucket's top
		{0.25, 1.5},   // rank 25: half of the second
		{0.65, 3},     // rank 65: half of the third
		{0.99, 4},     // above the last bound: that bound
		{0.90, 4},     // rank 90: the third's top
		{0.40, 2},     // rank 40: the second's top
		{0.001, 0.01}, // rank 0.1
	}
	for _, tc := range tests {
		if got := h.Quantile(tc.q); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("quantile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := h.Mean(); got != 2.5 {
		t.Errorf("mean = %v, want 2.5", got)
	}
	aboveTests := []struct {
		x     float64
		want  int64
		bound float64
	}{
		{2, 60, 2},
		{0.001 * 2000, 60, 2}, // 2 give or take rounding
		{3, 10, 4},            // not a bound: the next one up
		{5, -1, 4},            // above every bound
	}
	for _, tc := range aboveTests {
		if got, bound := h.Above(tc.x); got != tc.want || bound != tc.bound {
			t.Errorf("above(%v) = %d over %v, want %d over %v", tc.x, got, bound, tc.want, tc.bound)
		}
	}
	if got := (Histogram{Bounds: []float64{1}, Cum: []uint64{0}}).Quantile(0.5); !math.IsNaN(got) {
		t.Errorf("quantile of nothing = %v, want NaN", got)
	}
}

func TestHistogramSinceKeepsOnlyTheWindow(t *testing.T) {
	before := Histogram{Bounds: []float64{1, 2}, Cum: []uint64{5, 8}, Count: 9, Sum: 10}
	after := Histogram{Bounds: []float64{1, 2}, Cum: []uint64{6, 18}, Count: 20, Sum: 30}
	d := after.Since(before)
	if d.Count != 11 || d.Sum != 20 || d.Cum[0] != 1 || d.Cum[1] != 10 {
		t.Fatalf("since = %+v, want count 11, sum 20, cum [1 10]", d)
	}
	// 11 observations: 1 up to 1, 9 in (1, 2], 1 above 2.
	if got, _ := d.Above(1); got != 10 {
		t.Errorf("above(1) = %d, want 10", got)
	}
}

func TestWorstIsTheHighestBucketHoldingAnObservation(t *testing.T) {
	h := Histogram{Bounds: []float64{1, 2, 4}, Cum: []uint64{3, 5, 5}, Count: 5}
	if got := h.Worst(); got != 2 {
		t.Errorf("Worst = %v, want 2", got)
	}
	h.Count = 6 // one above the last bound
	if got := h.Worst(); !math.IsInf(got, 1) {
		t.Errorf("Worst with one above every bound = %v, want +Inf", got)
	}
	if got := (Histogram{Bounds: []float64{1}, Cum: []uint64{0}}).Worst(); !math.IsNaN(got) {
		t.Errorf("Worst of nothing = %v, want NaN", got)
	}
}
