package probe

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// withTimeout sets the timeout of every check.
func withTimeout(cs []*check.Check, d time.Duration) []*check.Check {
	for _, c := range cs {
		c.Timeout = check.Duration(d)
	}
	return cs
}

func TestCapacityFollowsTheChecks(t *testing.T) {
	cases := []struct {
		name   string
		opts   SchedulerOptions
		checks []*check.Check
		want   int
	}{
		{"no checks: the floor", SchedulerOptions{}, nil, capacityFloor},
		// A run may last 2 s of a 1 s interval: a worker each, at most.
		{"2,000 checks hanging past their interval", SchedulerOptions{},
			withTimeout(manyChecks(2000, 2000, time.Second), 2*time.Second), 2000 + capacityFloor},
		// 2 × 10 s / 60 s = 1/3 of a worker each, for 100 checks: 34.
		{"100 checks every minute, 10 s timeout", SchedulerOptions{},
			withTimeout(manyChecks(100, 100, time.Minute), 10*time.Second), 34 + capacityFloor},
		{"bounded by MaxInFlight", SchedulerOptions{MaxInFlight: 500},
			withTimeout(manyChecks(2000, 2000, time.Second), 2*time.Second), 500},
		{"fixed Concurrency", SchedulerOptions{Concurrency: 64},
			withTimeout(manyChecks(2000, 2000, time.Second), 2*time.Second), 64},
		{"fixed Concurrency within MaxInFlight", SchedulerOptions{Concurrency: 50_000, MaxInFlight: 1000}, nil, 1000},
		{"bad options take the defaults", SchedulerOptions{Concurrency: -1, MaxInFlight: -5},
			withTimeout(manyChecks(30_000, 30_000, time.Second), time.Second), DefaultMaxInFlight},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Run = okRun
			s := NewScheduler(opts)
			s.Set(tc.checks)
			if got := s.Stats().Capacity; got != tc.want {
				t.Errorf("Capacity = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestCapacityIsRecomputedWhenChecksChange(t *testing.T) {
	s := NewScheduler(SchedulerOptions{Run: okRun})
	checks := withTimeout(manyChecks(1000, 1000, 10*time.Second), time.Second)
	s.Set(checks) // 2 × 1 s / 10 s = 1/5 of a worker each
	if got, want := s.Stats().Capacity, 200+capacityFloor; got != want {
		t.Fatalf("Capacity = %d, want %d", got, want)
	}
	s.Set(checks[:500])
	if got, want := s.Stats().Capacity, 100+capacityFloor; got != want {
		t.Errorf("after removing half the checks: Capacity = %d, want %d", got, want)
	}
	longer := *checks[0]
	longer.Timeout = check.Duration(10 * time.Second) // now a whole worker
	s.Set(append([]*check.Check{&longer}, checks[1:500]...))
	if got, want := s.Stats().Capacity, 100+1+capacityFloor; got != want {
		t.Errorf("after one timeout grew: Capacity = %d, want %d", got, want)
	}
	s.SetMinInterval(checks[1].Key(), 2*time.Second) // 2 × 1 s / 2 s: a whole worker too
	if got, want := s.Stats().Capacity, 100+2+capacityFloor; got != want {
		t.Errorf("after SetMinInterval: Capacity = %d, want %d", got, want)
	}
	s.Set(nil)
	if got := s.Stats().Capacity; got != capacityFloor {
		t.Errorf("without checks: Capacity = %d, want the floor %d", got, capacityFloor)
	}
}

// hangRun is a RunFunc that hangs until its context ends.
func hangRun(ctx context.Context, _ *check.Check) check.Result {
	<-ctx.Done()
	return check.Result{Reason: check.ReasonTimeout}
}

func TestEveryCheckCanBeInFlight(t *testing.T) {
	cases := []struct {
		name        string
		maxInFlight int
		wantPeak    int
	}{
		{"as many as the checks", 0, 2000},
		{"never more than MaxInFlight", 500, 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newConcurrencyMeter()
			s := NewScheduler(SchedulerOptions{Run: m.run(time.Hour), MaxInFlight: tc.maxInFlight})
			// 2,000 checks every second whose runs hang until their 2 s
			// timeout: the old fixed cap of 256 ran an eighth of them.
			s.Set(withTimeout(manyChecks(2000, 2000, time.Second), 2*time.Second))
			startScheduler(t, s)
			eventually(t, 5*time.Second, fmt.Sprintf("%d runs in flight", tc.wantPeak), func() bool {
				overall, _, _ := m.peaks()
				return overall >= tc.wantPeak
			})
			if tc.maxInFlight > 0 {
				eventually(t, 5*time.Second, "runs skipped for want of a worker", func() bool {
					return s.Behind().Total.NoWorker > 0
				})
			}
			st := s.Stats()
			s.Stop()
			overall, _, perKey := m.peaks()
			if overall != tc.wantPeak || perKey != 1 {
				t.Errorf("peak %d in flight, %d of one check; want %d and 1", overall, perKey, tc.wantPeak)
			}
			if st.Workers > st.Capacity || st.Capacity > max(tc.maxInFlight, DefaultMaxInFlight) {
				t.Errorf("%d workers, capacity %d", st.Workers, st.Capacity)
			}
			if b := s.Behind(); tc.maxInFlight > 0 && b.Capacity != tc.maxInFlight {
				t.Errorf("Behind().Capacity = %d, want %d", b.Capacity, tc.maxInFlight)
			}
		})
	}
}

// startLog records when each check's runs start.
type startLog struct {
	mu     sync.Mutex
	starts map[string][]time.Time
}

func (l *startLog) add(key string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.starts[key] = append(l.starts[key], at)
}

func (l *startLog) min(keys []*check.Check) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	least := -1
	for _, c := range keys {
		if n := len(l.starts[c.Key()]); least < 0 || n < least {
			least = n
		}
	}
	return least
}

func TestHangingTargetsDoNotDelayOtherChecks(t *testing.T) {
	const every = time.Second
	// 1,200 sites that hang until their timeout, each on its own host as
	// behind a hypervisor gone dark, 200 checks that hang on 4 hosts (the
	// per-target cap holds them back), and 600 healthy checks.
	var checks, healthy []*check.Check
	hung := map[string]bool{}
	for i := range 1200 {
		c := newCheck(fmt.Sprintf("dark-%04d", i), fmt.Sprintf("10.1.%d.%d:80", i/250, i%250), every)
		checks, hung[c.Key()] = append(checks, c), true
	}
	for i := range 200 {
		c := newCheck(fmt.Sprintf("stuck-%04d", i), fmt.Sprintf("10.2.0.%d:%d", i%4, 1000+i), every)
		checks, hung[c.Key()] = append(checks, c), true
	}
	for i := range 600 {
		c := newCheck(fmt.Sprintf("fine-%04d", i), fmt.Sprintf("10.3.%d.%d:80", i/250, i%250), every)
		checks, healthy = append(checks, c), append(healthy, c)
	}
	withTimeout(checks, every)
	starts := &startLog{starts: map[string][]time.Time{}}
	run := func(ctx context.Context, c *check.Check) check.Result {
		if hung[c.Key()] {
			return hangRun(ctx, c)
		}
		starts.add(c.Key(), time.Now())
		return check.Result{OK: true}
	}
	s := NewScheduler(SchedulerOptions{Run: run})
	s.Set(checks)
	startScheduler(t, s)
	eventually(t, 10*time.Second, "every healthy check runs 3 times", func() bool { return starts.min(healthy) >= 3 })
	s.Stop()

	// A healthy check's k-th run is planned k intervals after its first
	// slot after Start: none may be skipped nor start an interval late.
	var worst time.Duration
	for _, c := range healthy {
		first := nextSlot(s.startedAt, every, offsetOf(c.Key(), every))
		for k, at := range starts.starts[c.Key()] {
			late := at.Sub(first.Add(time.Duration(k) * every))
			if late < 0 || late >= every {
				t.Fatalf("%s: run %d started %v after its slot; want within its interval of %v", c.Key(), k, late, every)
			}
			worst = max(worst, late)
		}
	}
	b := s.Behind()
	t.Logf("healthy checks: worst lateness %v; Behind() = %+v", worst, b)
	if b.Total.NoWorker != 0 {
		t.Errorf("%d runs skipped for want of a worker", b.Total.NoWorker)
	}
	if b.Total.TargetBusy == 0 {
		t.Error("no run skipped behind the per-target cap of the 4 stuck hosts")
	}
}

// farChecks is n checks every hour on hosts of their own, each with its
// first slot at least ten minutes away, so that only retries run them
// during a test.
func farChecks(t *testing.T, n int) []*check.Check {
	t.Helper()
	var cs []*check.Check
	for i := 0; len(cs) < n && i < 100*n; i++ {
		c := newCheck(fmt.Sprintf("far-%d", i), fmt.Sprintf("10.4.%d.%d:80", i/250, i%250), time.Hour)
		if time.Until(nextSlot(time.Now(), time.Hour, offsetOf(c.Key(), time.Hour))) > 10*time.Minute {
			cs = append(cs, c)
		}
	}
	if len(cs) < n {
		t.Fatalf("only %d checks far enough from their first slot", len(cs))
	}
	return cs
}

func TestIdleWorkersRetire(t *testing.T) {
	release := make(chan struct{})
	var ran atomic.Int32
	run := func(ctx context.Context, _ *check.Check) check.Result {
		ran.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
		}
		return check.Result{OK: true}
	}
	s := NewScheduler(SchedulerOptions{Run: run})
	s.reapEvery = 20 * time.Millisecond
	checks := farChecks(t, 200) // within the floor of the capacity
	s.Set(checks)
	startScheduler(t, s)
	burst := func() {
		for _, c := range checks {
			s.Retry(c.Key(), 0)
		}
	}
	burst()
	eventually(t, 2*time.Second, "200 runs in flight", func() bool { return s.Stats().InFlight == 200 })
	if w := s.Stats().Workers; w != 200 {
		t.Errorf("%d workers for 200 runs in flight", w)
	}
	close(release)
	eventually(t, 2*time.Second, "idle workers retire", func() bool { return s.Stats().Workers == 0 })
	burst()
	eventually(t, 2*time.Second, "new workers start", func() bool { return ran.Load() == 400 })
}
