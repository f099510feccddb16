package probe

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// BenchmarkSchedulerHangingTargets is the outage that starved the probe,
// scaled down in time: 11,000 sites every second, 2,300 of them (behind a
// hypervisor gone dark) hanging until their 1 s timeout, the others
// answering at once. One op is one interval; run it with -benchtime=Nx.
// "cap-256" is the fixed cap the scheduler had before, "derived" the cap
// that follows the checks. Reported per interval: healthy-on-time-% (runs
// of the 8,700 healthy sites started less than an interval after their
// slot, against those planned), healthy-worst-late-ms, skipped and late
// runs of any site, and the peak of runs in flight.
func BenchmarkSchedulerHangingTargets(b *testing.B) {
	const (
		sites = 11_000
		dark  = 2_300
		every = time.Second
	)
	for _, bc := range []struct {
		name        string
		concurrency int
	}{{"cap-256", 256}, {"derived", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			checks := withTimeout(manyChecks(sites, sites, every), every)
			hung := make(map[*check.Check]bool, dark)
			for _, c := range checks[:dark] {
				hung[c] = true
			}
			// Read-only once the scheduler starts. A run may read its own
			// entry's planned time: it was written before the run was
			// handed over under the lock, and is not written again before
			// the run ends.
			entries := make(map[*check.Check]*entry, sites)
			var s *Scheduler // set before it starts
			var measuring atomic.Bool
			var onTime, worst, peak, inFlight atomic.Int64
			run := func(ctx context.Context, c *check.Check) check.Result {
				if hung[c] {
					peak.Store(max(peak.Load(), inFlight.Add(1)))
					<-ctx.Done()
					inFlight.Add(-1)
					return check.Result{Reason: check.ReasonTimeout}
				}
				if late := time.Since(s.at(entries[c].planned)); measuring.Load() {
					if late < every {
						onTime.Add(1)
					}
					worst.Store(max(worst.Load(), int64(late)))
				}
				return check.Result{OK: true}
			}
			s = NewScheduler(SchedulerOptions{Run: run, Concurrency: bc.concurrency})
			s.Set(checks)
			for e := range s.entries.all() {
				entries[e.check] = e
			}
			startScheduler(b, s)
			b.Cleanup(func() { s.Set(nil) }) // cancels the hanging runs, so that Stop is quick
			time.Sleep(every)                // every check comes due once
			before, st0, cpu := s.Behind().Total, s.Stats(), processCPU()
			peak.Store(0)
			measuring.Store(true)

			b.ResetTimer()
			time.Sleep(time.Duration(b.N) * every)
			b.StopTimer()

			measuring.Store(false)
			after, st1, n := s.Behind().Total.sub(before), s.Stats(), float64(b.N)
			b.ReportMetric(100*float64(onTime.Load())/float64((sites-dark)*b.N), "healthy-on-time-%")
			b.ReportMetric(float64(worst.Load())/float64(time.Millisecond), "healthy-worst-late-ms")
			b.ReportMetric(float64(after.Skipped)/n, "skipped/op")
			b.ReportMetric(float64(after.Late)/n, "late/op")
			b.ReportMetric(float64(peak.Load()), "peak-hanging")
			b.ReportMetric(float64(st1.Workers), "workers")
			b.ReportMetric(float64(st1.Capacity), "capacity")
			b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/(float64(st1.Runs-st0.Runs)/1000), "cpu-ms/1000runs")
		})
	}
}

// BenchmarkRunsInFlightMemory measures what a run waiting on its RunFunc
// costs the scheduler: its worker's stack and its context, in bytes of
// heap and stack per run, with 10,000 runs in flight.
func BenchmarkRunsInFlightMemory(b *testing.B) {
	const n = 10_000
	var perRun float64
	for range b.N {
		s := NewScheduler(SchedulerOptions{Run: hangRun})
		// Timeouts as long as the interval: a worker each, so that the
		// cap lets all of them run at once.
		checks := withTimeout(manyChecks(n, n, time.Hour), time.Hour)
		s.Set(checks)
		before := inUse()
		s.Start(context.Background())
		for _, c := range checks {
			s.Retry(c.Key(), 0)
		}
		deadline := time.Now().Add(time.Minute)
		for s.Stats().InFlight < n {
			if time.Now().After(deadline) {
				b.Fatalf("%d runs in flight after a minute, want %d", s.Stats().InFlight, n)
			}
			time.Sleep(10 * time.Millisecond)
		}
		perRun += float64(inUse()-before) / n
		s.Set(nil)
		s.Stop()
	}
	b.ReportMetric(perRun/float64(b.N), "B/run-in-flight")
}

// inUse is the heap and goroutine stacks in use after a collection.
func inUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc + ms.StackInuse)
}
