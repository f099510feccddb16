package detect

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// memoryChecks is how many checks BenchmarkDetectorMemory watches, each
// from three locations; VIGIE_BENCH_CHECKS overrides it (1000000 for the
// size of the largest hosts).
func memoryChecks(b *testing.B) int {
	if s := os.Getenv("VIGIE_BENCH_CHECKS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("VIGIE_BENCH_CHECKS=%q: want a positive number", s)
		}
		return n
	}
	return 100_000
}

// heapAfterGC is the live heap.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// fillDetector has observe watch every key from benchLocations, as a host
// does after a few rounds: each location reports each check four times;
// one check in 20 fails from one location (a location problem, with its
// evidence), one in 100 fails everywhere (down), one in 50 has a soft
// failure in its last round.
func fillDetector(keys, assets []string, assign func(string, []string, int), observe func(key, asset, loc string, r check.Result, now time.Time)) {
	now := t0
	for _, key := range keys {
		assign(key, benchLocations, 0)
	}
	for round := range 4 {
		now = now.Add(time.Minute)
		for i, key := range keys {
			for l, loc := range benchLocations {
				r := okResult(now)
				switch {
				case i%100 == 0 && round > 0:
					r = failResult(now)
				case i%20 == 1 && l == 0 && round > 0:
					r = failResult(now)
				case i%50 == 2 && round == 3:
					r = failResult(now)
				}
				observe(key, assets[i], loc, r, now)
			}
		}
	}
}

// BenchmarkDetectorMemory measures the live heap a Detector keeps per check
// and location, against the former layout and against a bare set of the
// same keys, in the same run. The keys themselves are allocated before
// and not counted: the inventory holds them anyway.
func BenchmarkDetectorMemory(b *testing.B) {
	n := memoryChecks(b)
	keys := make([]string, n)
	assets := make([]string, n)
	for i := range keys {
		assets[i] = fmt.Sprintf("site%07d.example", i)
		keys[i] = assets[i] + "/http"
	}
	per := float64(n * len(benchLocations))
	measure := func(fill func() any) float64 {
		before := heapAfterGC()
		v := fill()
		after := heapAfterGC()
		runtime.KeepAlive(v)
		return float64(int64(after)-int64(before)) / per
	}
	var set, former, compact float64
	for b.Loop() {
		set = measure(func() any {
			m := make(map[string]struct{})
			for _, k := range keys {
				m[k] = struct{}{}
			}
			return m
		})
		former = measure(func() any {
			d := newRefDetector(Config{})
			fillDetector(keys, assets, d.SetAssignment, func(key, asset, loc string, r check.Result, now time.Time) {
				d.Observe(key, asset, loc, 3, r, now)
			})
			return d
		})
		compact = measure(func() any {
			d := New(Config{})
			fillDetector(keys, assets, d.SetAssignment, func(key, asset, loc string, r check.Result, now time.Time) {
				d.Observe(key, asset, loc, 3, r, now)
			})
			return d
		})
	}
	b.ReportMetric(compact, "B/check-location")
	b.ReportMetric(former, "former-B/check-location")
	b.ReportMetric(set, "keyset-B/check-location")
	b.ReportMetric(former/compact, "×smaller")
}

// BenchmarkObserveFormer is BenchmarkObserve on the former layout, the
// baseline of its ns/op and allocs/op.
func BenchmarkObserveFormer(b *testing.B) {
	for _, bc := range []struct {
		name  string
		every int
	}{
		{"steady", 0},
		{"blips", 40},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d := newRefDetector(Config{})
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
