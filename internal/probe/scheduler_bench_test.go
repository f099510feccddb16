package probe

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// BenchmarkSchedulerOverhead measures the scheduler's own cost per 1,000
// runs of a RunFunc that does nothing: one op is 1,000 runs reported.
// cpu-ms/1000runs is the process CPU spent on them (the loop, the heap, the
// workers, the metrics). "saturated" asks for far more runs than can be
// done, so ns/op is the scheduler's top speed; "paced" is 100,000 checks
// every 10 s (10,000 runs/s), so ns/op is that pace and only the CPU
// figure matters.
func BenchmarkSchedulerOverhead(b *testing.B) {
	cases := []struct {
		name     string
		checks   int
		interval time.Duration
	}{
		{"saturated/1k-checks-every-1ms", 1_000, time.Millisecond},
		{"paced/100k-checks-every-10s", 100_000, 10 * time.Second},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			var reported, goal atomic.Int64
			reached := make(chan struct{}, 1)
			report := func(string, check.Result) {
				if n := reported.Add(1); n == goal.Load() {
					reached <- struct{}{}
				}
			}
			s := NewScheduler(SchedulerOptions{Run: okRun, Report: report})
			s.Set(manyChecks(bc.checks, bc.checks, bc.interval))
			goal.Store(1_000) // warm up: the first thousand runs
			startScheduler(b, s)
			<-reached
			runtime.GC() // the garbage of building 100,000 checks is not the scheduler's
			s.window.mu.Lock()
			s.window.slots = [slotCount]windowSlot{} // nor is the lateness of the first runs
			s.window.mu.Unlock()

			b.ResetTimer()
			cpu := processCPU()
			goal.Store(reported.Load() + int64(b.N)*1_000)
			<-reached
			b.StopTimer()
			b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/1000runs")
			st := s.Stats()
			b.ReportMetric(float64(st.LatenessP99)/float64(time.Millisecond), "p99-late-ms")
		})
	}
}
