package probe

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vigie/vigie/internal/check"
)

func TestSetAddsRemovesAndChangesChecksLive(t *testing.T) {
	const every = 30 * time.Millisecond
	rec := newRecorder()
	var (
		setDone    atomic.Bool
		lateReport atomic.Value // a key reported after Set removed it
	)
	blocked := make(chan struct{}, 1)
	run := func(ctx context.Context, c *check.Check) check.Result {
		if c.Asset == "removed-while-running" {
			blocked <- struct{}{}
			<-ctx.Done()
			return check.Result{Message: "cancelled"}
		}
		return check.Result{OK: true, Message: c.Address}
	}
	report := func(key string, r check.Result) {
		if setDone.Load() && key == "removed-while-running/tcp" {
			lateReport.Store(key)
		}
		rec.report(key, r)
	}
	s := NewScheduler(SchedulerOptions{Run: run, Report: report})
	kept := newCheck("kept", "10.0.0.1:80", every)
	changed := newCheck("changed", "10.0.0.2:80", every)
	removed := newCheck("removed", "10.0.0.3:80", every)
	running := newCheck("removed-while-running", "10.0.0.4:80", every)
	running.Timeout = check.Duration(10 * time.Second)
	s.Set([]*check.Check{kept, changed, removed, running})
	startScheduler(t, s)
	eventually(t, 2*time.Second, "every check runs", func() bool {
		return rec.count("kept/tcp") >= 2 && rec.count("changed/tcp") >= 2 && rec.count("removed/tcp") >= 1 && len(blocked) == 1
	})

	s.mu.Lock()
	keptNext, keptInterval := s.entries.get("kept/tcp").next, s.entries.get("kept/tcp").interval
	s.mu.Unlock()
	keptCopy := *kept // equal, not the same pointer
	changed2 := newCheck("changed", "10.0.0.22:80", every)
	added := newCheck("added", "10.0.0.5:80", every)
	s.Set([]*check.Check{&keptCopy, changed2, added})
	setDone.Store(true)
	removedRuns := rec.count("removed/tcp")

	s.mu.Lock()
	e := s.entries.get("kept/tcp")
	if e.interval != keptInterval || (e.next-keptNext)%every != 0 {
		t.Errorf("unchanged check moved: interval %v → %v, next %v → %v", keptInterval, e.interval, keptNext, e.next)
	}
	s.mu.Unlock()
	eventually(t, 2*time.Second, "added and changed checks run", func() bool {
		snap := rec.snapshot()
		rs := snap["changed/tcp"]
		return len(snap["added/tcp"]) >= 2 && rs[len(rs)-1].Message == "10.0.0.22:80"
	})
	eventually(t, time.Second, "the run of the removed check is cancelled and dropped", func() bool {
		return s.Stats().Dropped == 1
	})
	if k := lateReport.Load(); k != nil {
		t.Errorf("%s reported after Set removed it", k)
	}
	// A report under way during Set may land just after it; no later one.
	if n := rec.count("removed/tcp"); n > removedRuns+1 {
		t.Errorf("removed check reported %d times after Set", n-removedRuns)
	}
	if st := s.Stats(); st.Checks != 3 {
		t.Errorf("Stats().Checks = %d, want 3", st.Checks)
	}
}

func TestSetChangingTheIntervalMovesThePhase(t *testing.T) {
	s := NewScheduler(SchedulerOptions{Run: okRun})
	c := newCheck("a", "10.0.0.1:80", time.Minute)
	s.Set([]*check.Check{c})
	c2 := newCheck("a", "10.0.0.1:80", 10*time.Second)
	s.Set([]*check.Check{c2})
	s.mu.Lock()
	e := *s.entries.get("a/tcp")
	next := s.at(e.next)
	s.mu.Unlock()
	// The phase is read on the wall clock, which may have drifted from
	// the monotonic one the scheduler counts on by a few nanoseconds.
	phase := time.Duration(next.UnixNano() % int64(10*time.Second))
	if d := phase - offsetOf("a/tcp", 10*time.Second); e.interval != 10*time.Second || d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("interval %v phase %v, want 10s at %v", e.interval, phase, offsetOf("a/tcp", 10*time.Second))
	}
	if until := time.Until(next); until <= 0 || until > 10*time.Second {
		t.Errorf("next run in %v, want within the new interval", until)
	}
	if got := s.Stats().PlannedRate; got != 0.1 {
		t.Errorf("PlannedRate = %v, want 0.1", got)
	}
}

// farCheck is a check every hour whose first slot is at least ten minutes
// away, so that only retries run it during a test.
func farCheck(t *testing.T) *check.Check {
	t.Helper()
	for i := range 100 {
		c := newCheck(fmt.Sprintf("far-%d", i), "10.0.0.1:80", time.Hour)
		if time.Until(nextSlot(time.Now(), time.Hour, offsetOf(c.Key(), time.Hour))) > 10*time.Minute {
			return c
		}
	}
	t.Fatal("no check far enough from its first slot")
	return nil
}

func TestRetryRunsEarlyAndKeepsTheCadence(t *testing.T) {
	synctest.Test(t, testRetryRunsEarlyAndKeepsTheCadence)
}

// testRetryRunsEarlyAndKeepsTheCadence runs in a synctest bubble, on a
// fake clock.
func testRetryRunsEarlyAndKeepsTheCadence(t *testing.T) {
	rec := newRecorder()
	s := NewScheduler(SchedulerOptions{Run: okRun, Report: rec.report})
	c := farCheck(t)
	s.Set([]*check.Check{c})
	s.mu.Lock()
	next := s.entries.get(c.Key()).next
	s.mu.Unlock()
	startScheduler(t, s)

	asked := time.Now()
	s.Retry(c.Key(), 50*time.Millisecond)
	s.Retry(c.Key(), 10*time.Minute) // later than the pending retry: ignored
	s.Retry("no/such", 0)
	eventually(t, time.Second, "the retry runs", func() bool { return rec.count(c.Key()) == 1 })
	if took := time.Since(asked); took < 50*time.Millisecond {
		t.Errorf("retry ran after %v, before the 50ms asked", took)
	}
	advance(100 * time.Millisecond)
	if n := rec.count(c.Key()); n != 1 {
		t.Errorf("%d runs, want the one retry", n)
	}
	s.mu.Lock()
	if e := s.entries.get(c.Key()); e.next != next || e.retry != noRetry {
		t.Errorf("after the retry: next %v (want %v), retry %v", e.next, next, e.retry)
	}
	s.mu.Unlock()
	if st := s.Stats(); st.Runs != 1 || st.Retries != 1 {
		t.Errorf("Stats: %d runs, %d retries; want 1, 1", st.Runs, st.Retries)
	}
}

func TestRetryFromReportRunsAgainOnceTheRunEnds(t *testing.T) {
	synctest.Test(t, testRetryFromReportRunsAgainOnceTheRunEnds)
}

// testRetryFromReportRunsAgainOnceTheRunEnds runs in a synctest bubble, on
// a fake clock.
func testRetryFromReportRunsAgainOnceTheRunEnds(t *testing.T) {
	const retries = 3
	var s *Scheduler
	var n, concurrent, peak atomic.Int32
	run := func(context.Context, *check.Check) check.Result {
		peak.Store(max(peak.Load(), concurrent.Add(1)))
		defer concurrent.Add(-1)
		time.Sleep(time.Millisecond)
		return check.Result{}
	}
	report := func(key string, _ check.Result) {
		if n.Add(1) <= retries {
			s.Retry(key, 0) // the run has not ended: deferred until it does
		}
	}
	s = NewScheduler(SchedulerOptions{Run: run, Report: report})
	c := farCheck(t)
	s.Set([]*check.Check{c})
	startScheduler(t, s)
	s.Retry(c.Key(), 0)
	eventually(t, time.Second, "the soft-failing check is retried", func() bool { return n.Load() == retries+1 })
	advance(50 * time.Millisecond)
	if got := n.Load(); got != retries+1 {
		t.Errorf("%d runs, want %d", got, retries+1)
	}
	if peak.Load() != 1 {
		t.Errorf("one check ran %d times at once", peak.Load())
	}
}

func TestSchedulerRespectsItsCaps(t *testing.T) {
	cases := []struct {
		name                    string
		concurrency, perTarget  int
		checks, targets         int
		wantOverall, wantTarget int
	}{
		{"per-target cap", 64, 3, 200, 4, 12, 3},
		{"concurrency cap", 4, 100, 100, 100, 4, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newConcurrencyMeter()
			s := NewScheduler(SchedulerOptions{Run: m.run(10 * time.Millisecond), Concurrency: tc.concurrency, PerTarget: tc.perTarget})
			s.Set(manyChecks(tc.checks, tc.targets, 100*time.Millisecond))
			startScheduler(t, s)
			eventually(t, 5*time.Second, "the caps are reached over two runs per check", func() bool {
				overall, perTarget, _ := m.peaks()
				return overall >= tc.wantOverall && perTarget >= tc.wantTarget && s.Stats().Runs >= uint64(2*tc.checks)
			})
			s.Stop()
			overall, perTarget, perKey := m.peaks()
			if overall != tc.wantOverall || perTarget != tc.wantTarget {
				t.Errorf("peak %d in flight, %d per target; want exactly %d and %d (caps reached, never exceeded)", overall, perTarget, tc.wantOverall, tc.wantTarget)
			}
			if perKey != 1 {
				t.Errorf("one check ran %d times at once", perKey)
			}
		})
	}
}

func TestSlowChecksAreNotRunTwiceAtOnce(t *testing.T) {
	m := newConcurrencyMeter()
	s := NewScheduler(SchedulerOptions{Run: m.run(70 * time.Millisecond)})
	s.Set(manyChecks(5, 5, 20*time.Millisecond))
	startScheduler(t, s)
	eventually(t, 5*time.Second, "runs back to back and slots skipped", func() bool {
		st := s.Stats()
		return st.Runs >= 5*4 && st.Skipped > 0
	})
	s.Stop()
	if _, _, perKey := m.peaks(); perKey != 1 {
		t.Errorf("one check ran %d times at once", perKey)
	}
	st := s.Stats()
	if st.Skipped == 0 || st.Runs < 5*4 {
		t.Errorf("%d runs, %d slots skipped; want runs back to back and slots skipped", st.Runs, st.Skipped)
	}
}

func TestStopWaitsForRunsInFlightWithinTheirTimeout(t *testing.T) {
	rec := newRecorder()
	var started atomic.Int32
	run := func(ctx context.Context, _ *check.Check) check.Result {
		started.Add(1)
		<-ctx.Done() // a run that only ends at its timeout
		return check.Result{Reason: check.ReasonTimeout}
	}
	s := NewScheduler(SchedulerOptions{Run: run, Report: rec.report, Concurrency: 4})
	checks := manyChecks(8, 8, 20*time.Millisecond)
	for _, c := range checks {
		c.Timeout = check.Duration(200 * time.Millisecond)
	}
	s.Set(checks)
	startScheduler(t, s)
	eventually(t, time.Second, "the workers are busy", func() bool { return started.Load() == 4 })

	stopAt := time.Now()
	s.Stop()
	if took := time.Since(stopAt); took > time.Second {
		t.Errorf("Stop took %v with runs timing out after 200ms", took)
	}
	reported := 0
	for _, rs := range rec.snapshot() {
		reported += len(rs)
	}
	if got := int(started.Load()); reported != got || got != 4 {
		t.Errorf("%d runs started, %d reported; want the 4 in flight, reported", got, reported)
	}
	if st := s.Stats(); st.InFlight != 0 || st.Queued != 0 {
		t.Errorf("after Stop: %d in flight, %d queued", st.InFlight, st.Queued)
	}
}

func TestStopEndsWithTheContextAndWithoutStart(t *testing.T) {
	synctest.Test(t, testStopEndsWithTheContextAndWithoutStart)
}

// testStopEndsWithTheContextAndWithoutStart runs in a synctest bubble, on
// a fake clock.
func testStopEndsWithTheContextAndWithoutStart(t *testing.T) {
	NewScheduler(SchedulerOptions{Run: okRun}).Stop()

	s := NewScheduler(SchedulerOptions{Run: okRun})
	s.Set(manyChecks(10, 10, 10*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	s.Start(ctx)
	s.Start(ctx) // a second Start does nothing
	advance(30 * time.Millisecond)
	cancel()
	done := make(chan struct{})
	go func() { s.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Stop did not return after the context ended")
	}
	runs := s.Stats().Runs
	advance(30 * time.Millisecond)
	if after := s.Stats().Runs; after != runs {
		t.Errorf("%d runs after Stop", after-runs)
	}
}

func TestAPanickingRunFailsTheCheckOnly(t *testing.T) {
	rec := newRecorder()
	run := func(_ context.Context, c *check.Check) check.Result {
		if c.Asset == "site-00000" {
			panic("bad input")
		}
		return check.Result{OK: true}
	}
	s := NewScheduler(SchedulerOptions{Run: run, Report: rec.report})
	s.Set(manyChecks(2, 2, 20*time.Millisecond))
	startScheduler(t, s)
	eventually(t, time.Second, "both checks run twice", func() bool {
		return rec.count("site-00000/tcp") >= 2 && rec.count("site-00001/tcp") >= 2
	})
	r := rec.snapshot()["site-00000/tcp"][0]
	if r.OK || r.Reason != check.ReasonConfig || r.Started.IsZero() {
		t.Errorf("result of a panicking run: %+v", r)
	}
}

// The loop starts runs due within fireQuantum of each other together, but
// never waits more than a hundredth of the shortest interval: checks run
// every few tens of milliseconds keep their slots.
func TestTheLoopsRoundsFollowTheShortestInterval(t *testing.T) {
	s := NewScheduler(SchedulerOptions{Run: okRun})
	s.Set(manyChecks(3, 3, 10*time.Second))
	if s.quantum != fireQuantum {
		t.Errorf("quantum %v with 10 s intervals, want %v", s.quantum, fireQuantum)
	}
	s.Set(append(manyChecks(3, 3, 10*time.Second), manyChecks(1, 1, 20*time.Millisecond)...))
	if s.quantum != 200*time.Microsecond {
		t.Errorf("quantum %v with a 20 ms interval, want 200µs", s.quantum)
	}
}

// A retry asked after the check's next regular run is ignored, however
// far: the delay is never added to the time past overflowing.
func TestRetryFarAheadIsIgnored(t *testing.T) {
	s := NewScheduler(SchedulerOptions{Run: okRun})
	c := farCheck(t) // its next run an hour at most away, ten minutes at least
	s.Set([]*check.Check{c})
	for _, after := range []time.Duration{2 * time.Hour, math.MaxInt64} {
		s.Retry(c.Key(), after)
		s.mu.Lock()
		retry := s.entries.get(c.Key()).retry
		s.mu.Unlock()
		if retry != noRetry {
			t.Errorf("Retry after %v: an early run at %v", after, retry)
		}
	}
	s.Retry(c.Key(), time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.entries.get(c.Key()); e.retry >= e.next {
		t.Errorf("Retry after 1s: retry %v, next %v", e.retry, e.next)
	}
}
