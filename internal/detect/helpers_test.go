package detect

import (
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// t0 is the start of every scenario.
var t0 = time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)

func okResult(at time.Time) check.Result {
	return check.Result{OK: true, Phase: check.PhaseDone, Started: at, Timings: check.Timings{Total: 120 * time.Millisecond}}
}

func failResult(at time.Time) check.Result {
	return check.Result{Phase: check.PhaseConnect, Reason: check.ReasonTimeout, Message: "connect timed out", Started: at, Timings: check.Timings{Total: 10 * time.Second}}
}

// result is the result for one character of a pattern: '.' succeeded, 'x'
// failed.
func result(c byte, at time.Time) check.Result {
	if c == '.' {
		return okResult(at)
	}
	return failResult(at)
}

// feed runs pattern through t, one result every 10 s from start, and
// returns the outcomes.
func feed(t *Tracker, pattern string, start time.Time) []Outcome {
	out := make([]Outcome, len(pattern))
	for i := range len(pattern) {
		at := start.Add(time.Duration(i) * 10 * time.Second)
		out[i] = t.Observe(result(pattern[i], at), at)
	}
	return out
}

// changeMarks writes one character per outcome: 'U' a change to Up, 'D' a
// change to Down, ' ' none.
func changeMarks(os []Outcome) string {
	var b strings.Builder
	for _, o := range os {
		switch {
		case !o.Changed:
			b.WriteByte(' ')
		case o.Change.To == Up:
			b.WriteByte('U')
		default:
			b.WriteByte('D')
		}
	}
	return b.String()
}

// kinds lists the kinds of signals, with their location when they have
// one, as "kind@location".
func kinds(ss []Signal) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		k := string(s.Kind)
		if s.Location != "" {
			k += "@" + s.Location
		}
		out = append(out, k)
	}
	return out
}

func mustKinds(t *testing.T, what string, got []Signal, want ...string) {
	t.Helper()
	g := kinds(got)
	if strings.Join(g, ",") != strings.Join(want, ",") {
		t.Fatalf("%s: signals %q, want %q", what, g, want)
	}
}
