package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// backoffs sets the backoff of failing rounds for one test.
func backoffs(t *testing.T, lo, hi time.Duration) {
	t.Helper()
	oldLo, oldHi := minBackoff, maxBackoff
	minBackoff, maxBackoff = lo, hi
	t.Cleanup(func() { minBackoff, maxBackoff = oldLo, oldHi })
}

// runLoop runs Loop in a goroutine and returns a channel closed when it
// returned.
func runLoop(ctx context.Context, c *Component, every time.Duration, wake <-chan string,
	round func(ctx context.Context) (time.Duration, bool, error),
) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		Loop(ctx, c, quiet, every, wake, round)
	}()
	return done
}

// returns waits for done, failing the test after within.
func returns(t *testing.T, done <-chan struct{}, within time.Duration, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(within):
		t.Fatalf("%s: Loop still running after %v", what, within)
	}
}

func TestLoopBacksOffWhileFailingAndRecovers(t *testing.T) {
	backoffs(t, 20*time.Millisecond, 100*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := New(nil, nil)
	c := r.Component("engine", time.Minute)
	// A wake-up is always there: a failing round must still wait out its
	// backoff rather than retry at once.
	wake := make(chan string, 100)
	for range cap(wake) {
		wake <- "signals"
	}
	const failures = 5
	var calls []time.Time
	done := runLoop(ctx, c, time.Hour, wake, func(context.Context) (time.Duration, bool, error) {
		calls = append(calls, time.Now())
		if len(calls) <= failures {
			return 0, false, fmt.Errorf("boom %d", len(calls))
		}
		cancel() // recovered: the test ends here
		return 3 * time.Second, false, nil
	})
	returns(t, done, 10*time.Second, "after recovering")
	if len(calls) != failures+1 {
		t.Fatalf("%d rounds, want %d", len(calls), failures+1)
	}
	const ms = time.Millisecond
	want := []time.Duration{20 * ms, 40 * ms, 80 * ms, 100 * ms, 100 * ms} // doubling, capped
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].Sub(calls[i-1]); gap < want[i-1] {
			t.Errorf("retry %d after %v, want at least %v", i, gap, want[i-1])
		}
	}
	st := c.status(time.Now())
	if st.Errors != failures || st.LastError != "boom 5" || st.LastOK == nil || st.LagSeconds != 3 {
		t.Errorf("status %+v, want %d errors, the last one, then an OK with 3 s of lag", st, failures)
	}
}

func TestLoopRunsAgainAtOnceWhileThereIsMore(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := New(nil, nil).Component("engine", time.Minute)
	n := 0
	done := runLoop(ctx, c, time.Hour, nil, func(context.Context) (time.Duration, bool, error) {
		n++
		if n == 4 {
			cancel()
		}
		return 0, n < 4, nil
	})
	returns(t, done, 5*time.Second, "after the work ran out")
	if n != 4 {
		t.Errorf("%d rounds, want 4 (3 with more, then the last)", n)
	}
}

func TestLoopSurvivesAPanickingRound(t *testing.T) {
	backoffs(t, time.Millisecond, time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := New(nil, nil).Component("monitor", time.Minute)
	n := 0
	done := runLoop(ctx, c, time.Hour, nil, func(context.Context) (time.Duration, bool, error) {
		n++
		if n == 1 {
			var list []int
			_ = list[n] // a bug in a round: index out of range
		}
		cancel()
		return 0, false, nil
	})
	returns(t, done, 5*time.Second, "after the panic")
	st := c.status(time.Now())
	if n != 2 || st.Errors != 1 || !strings.HasPrefix(st.LastError, "panic: ") || st.LastOK == nil {
		t.Errorf("%d rounds, status %+v; want a second round after one error reported as a panic", n, st)
	}
}

// TestLoopStopsWhenItsContextEnds ends the context wherever Loop is: it
// returns at once, without counting a failure for a round cut short.
func TestLoopStopsWhenItsContextEnds(t *testing.T) {
	tests := []struct {
		name string
		fail bool // the round fails: Loop waits out a backoff
		wake bool // a wake-up arrives during the wait
		in   bool // the context ends during the round
	}{
		{name: "waiting for the next round"},
		{name: "waiting after a wake-up", wake: true},
		{name: "backing off", fail: true},
		{name: "backing off after a wake-up", fail: true, wake: true},
		{name: "in a round", in: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backoffs(t, time.Hour, time.Hour)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := New(nil, nil).Component("retention", time.Minute)
			wake := make(chan string)
			ran := make(chan struct{}, 10)
			done := runLoop(ctx, c, time.Hour, wake, func(ctx context.Context) (time.Duration, bool, error) {
				ran <- struct{}{}
				if tt.in {
					<-ctx.Done()
					return 0, false, ctx.Err()
				}
				if tt.fail {
					return 0, false, errors.New("database away")
				}
				return 0, false, nil
			})
			<-ran
			if tt.wake {
				wake <- "x" // taken only once Loop waits
				if !tt.fail {
					<-ran // a wake-up runs the next round at once
				}
			}
			cancel()
			returns(t, done, 2*time.Second, "after cancel")
			wantErrs := uint64(0)
			if tt.fail {
				wantErrs = 1
			}
			if st := c.status(time.Now()); st.Errors != wantErrs {
				t.Errorf("%d errors, want %d", st.Errors, wantErrs)
			}
		})
	}
}

// clock is a settable clock for Registry.now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestReadyTellsStuckComponentsAndAnUnreachableDatabase(t *testing.T) {
	const stuckAfter = time.Minute
	tests := []struct {
		name      string
		ping      error
		steps     func(c *Component, clk *clock)
		wantState string
		wantReady bool
	}{
		{"active and just started", nil, func(c *Component, clk *clock) {
			c.Activate(true)
			clk.add(stuckAfter)
		}, "running", true},
		{"active with no round for longer than stuckAfter", nil, func(c *Component, clk *clock) {
			c.Activate(true)
			clk.add(stuckAfter + time.Second)
		}, "stuck", false},
		{"active with its last OK too old", nil, func(c *Component, clk *clock) {
			c.Activate(true)
			c.OK(0)
			clk.add(stuckAfter + time.Second)
		}, "stuck", false},
		{"active with a recent OK", nil, func(c *Component, clk *clock) {
			c.Activate(true)
			clk.add(10 * stuckAfter)
			c.OK(0)
			clk.add(stuckAfter / 2)
		}, "running", true},
		{"failing rounds do not count as OK", nil, func(c *Component, clk *clock) {
			c.Activate(true)
			for range 4 {
				clk.add(stuckAfter / 2)
				c.Fail(errors.New("database away"))
			}
		}, "stuck", false},
		{"active, up to date, but too far behind", nil, func(c *Component, clk *clock) {
			c.Activate(true)
			c.OK(stuckAfter + time.Second)
		}, "stuck", false},
		{"stuck by its own say", nil, func(c *Component, clk *clock) {
			c.Activate(true)
			c.OK(0)
			c.SetDetail("stuck", true)
		}, "stuck", false},
		{"a standby never runs, so is never stuck", nil, func(c *Component, clk *clock) {
			clk.add(100 * stuckAfter)
		}, "standby", true},
		{"a leader that stepped down is on standby", nil, func(c *Component, clk *clock) {
			c.Activate(true)
			clk.add(100 * stuckAfter)
			c.Activate(false)
		}, "standby", true},
		{"a new leader counts from when it became active", nil, func(c *Component, clk *clock) {
			c.Activate(true)
			c.OK(0)
			c.Activate(false)
			clk.add(100 * stuckAfter)
			c.Activate(true)
			clk.add(stuckAfter / 2)
		}, "running", true},
		{"the database away", errors.New("connection refused"), func(c *Component, clk *clock) {
			c.Activate(true)
			c.OK(0)
		}, "running", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
			r := New(nil, func(context.Context) error { return tt.ping })
			r.now = clk.now
			c := r.Component("incidents", stuckAfter)
			r.Component("retention", stuckAfter) // on standby throughout
			tt.steps(c, clk)
			rep := r.Ready(context.Background())
			if got := rep.Components["incidents"].State; got != tt.wantState {
				t.Errorf("state %q, want %q", got, tt.wantState)
			}
			if rep.Components["retention"].State != "standby" {
				t.Errorf("an idle component is %q, want standby", rep.Components["retention"].State)
			}
			if rep.Ready != tt.wantReady {
				t.Errorf("ready %v, want %v (problems %v)", rep.Ready, tt.wantReady, rep.Problems)
			}
			var want []string
			if tt.ping != nil {
				want = append(want, "database unreachable")
			}
			if tt.wantState == "stuck" {
				want = append(want, "incidents is stuck")
			}
			if !slices.Equal(rep.Problems, want) {
				t.Errorf("problems %q, want %q", rep.Problems, want)
			}
			if rep.Database.OK != (tt.ping == nil) || (tt.ping != nil && rep.Database.Error != tt.ping.Error()) {
				t.Errorf("database %+v, want ok=%v", rep.Database, tt.ping == nil)
			}
		})
	}
}

func TestReadyReportsTheLeader(t *testing.T) {
	r := New(nil, nil)
	if r.Ready(context.Background()).Leader {
		t.Fatal("leader before SetLeader")
	}
	r.SetLeader(true)
	if rep := r.Ready(context.Background()); !rep.Leader || !rep.Ready {
		t.Fatalf("after SetLeader(true): %+v", rep)
	}
}
