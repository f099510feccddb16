package probe

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// TestFinishTakesResultsWhileTheSchedulerStops fills the monitor's result
// channel, lets workers run checks whose results cannot be handed over,
// and finishes: the monitor must take those results while its scheduler
// waits for the workers, rather than wait for the workers first (which
// waited forever at the shutdown of an 11,000-site host).
func TestFinishTakesResultsWhileTheSchedulerStops(t *testing.T) {
	m := &Monitor{results: make(chan observed, 2), opts: MonitorOptions{Logger: slog.New(slog.DiscardHandler), Now: time.Now}}
	var ran atomic.Int64
	m.sched = NewScheduler(SchedulerOptions{
		Run: func(context.Context, *check.Check) check.Result {
			ran.Add(1)
			return check.Result{OK: true}
		},
		Report:      func(key string, r check.Result) { m.results <- observed{key, r} },
		Concurrency: 4,
		Logger:      slog.New(slog.DiscardHandler),
	})
	var checks []*check.Check
	for i := range 8 {
		checks = append(checks, &check.Check{Asset: fmt.Sprintf("a%d", i), Name: "tcp", Kind: check.TCP,
			Interval: check.Duration(100 * time.Millisecond), Timeout: check.Duration(50 * time.Millisecond)})
	}
	m.results <- observed{key: "full/1"}
	m.results <- observed{key: "full/2"}
	m.sched.Set(checks)
	m.sched.Start(context.Background())
	deadline := time.Now().Add(5 * time.Second)
	for ran.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("no check ran")
		}
		time.Sleep(5 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		m.finish()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("finish still waits after 5 s: its workers wait to hand over their results")
	}
}
