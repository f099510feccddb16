package detect

import (
	"strings"
	"testing"
	"time"
)

// flapEvents writes one character per outcome: 'F' flapping started, 'S'
// stopped, ' ' neither.
func flapEvents(os []Outcome) string {
	var b strings.Builder
	for _, o := range os {
		switch {
		case o.FlapStarted:
			b.WriteByte('F')
		case o.FlapStopped:
			b.WriteByte('S')
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func TestFlappingHoldsHardChanges(t *testing.T) {
	// With one attempt, every failure would be a hard Down and every second
	// success a hard Up: "x.." repeated changes state twice per 3 results.
	tr := NewTracker(1, Policy{})
	pattern := strings.Repeat("x..", 15) + strings.Repeat(".", 20)
	out := feed(tr, pattern, t0)
	flaps := flapEvents(out)
	if strings.Count(flaps, "F") != 1 || strings.Count(flaps, "S") != 1 {
		t.Fatalf("flap events %q, want one start and one stop", flaps)
	}
	start, stop := strings.IndexByte(flaps, 'F'), strings.IndexByte(flaps, 'S')
	if start < 10 || stop < start {
		t.Fatalf("flapping from %d to %d, want a start after 10 transitions and a stop after it", start, stop)
	}
	changes := changeMarks(out)
	if before := strings.Count(changes[:start], "D"); before < 2 {
		t.Errorf("changes before flapping %q: want the alternating changes the window saw", changes[:start])
	}
	if during := strings.TrimSpace(changes[start:stop]); during != "" {
		t.Errorf("hard changes while flapping: %q", changes[start:stop])
	}
	if tr.Flapping() || tr.State() != Up {
		t.Errorf("after a stable run: flapping %v state %v, want stable and up", tr.Flapping(), tr.State())
	}
}

func TestFlappingStopsWithHysteresis(t *testing.T) {
	// "...xx" has 2 transitions per 5 results, 8 in a full window: below
	// the start threshold (10) and above the stop threshold (4).
	steady := strings.Repeat("...xx", 12)

	calm := NewTracker(3, Policy{})
	if flaps := flapEvents(feed(calm, "....."+steady, t0)); strings.TrimSpace(flaps) != "" {
		t.Errorf("8 transitions out of 19 started flapping: %q", flaps)
	}

	flapping := NewTracker(3, Policy{})
	out := feed(flapping, strings.Repeat(".x", 10)+steady, t0)
	if flaps := flapEvents(out); strings.TrimSpace(flaps) != "F" {
		t.Fatalf("flap events %q, want one start and no stop while 8 of 19 results change", flaps)
	}
	if !flapping.Flapping() {
		t.Fatal("stopped flapping above the stop threshold")
	}
	// A stable run brings it down to 4 transitions and stops it.
	out = feed(flapping, strings.Repeat(".", 20), t0.Add(time.Hour))
	stop := strings.IndexByte(flapEvents(out), 'S')
	if stop < 0 {
		t.Fatal("never stopped flapping on a stable run")
	}
	if got := flapping.Transitions(); got > 4 {
		t.Errorf("stopped with %d transitions in the window, want at most 4", got)
	}
}

func TestFlappingStopSettlesOnConfirmedState(t *testing.T) {
	tests := []struct {
		name  string
		after string // results once flapping, a hard Up held
		want  State
		marks string // the change at the stop, if any
	}{
		{"failures settle down", strings.Repeat("x", 20), Down, "D"},
		{"successes keep up", strings.Repeat(".", 20), Up, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker(3, Policy{})
			feed(tr, "..."+strings.Repeat("x.", 10), t0)
			if !tr.Flapping() || tr.State() != Up {
				t.Fatalf("setup: flapping %v state %v, want flapping and up", tr.Flapping(), tr.State())
			}
			out := feed(tr, tt.after, t0.Add(time.Hour))
			stop := strings.IndexByte(flapEvents(out), 'S')
			if stop < 0 {
				t.Fatal("never stopped flapping")
			}
			if got := strings.TrimSpace(changeMarks(out)); got != tt.marks {
				t.Errorf("changes %q, want %q", got, tt.marks)
			}
			if tt.marks != "" && !out[stop].Changed {
				t.Errorf("the change did not come with the stop")
			}
			if tr.State() != tt.want {
				t.Errorf("state %v, want %v", tr.State(), tt.want)
			}
		})
	}
}

func TestFlappingLocationIsNotRetriedSooner(t *testing.T) {
	tr := NewTracker(3, Policy{})
	out := feed(tr, strings.Repeat(".x", 12), t0)
	last := out[len(out)-1]
	if !tr.Flapping() || last.Retry || tr.NextRun(time.Minute, time.Second) != time.Minute {
		t.Errorf("flapping %v retry %v: a flapping location should keep its interval", tr.Flapping(), last.Retry)
	}
}
