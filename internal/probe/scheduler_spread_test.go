package probe

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vigie/vigie/internal/check"
)

func TestOffsetsSpreadChecksEvenlyOverTheInterval(t *testing.T) {
	cases := []struct {
		name     string
		checks   int
		interval time.Duration
		buckets  int
	}{
		{"reference host, every minute, per second", 11_000, time.Minute, 60},
		{"1,000 checks every second, per 100 ms", 1_000, time.Second, 10},
		{"100,000 checks every 5 minutes, per 5 s", 100_000, 5 * time.Minute, 60},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			counts := make([]int, tc.buckets)
			width := tc.interval / time.Duration(tc.buckets)
			for i := range tc.checks {
				off := offsetOf(fmt.Sprintf("site-%06d/http", i), tc.interval)
				if off < 0 || off >= tc.interval {
					t.Fatalf("offset %v outside [0, %v)", off, tc.interval)
				}
				counts[off/width]++
			}
			mean := float64(tc.checks) / float64(tc.buckets)
			for b, n := range counts {
				if float64(n) > 2*mean || float64(n) < mean/2 {
					t.Errorf("bucket %d holds %d checks, mean %.0f", b, n, mean)
				}
			}
		})
	}
}

func TestNextSlotKeepsThePhaseAndComesWithinOneInterval(t *testing.T) {
	base := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	cases := []struct {
		name             string
		now              time.Time
		interval, offset time.Duration
		want             time.Time
	}{
		{"later in this interval", base.Add(10 * time.Second), time.Minute, 30 * time.Second, base.Add(30 * time.Second)},
		{"already passed: next interval", base.Add(40 * time.Second), time.Minute, 30 * time.Second, base.Add(90 * time.Second)},
		{"exactly now: next interval", base.Add(30 * time.Second), time.Minute, 30 * time.Second, base.Add(90 * time.Second)},
		{"zero phase", base.Add(time.Second), time.Minute, 0, base.Add(time.Minute)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextSlot(tc.now, tc.interval, tc.offset); !got.Equal(tc.want) {
				t.Errorf("nextSlot = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSchedulerSpreadsRunsAndRunsEachCheckOncePerInterval(t *testing.T) {
	synctest.Test(t, testSchedulerSpreadsRunsAndRunsEachCheckOncePerInterval)
}

// testSchedulerSpreadsRunsAndRunsEachCheckOncePerInterval runs in a
// synctest bubble, on a fake clock.
func testSchedulerSpreadsRunsAndRunsEachCheckOncePerInterval(t *testing.T) {
	const (
		checks = 1000
		window = 2 * time.Second
		width  = 100 * time.Millisecond
	)
	type start struct {
		key string
		at  time.Time
	}
	var (
		mu     sync.Mutex
		starts []start
	)
	run := func(_ context.Context, c *check.Check) check.Result {
		now := time.Now()
		mu.Lock()
		starts = append(starts, start{c.Key(), now})
		mu.Unlock()
		return check.Result{OK: true}
	}
	s := NewScheduler(SchedulerOptions{Run: run})
	t0 := time.Now()
	s.Set(manyChecks(checks, checks, time.Second))
	startScheduler(t, s)
	advance(window + 50*time.Millisecond)
	s.Stop()

	counts := make([]int, window/width)
	perCheck := map[string]int{}
	total := 0
	for _, st := range starts {
		if b := int(st.at.Sub(t0) / width); b < len(counts) {
			counts[b]++
			perCheck[st.key]++
			total++
		}
	}
	mean := float64(total) / float64(len(counts))
	for b, n := range counts {
		if float64(n) > 3*mean {
			t.Errorf("%v to %v after start: %d runs, mean %.0f per %v", time.Duration(b)*width, time.Duration(b+1)*width, n, mean, width)
		}
	}
	// Each check has exactly two slots in the window; the second may start
	// just after it.
	once := 0
	for k, n := range perCheck {
		switch {
		case n == 1:
			once++
		case n > 2:
			t.Errorf("%s ran %d times in %v at a 1s interval", k, n, window)
		}
	}
	if len(perCheck) != checks || once > checks/20 {
		t.Errorf("%d checks ran, %d of them only once; want all %d, twice", len(perCheck), once, checks)
	}
}

func TestStartDoesNotMakeUpSlotsMissedSinceSet(t *testing.T) {
	synctest.Test(t, testStartDoesNotMakeUpSlotsMissedSinceSet)
}

// testStartDoesNotMakeUpSlotsMissedSinceSet runs in a synctest bubble, on
// a fake clock.
func testStartDoesNotMakeUpSlotsMissedSinceSet(t *testing.T) {
	rec := newRecorder()
	s := NewScheduler(SchedulerOptions{Run: okRun, Report: rec.report})
	s.Set(manyChecks(200, 200, 100*time.Millisecond))
	advance(150 * time.Millisecond) // every check missed a slot
	startScheduler(t, s)
	advance(30 * time.Millisecond)
	s.Stop()
	// About 60 slots fall in 30 ms; a herd would be all 200.
	if n := s.Stats().Runs; n > 120 {
		t.Errorf("%d runs in the first 30ms, want about 60", n)
	}
}
