package check

import (
	"context"
	"testing"
	"time"
)

// TestRunNotRunnable proves a check without an executor says why, with no
// phase.
func TestRunNotRunnable(t *testing.T) {
	e := NewEngine(Options{})
	tests := []struct {
		c    *Check
		want string
	}{
		{&Check{Kind: Heartbeat, HeartbeatOptions: &HeartbeatOptions{Period: Duration(time.Hour)}}, "heartbeat checks are judged from the pings jobs send, not run"},
		{&Check{Kind: Host}, "host checks are judged from the facts host agents report, not run"},
		{&Check{Kind: "ping"}, `unknown kind "ping"`},
		{&Check{}, "the check has no kind"},
		{nil, "no check to run"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			checkResult(t, e.Run(context.Background(), tt.c), want{Reason: ReasonConfig, Message: tt.want})
		})
	}
}

// TestRunRecovers proves a panicking executor gives a result, not a crash.
func TestRunRecovers(t *testing.T) {
	e := NewEngine(Options{Executors: map[Kind]Executor{
		HTTP: func(context.Context, *Check) Result { panic("boom") },
	}})
	checkResult(t, e.Run(context.Background(), &Check{Kind: HTTP}), want{Reason: ReasonConfig, Message: "internal error: boom"})
}

// TestRunDeadlineAndStart proves Run gives the executor the check's
// timeout, DefaultTimeout when unset, and stamps the start with
// Options.Now.
func TestRunDeadlineAndStart(t *testing.T) {
	start := time.Date(2026, 3, 1, 2, 30, 0, 0, time.UTC)
	var left time.Duration
	e := NewEngine(Options{
		Now: func() time.Time { return start },
		Executors: map[Kind]Executor{"probe": func(ctx context.Context, _ *Check) Result {
			deadline, _ := ctx.Deadline()
			left = time.Until(deadline)
			return Result{OK: true, Phase: PhaseDone}
		}},
	})
	for _, tt := range []struct {
		timeout Duration
		want    time.Duration
	}{{0, DefaultTimeout}, {Duration(3 * time.Second), 3 * time.Second}} {
		res := e.Run(context.Background(), &Check{Kind: "probe", Timeout: tt.timeout})
		if !res.OK || !res.Started.Equal(start) || res.Timings.Total <= 0 {
			t.Errorf("got %+v, want ok, started at %s and timed", res, start)
		}
		if left > tt.want || left < tt.want-time.Second {
			t.Errorf("timeout %s: the executor had %s", time.Duration(tt.timeout), left)
		}
	}
}

// TestReasonFor proves errors that reach no server are categorized by
// their kind before their phase.
func TestReasonFor(t *testing.T) {
	ctx := context.Background()
	expired, cancel := context.WithTimeout(ctx, -time.Second)
	defer cancel()
	tests := []struct {
		name  string
		ctx   context.Context
		phase Phase
		err   error
		want  Reason
	}{
		{"deadline passed", expired, PhaseResolve, errNoRoute, ReasonTimeout},
		{"redirects", ctx, PhaseResponse, errTooManyRedirects, ReasonHTTPStatus},
		{"unknown error while resolving", ctx, PhaseResolve, errNoRoute, ReasonDNS},
		{"unknown error in the handshake", ctx, PhaseTLS, errNoRoute, ReasonTLS},
		{"unknown error elsewhere", ctx, PhaseConnect, errNoRoute, ReasonNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reasonFor(tt.ctx, tt.phase, tt.err); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
