package detect

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// randomResult is a success or a failure with varied details.
func randomResult(rng *rand.Rand, ok bool, at time.Time) check.Result {
	r := check.Result{OK: ok, Phase: check.PhaseDone, Started: at.Add(-time.Duration(rng.IntN(5000)) * time.Millisecond),
		Timings: check.Timings{Connect: time.Duration(rng.IntN(1e8)), Total: time.Duration(rng.Int64N(1e10))}}
	if rng.IntN(20) == 0 {
		r.Started = time.Time{}
	}
	if !ok {
		r.Phase = []check.Phase{check.PhaseConnect, check.PhaseResponse, "custom-phase"}[rng.IntN(3)]
		r.Reason = []check.Reason{check.ReasonTimeout, check.ReasonHTTPStatus, "custom-reason", ""}[rng.IntN(4)]
		r.Message = fmt.Sprintf("failure %d", rng.IntN(4))
	}
	return r
}

// TestCompactTrackerMatchesTheFormerLayout feeds the same random results
// and attempts to a Tracker and to the former one, and compares every
// outcome and accessor.
func TestCompactTrackerMatchesTheFormerLayout(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 1))
		p := Policy{Recoveries: rng.IntN(4)}
		attempts := rng.IntN(5)
		got, want := NewTracker(attempts, p), newRefTracker(attempts, p)
		if seed%7 == 0 {
			got, want = &Tracker{}, &refTracker{}
		}
		now := t0
		okShare := rng.Float64()
		for step := range 300 {
			if rng.IntN(40) == 0 {
				n := rng.IntN(6)
				got.SetAttempts(n)
				want.SetAttempts(n)
			}
			now = now.Add(time.Duration(1+rng.IntN(30)) * time.Second)
			r := randomResult(rng, rng.Float64() < okShare, now)
			g, w := got.Observe(r, now), want.Observe(r, now)
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("seed %d step %d: outcome\n%+v\nwant\n%+v", seed, step, g, w)
			}
			if got.State() != want.State() || !got.Since().Equal(want.Since()) || !got.FailingSince().Equal(want.FailingSince()) ||
				got.Flapping() != want.Flapping() || got.Soft() != want.Soft() || got.Transitions() != want.Transitions() {
				t.Fatalf("seed %d step %d: accessors differ", seed, step)
			}
		}
	}
}

// TestCompactDetectorMatchesTheFormerLayout runs the same random operations
// on a Detector and on the former one and compares every signal and answer.
func TestCompactDetectorMatchesTheFormerLayout(t *testing.T) {
	locations := []string{"paris", "tokyo", "montreal", "local"}
	kinds := map[SignalKind]int{}
	withResults := 0
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 2))
		cfg := Config{Policy: Policy{Recoveries: 1 + rng.IntN(3)}, StaleFactor: rng.IntN(4), SilentAfter: time.Duration(rng.IntN(3)) * time.Minute}
		got, want := New(cfg), newRefDetector(cfg)
		keys := make([]string, 3)
		for i := range keys {
			keys[i] = fmt.Sprintf("site%d/http", i)
		}
		okShare := make([]float64, len(keys)*len(locations))
		for i := range okShare {
			okShare[i] = []float64{1, 0, 0.5, 0.9, 0.1}[rng.IntN(5)]
		}
		now := t0
		compare := func(step int, what string, g, w []Signal) {
			t.Helper()
			for _, s := range w {
				kinds[s.Kind]++
				if len(s.Results) > 0 {
					withResults++
				}
			}
			if len(g) == 0 && len(w) == 0 {
				return
			}
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("seed %d step %d %s: signals\n%+v\nwant\n%+v", seed, step, what, g, w)
			}
		}
		for step := range 3000 {
			now = now.Add(time.Duration(rng.IntN(20)) * time.Second)
			k := rng.IntN(len(keys))
			switch op := rng.IntN(100); {
			case op < 75:
				l := rng.IntN(len(locations))
				r := randomResult(rng, rng.Float64() < okShare[k*len(locations)+l], now)
				attempts := []int{0, 1, 2, 3, 3, 3, 5}[rng.IntN(7)]
				compare(step, "observe", got.Observe(keys[k], "asset", locations[l], attempts, r, now),
					want.Observe(keys[k], "asset", locations[l], attempts, r, now))
			case op < 82:
				compare(step, "sweep", got.Sweep(now), want.Sweep(now))
			case op < 87:
				var locs []string
				for _, l := range locations {
					if rng.IntN(2) == 0 {
						locs = append(locs, l)
					}
				}
				q := rng.IntN(3)
				got.SetAssignment(keys[k], locs, q)
				want.SetAssignment(keys[k], locs, q)
			case op < 89:
				iv := time.Duration(rng.IntN(3)) * 30 * time.Second
				got.SetInterval(keys[k], iv)
				want.SetInterval(keys[k], iv)
			case op < 90:
				got.Remove(keys[k])
				want.Remove(keys[k])
			case op < 91:
				st := State(rng.IntN(3))
				got.Restore(keys[k], "other-asset", st, now)
				want.Restore(keys[k], "other-asset", st, now)
			case op < 94:
				l := locations[rng.IntN(len(locations))]
				got.Contact(l, now)
				want.Contact(l, now)
			case op < 95:
				l := locations[rng.IntN(len(locations))]
				poll, silent := time.Duration(rng.IntN(3))*10*time.Second, time.Duration(rng.IntN(3)-1)*time.Minute
				got.SetLocation(l, poll, silent)
				want.SetLocation(l, poll, silent)
			case op < 97:
				okShare[rng.IntN(len(okShare))] = []float64{1, 0, 0.5, 0.9, 0.1}[rng.IntN(5)]
			default:
				now = now.Add(time.Duration(rng.IntN(10)) * time.Minute)
			}
			for _, key := range keys {
				gs, gok := got.State(key)
				ws, wok := want.State(key)
				if gs != ws || gok != wok {
					t.Fatalf("seed %d step %d: state of %s %v %v, want %v %v", seed, step, key, gs, gok, ws, wok)
				}
				for _, l := range locations {
					gs, gf := got.LocationState(key, l)
					ws, wf := want.LocationState(key, l)
					if gs != ws || gf != wf || got.NextRun(key, l, time.Minute) != want.NextRun(key, l, time.Minute) {
						t.Fatalf("seed %d step %d: %s from %s differs", seed, step, key, l)
					}
				}
			}
		}
	}
	// The scenarios must reach every kind of signal, with evidence.
	if len(kinds) < 8 || withResults < 100 {
		t.Fatalf("the random runs reached only %v, %d signals with results", kinds, withResults)
	}
	t.Logf("signals compared: %v, %d with results", kinds, withResults)
}
