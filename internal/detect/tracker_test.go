package detect

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

func TestTrackerHardChanges(t *testing.T) {
	// '.' is a success, 'x' a failure; in want, 'U' and 'D' mark the result
	// at which the hard state changed.
	tests := []struct {
		name     string
		attempts int
		pattern  string
		want     string
		final    State
	}{
		{"first success from unknown is up", 3, ".", "U", Up},
		{"soft to hard after attempts", 3, ".xxx", "U  D", Down},
		{"default attempts", 0, ".xxx", "U  D", Down},
		{"two attempts", 2, ".xx", "U D", Down},
		{"five attempts", 5, ".xxxxxx", "U    D ", Down},
		{"unknown to down", 3, "xxx", "  D", Down},
		{"soft failure from unknown then success is up", 3, "xx.", "  U", Up},
		{"recovery after two successes", 3, ".xxx..", "U  D U", Up},
		{"one success while down does not recover", 3, ".xxx.x..", "U  D   U", Up},
		{"single blip never goes hard", 3, "..x...x..x.", "U          ", Up},
		{"failures short of attempts never go hard", 3, ".xx.xx.xx.", "U         ", Up},
		{"a success resets the failure count", 4, ".xxx.xxx.xxxx", "U           D", Down},
		{"one attempt", 1, ".x..", "UD U", Up},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker(tt.attempts, Policy{})
			got := changeMarks(feed(tr, tt.pattern, t0))
			if got != tt.want[:len(tt.pattern)] {
				t.Errorf("changes %q, want %q", got, tt.want)
			}
			if tr.State() != tt.final {
				t.Errorf("state %v, want %v", tr.State(), tt.final)
			}
		})
	}
}

func TestTrackerZeroValueUsesDefaults(t *testing.T) {
	tests := []struct {
		name     string
		attempts int // passed to SetAttempts before the first result; 0 for no call
		pattern  string
		want     string
	}{
		{"as is", 0, ".xxx..", "U  D U"},
		{"attempts set first", 2, ".x.xx..", "U   D U"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tr Tracker
			if tt.attempts > 0 {
				tr.SetAttempts(tt.attempts)
			}
			if got := changeMarks(feed(&tr, tt.pattern, t0)); got != tt.want {
				t.Fatalf("changes %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTrackerChangeCarriesEvidence(t *testing.T) {
	tr := NewTracker(3, Policy{})
	feed(tr, "..", t0)
	var down Outcome
	for i := range 3 {
		at := t0.Add(time.Duration(i+2) * time.Minute)
		r := failResult(at)
		r.Message = "attempt " + string(rune('1'+i))
		down = tr.Observe(r, at)
	}
	if !down.Changed || down.Change.From != Up || down.Change.To != Down {
		t.Fatalf("outcome %+v, want a change up→down", down)
	}
	c := down.Change
	if len(c.Results) != 3 || c.Results[0].Message != "attempt 1" || c.Results[2].Message != "attempt 3" {
		t.Errorf("evidence %+v, want the 3 failures oldest first", c.Results)
	}
	if c.Reason != check.ReasonTimeout || c.Message != "attempt 3" {
		t.Errorf("reason %q message %q, want the last failure's", c.Reason, c.Message)
	}
	if want := t0.Add(4 * time.Minute); !c.At.Equal(want) || !tr.Since().Equal(want) {
		t.Errorf("at %v since %v, want %v", c.At, tr.Since(), want)
	}
	if want := t0.Add(2 * time.Minute); !tr.FailingSince().Equal(want) {
		t.Errorf("failing since %v, want %v", tr.FailingSince(), want)
	}
	out := feed(tr, "..", t0.Add(time.Hour))
	up := out[1]
	if !up.Changed || up.Change.To != Up || len(up.Change.Results) != 2 || !up.Change.Results[0].OK || !up.Change.Results[1].OK {
		t.Fatalf("outcome %+v, want a change to up with the 2 successes", up)
	}
	if up.Change.Reason != check.ReasonTimeout {
		t.Errorf("recovery reason %q, want the failure recovered from", up.Change.Reason)
	}
	if !tr.FailingSince().IsZero() {
		t.Errorf("failing since %v after a success, want zero", tr.FailingSince())
	}
}

func TestTrackerSetAttemptsKeepsEvidence(t *testing.T) {
	tr := NewTracker(2, Policy{})
	feed(tr, ".x", t0)
	tr.SetAttempts(4)
	out := feed(tr, "xxx", t0.Add(time.Minute))
	if got := changeMarks(out); got != "  D" {
		t.Fatalf("changes %q, want down at the fourth failure", got)
	}
	if n := len(out[2].Change.Results); n != 4 {
		t.Errorf("evidence of %d results, want 4 (kept across SetAttempts)", n)
	}
}

func TestTrackerRetriesWhileSoft(t *testing.T) {
	tests := []struct {
		pattern string
		retry   string // 'r' where the outcome asks for a retry
	}{
		{".", " "},
		{".xxx", " rr "},
		{".xxx.", " rr r"},
		{".xxx..", " rr r "},
		{".xxx.x.", " rr r r"},
		{"xx", "rr"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			tr := NewTracker(3, Policy{})
			out := feed(tr, tt.pattern, t0)
			got := make([]byte, len(out))
			for i, o := range out {
				got[i] = ' '
				if o.Retry {
					got[i] = 'r'
				}
			}
			if string(got) != tt.retry {
				t.Fatalf("retries %q, want %q", got, tt.retry)
			}
			want := time.Minute
			if tt.retry[len(tt.retry)-1] == 'r' {
				want = 15 * time.Second
			}
			if got := tr.NextRun(time.Minute, 15*time.Second); got != want {
				t.Errorf("next run in %v, want %v", got, want)
			}
		})
	}
}

func TestRetryIntervalBounds(t *testing.T) {
	tests := []struct {
		interval, want time.Duration
	}{
		{0, MinRetryInterval},
		{2 * time.Second, 2 * time.Second}, // never longer than the interval
		{5 * time.Second, 5 * time.Second},
		{10 * time.Second, 5 * time.Second},
		{20 * time.Second, 5 * time.Second},
		{30 * time.Second, 7500 * time.Millisecond},
		{time.Minute, 15 * time.Second},
		{4 * time.Minute, time.Minute},
		{time.Hour, time.Minute},
	}
	for _, tt := range tests {
		if got := RetryInterval(tt.interval); got != tt.want {
			t.Errorf("RetryInterval(%v) = %v, want %v", tt.interval, got, tt.want)
		}
	}
}

func TestPolicyCompilesToTransitionCounts(t *testing.T) {
	tests := []struct {
		p    Policy
		want thresholds
	}{
		{Policy{}, thresholds{recoveries: 2, flapStart: 10, flapStop: 4}},
		{Policy{Recoveries: 3, FlapStart: 0.3, FlapStop: 0.1}, thresholds{recoveries: 3, flapStart: 6, flapStop: 1}},
		{Policy{FlapStart: 1, FlapStop: 1}, thresholds{recoveries: 2, flapStart: 20, flapStop: 18}},
	}
	for _, tt := range tests {
		if got := tt.p.compile(); got != tt.want {
			t.Errorf("%+v compiles to %+v, want %+v", tt.p, got, tt.want)
		}
	}
}
