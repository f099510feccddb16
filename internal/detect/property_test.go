package detect

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// randomPattern returns n results from a two-state Markov chain, so that
// sequences have runs of failures and successes as well as noise; the
// probabilities of switching vary with the seed.
func randomPattern(rng *rand.Rand, n int) string {
	pFail, pRecover := rng.Float64(), rng.Float64()
	b := make([]byte, n)
	ok := true
	for i := range b {
		if ok && rng.Float64() < pFail || !ok && rng.Float64() < pRecover {
			ok = !ok
		}
		b[i] = 'x'
		if ok {
			b[i] = '.'
		}
	}
	return string(b)
}

func TestTrackerPropertiesOnRandomSequences(t *testing.T) {
	for seed := range uint64(500) {
		rng := rand.New(rand.NewPCG(seed, 0x7669676965))
		attempts := 2 + rng.IntN(4)
		pattern := randomPattern(rng, 20+rng.IntN(300))
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			tr := NewTracker(attempts, Policy{})
			out := feed(tr, pattern, t0)
			checkTrackerProperties(t, attempts, pattern, out)
		})
	}
}

func checkTrackerProperties(t *testing.T, attempts int, pattern string, out []Outcome) {
	t.Helper()
	state, changes, flapping := Unknown, 0, false
	for i, o := range out {
		switch {
		case o.FlapStarted && flapping, o.FlapStopped && !flapping:
			t.Fatalf("result %d of %q: flapping events do not alternate", i, pattern)
		case o.FlapStarted:
			flapping = true
		case o.FlapStopped:
			flapping = false
		}
		if !o.Changed {
			if o.State != state {
				t.Fatalf("result %d of %q: state moved from %v to %v without a change", i, pattern, state, o.State)
			}
			continue
		}
		c := o.Change
		if flapping {
			t.Fatalf("result %d of %q: change %v→%v while flapping", i, pattern, c.From, c.To)
		}
		if c.From != state || c.To == c.From || c.To == Unknown {
			t.Fatalf("result %d of %q: change %v→%v after state %v", i, pattern, c.From, c.To, state)
		}
		if want := attempts; c.To == Down && len(c.Results) != want {
			t.Fatalf("result %d: down with %d results of evidence, want %d", i, len(c.Results), want)
		}
		for _, r := range c.Results {
			if r.OK != (c.To == Up) {
				t.Fatalf("result %d of %q: change to %v with evidence %+v", i, pattern, c.To, c.Results)
			}
		}
		if state != Unknown {
			changes++
		}
		state = c.To
	}
	// After the first known state, each change needs at least two new
	// results: attempts ≥ 2 failures or two successes.
	if changes > len(pattern)/2 {
		t.Fatalf("%d changes for %d results of %q", changes, len(pattern), pattern)
	}
}

func TestDetectorPropertiesOnRandomSequences(t *testing.T) {
	locations := []string{"paris", "montreal", "local"}
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 0x64657465637421))
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			d := New(Config{})
			d.SetAssignment(siteCheck, locations, 0)
			d.SetInterval(siteCheck, time.Minute)
			// Each location follows the check's own chain, with noise of
			// its own, and sometimes stops reporting for a while.
			common := randomPattern(rng, 200)
			noise := rng.Float64() * 0.3
			var signals []Signal
			now := t0
			for round := range common {
				for _, l := range locations {
					now = now.Add(time.Duration(1+rng.IntN(20)) * time.Second)
					if rng.Float64() < 0.05 {
						continue
					}
					c := common[round]
					if rng.Float64() < noise {
						c = '.' + 'x' - c
					}
					signals = append(signals, d.Observe(siteCheck, "site1", l, 3, result(c, now), now)...)
				}
				signals = append(signals, d.Sweep(now)...)
			}
			checkSignalProperties(t, signals)
		})
	}
}

// checkSignalProperties verifies that check states, location problems and
// flapping each alternate strictly.
func checkSignalProperties(t *testing.T, signals []Signal) {
	t.Helper()
	state := Unknown
	problem := map[string]bool{}
	flapping := map[string]bool{}
	silent := map[string]bool{}
	for i, s := range signals {
		switch s.Kind {
		case CheckDown, CheckUp:
			if s.From != state || s.To == s.From || (s.Kind == CheckDown) != (s.To == Down) {
				t.Fatalf("signal %d: %s %v→%v after state %v", i, s.Kind, s.From, s.To, state)
			}
			state = s.To
		case LocationProblem, LocationRecovered:
			if problem[s.Location] == (s.Kind == LocationProblem) {
				t.Fatalf("signal %d: %s at %s twice", i, s.Kind, s.Location)
			}
			if s.Kind == LocationProblem && state == Down {
				t.Fatalf("signal %d: location problem while the check is down", i)
			}
			problem[s.Location] = s.Kind == LocationProblem
		case CheckFlapping, CheckStable:
			if flapping[s.Location] == (s.Kind == CheckFlapping) {
				t.Fatalf("signal %d: %s at %s twice", i, s.Kind, s.Location)
			}
			flapping[s.Location] = s.Kind == CheckFlapping
		case LocationSilent, LocationBack:
			if silent[s.Location] == (s.Kind == LocationSilent) {
				t.Fatalf("signal %d: %s at %s twice", i, s.Kind, s.Location)
			}
			silent[s.Location] = s.Kind == LocationSilent
		default:
			t.Fatalf("signal %d: unknown kind %q", i, s.Kind)
		}
	}
}
