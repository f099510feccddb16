package detect

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// benchChecks is the number of checks the benchmarks watch, each from
// three locations: the reference host's sites with room to spare.
const benchChecks = 20_000

var benchLocations = []string{"paris", "montreal", "local"}

// benchDetector returns a Detector watching benchChecks checks, every one
// confirmed up from each location, and their keys.
func benchDetector(b *testing.B) (*Detector, []string, time.Time) {
	b.Helper()
	d := New(Config{})
	keys := make([]string, benchChecks)
	now := t0
	for i := range keys {
		keys[i] = fmt.Sprintf("site%d/http", i)
		d.SetAssignment(keys[i], benchLocations, 0)
		for range 2 {
			for _, l := range benchLocations {
				d.Observe(keys[i], "site", l, 3, okResult(now), now)
			}
		}
	}
	return d, keys, now
}

// BenchmarkObserve measures one result through a Detector in the steady
// state, where no result changes a hard state: all successes, or
// successes with a failure now and then that never confirms.
func BenchmarkObserve(b *testing.B) {
	for _, bc := range []struct {
		name  string
		every int // one failure every so many results per location; 0 for none
	}{
		{"steady", 0},
		{"blips", 40},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d, keys, now := benchDetector(b)
			ok, fail := okResult(now), failResult(now)
			var signals int
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				c, l := i/len(benchLocations)%len(keys), i%len(benchLocations)
				round := i / (len(benchLocations) * len(keys))
				r := ok
				if bc.every > 0 && (round+c)%bc.every == 0 {
					r = fail
				}
				now = now.Add(time.Millisecond)
				signals += len(d.Observe(keys[c], "site", benchLocations[l], 3, r, now))
				i++
			}
			if signals != 0 {
				b.Fatalf("%d signals in the steady state", signals)
			}
		})
	}
}

// BenchmarkTrackerObserve measures the state machine alone.
func BenchmarkTrackerObserve(b *testing.B) {
	tr := NewTracker(3, Policy{})
	r := okResult(t0)
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		tr.Observe(r, now)
	}
}

// BenchmarkSweep measures one Sweep over benchChecks checks.
func BenchmarkSweep(b *testing.B) {
	d, _, now := benchDetector(b)
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Millisecond)
		if s := d.Sweep(now); len(s) != 0 {
			b.Fatalf("%d signals", len(s))
		}
	}
}

// BenchmarkRollupAdd measures counting one result, with a flush every
// minute of results.
func BenchmarkRollupAdd(b *testing.B) {
	ru := NewRollup()
	keys := make([]string, benchChecks)
	for i := range keys {
		keys[i] = fmt.Sprintf("site%d/http", i)
	}
	r := okResult(t0)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		r.Started = t0.Add(time.Duration(i) * time.Millisecond)
		ru.Add(keys[i%len(keys)], r)
		if i%60_000 == 0 {
			ru.Flush(r.Started)
		}
		i++
	}
}

func BenchmarkMergeBuckets(b *testing.B) {
	bs := make([]Bucket, 0, 1000*60)
	for c := range 1000 {
		for m := range 60 {
			bs = append(bs, Bucket{Check: fmt.Sprint(c), Minute: t0.Add(time.Duration(m) * time.Minute), Count: 1})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		MergeBuckets(bs, time.Hour)
	}
}

// BenchmarkRollupMinute counts one result of each of 1,000,000 checks in
// one minute, as the monitor does at the size of the largest hosts, then
// flushes the minute. It reports the heap the open minute holds per check
// (after a collection) and the time of the flush, which runs on the
// monitor's loop.
func BenchmarkRollupMinute(b *testing.B) {
	const n = 1_000_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("site%07d/http", i)
	}
	r := latencyResult(true, t0, 30*time.Millisecond)
	var held, flush float64
	var ms runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		ru := NewRollup()
		for i, k := range keys {
			r.Started = t0.Add(time.Duration(i%60_000) * time.Millisecond)
			ru.Add(k, r)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		held += float64(ms.HeapAlloc-before) / n
		start := time.Now()
		out := ru.Flush(t0.Add(time.Minute))
		flush += float64(time.Since(start).Milliseconds())
		if len(out) != n {
			b.Fatalf("flushed %d buckets, want %d", len(out), n)
		}
	}
	b.ReportMetric(held/float64(b.N), "open-B/check")
	b.ReportMetric(flush/float64(b.N), "flush-ms")
}
