package detect

import (
	"testing"
	"time"
)

const siteCheck = "site1/http"

// scenario drives a Detector over three locations, one round a minute;
// every round each location in ok reports one result, retries included.
type scenario struct {
	t   *testing.T
	d   *Detector
	now time.Time
}

func newScenario(t *testing.T, locations ...string) *scenario {
	d := New(Config{})
	for _, l := range locations {
		d.SetLocation(l, 30*time.Second, 0)
	}
	d.SetAssignment(siteCheck, locations, 0)
	d.SetInterval(siteCheck, time.Minute)
	return &scenario{t: t, d: d, now: t0}
}

// round makes each location report: '.' a success, 'x' a failure, ' '
// nothing. Locations report 5 s apart, in order, then the clock moves to
// the next round and a Sweep runs. It returns every signal.
func (s *scenario) round(locations []string, results string) []Signal {
	var out []Signal
	for i, l := range locations {
		at := s.now.Add(time.Duration(i) * 5 * time.Second)
		if results[i] == ' ' {
			continue
		}
		out = append(out, s.d.Observe(siteCheck, "site1", l, 3, result(results[i], at), at)...)
	}
	s.now = s.now.Add(20 * time.Second)
	return append(out, s.d.Sweep(s.now)...)
}

// rounds plays several rounds, one string each, and returns every signal.
func (s *scenario) rounds(locations []string, results ...string) []Signal {
	var out []Signal
	for _, r := range results {
		out = append(out, s.round(locations, r)...)
	}
	return out
}

var three = []string{"paris", "montreal", "local"}

func TestTwoOfThreeFailingIsCheckDown(t *testing.T) {
	s := newScenario(t, three...)
	// Assigned locations that have not reported yet still count: the
	// second success makes the majority.
	mustKinds(t, "all up", s.rounds(three, "...", "..."), "check-up@montreal")
	got := s.rounds(three, "xx.", "xx.", "xx.")
	mustKinds(t, "two failing", got, "check-down@montreal")
	down := got[0]
	if down.Check != siteCheck || down.Asset != "site1" || down.From != Up || down.To != Down {
		t.Errorf("signal %+v", down)
	}
	if len(down.Results) != 3 || down.Results[2].OK || down.Reason == "" {
		t.Errorf("evidence %+v reason %q, want the 3 failures", down.Results, down.Reason)
	}
	if st, _ := s.d.State(siteCheck); st != Down {
		t.Errorf("state %v, want down", st)
	}
	// local never went down: paris confirming its recovery makes the majority.
	mustKinds(t, "recovery", s.rounds(three, "...", "..."), "check-up@paris")
}

func TestStaggeredOutageIsNotALocationProblem(t *testing.T) {
	// paris confirms the failure a round before the others: the others
	// have not seen the check working since, so it is not paris's alone.
	s := newScenario(t, three...)
	s.rounds(three, "...", "...")
	got := s.rounds(three, "x..", "x..", "xxx", "xxx", "xxx")
	mustKinds(t, "staggered", got, "check-down@montreal")
}

func TestOneLocationSeeingEverythingFail(t *testing.T) {
	s := newScenario(t, three...)
	s.rounds(three, "...", "...")
	got := s.rounds(three, ".x.", ".x.", ".x.", ".x.", ".x.")
	mustKinds(t, "montreal failing alone", got, "location-problem@montreal")
	p := got[0]
	if p.Check != siteCheck || p.From != Up || p.To != Down || len(p.Results) != 3 {
		t.Errorf("signal %+v", p)
	}
	if st, _ := s.d.State(siteCheck); st != Up {
		t.Errorf("check state %v, want up", st)
	}
	if st, _ := s.d.LocationState(siteCheck, "montreal"); st != Down {
		t.Errorf("montreal's state %v, want down", st)
	}
	mustKinds(t, "montreal recovers", s.rounds(three, "...", "..."), "location-recovered@montreal")
}

func TestLocationCutOffLeavesQuorum(t *testing.T) {
	s := newScenario(t, three...)
	s.rounds(three, "...", "...")
	// montreal stops reporting altogether: after 3 polls it is silent,
	// and nothing is said of the check.
	got := s.rounds(three, ". .", ". .", ". .", ". .", ". .")
	mustKinds(t, "cut off", got, "location-silent@montreal")
	if st, _ := s.d.State(siteCheck); st != Up {
		t.Errorf("check state %v, want up", st)
	}
	// The two that remain are the whole quorum: both failing is down.
	got = s.rounds(three, "x x", "x x", "x x")
	mustKinds(t, "the others fail", got, "check-down@local")
	// montreal is back and sees the check up; it does not outvote the
	// two that see it down.
	got = s.rounds(three, "x.x", "x.x")
	mustKinds(t, "back", got, "location-back@montreal")
}

func TestSilentLocationWithLongIntervalLeavesQuorum(t *testing.T) {
	// An hourly check from two locations: when montreal stops reporting it
	// stays fresh for the check for 3 hours, but its probe is silent after
	// 90 s and stops counting, so paris alone decides. Were montreal still
	// counted, one location down of two would keep the check up.
	two := []string{"paris", "montreal"}
	s := newScenario(t, two...)
	s.d.SetInterval(siteCheck, time.Hour)
	s.rounds(two, "..", "..")
	mustKinds(t, "cut off", s.rounds(two, ". ", ". ", ". ", ". ", ". "), "location-silent@montreal")
	mustKinds(t, "paris fails", s.rounds(two, "x ", "x ", "x "), "check-down@paris")
}

func TestSingleLocation(t *testing.T) {
	local := []string{"local"}
	tests := []struct {
		name   string
		assign bool
	}{
		{"assigned", true},
		{"unassigned", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &scenario{t: t, d: New(Config{}), now: t0}
			if tt.assign {
				s.d.SetAssignment(siteCheck, local, 0)
			}
			s.d.SetLocation("local", 0, -1)
			mustKinds(t, "up", s.rounds(local, ".", "x", "x"), "check-up@local")
			mustKinds(t, "down", s.rounds(local, "x", "."), "check-down@local")
			mustKinds(t, "back up", s.rounds(local, "."), "check-up@local")
			// A local probe that is configured never silent stays in.
			mustKinds(t, "quiet", s.rounds(local, " ", " ", " ", " ", " "))
		})
	}
}

func TestObserveIgnoresUnassignedLocation(t *testing.T) {
	s := newScenario(t, "paris")
	if got := s.d.Observe(siteCheck, "site1", "tokyo", 3, okResult(t0), t0); got != nil {
		t.Fatalf("signals %v from an unassigned location", kinds(got))
	}
	if st, _ := s.d.LocationState(siteCheck, "tokyo"); st != Unknown {
		t.Errorf("tokyo tracked: %v", st)
	}
}

func TestReassignmentClosesLocationProblem(t *testing.T) {
	s := newScenario(t, three...)
	s.rounds(three, "...", "...")
	mustKinds(t, "problem", s.rounds(three, ".x.", ".x.", ".x.", ".x."), "location-problem@montreal")
	s.d.SetAssignment(siteCheck, []string{"paris", "local"}, 0)
	got := s.d.Sweep(s.now)
	mustKinds(t, "reassigned", got, "location-recovered@montreal")
	if !got[0].At.Equal(s.now) {
		t.Errorf("closed at %v, want the sweep's time %v", got[0].At, s.now)
	}
	if st, _ := s.d.LocationState(siteCheck, "montreal"); st != Unknown {
		t.Errorf("montreal still tracked: %v", st)
	}
}

func TestRemoveForgetsCheck(t *testing.T) {
	s := newScenario(t, three...)
	mustKinds(t, "problem", s.rounds(three, "...", "...", ".x.", ".x.", ".x.", ".x."), "check-up@montreal", "location-problem@montreal")
	s.d.Observe("other/tcp", "other", "paris", 3, okResult(s.now), s.now)
	s.d.Remove(siteCheck)
	if _, ok := s.d.State(siteCheck); ok {
		t.Fatal("removed check still known")
	}
	if st, ok := s.d.State("other/tcp"); !ok || st != Up {
		t.Fatalf("other check: %v %v", st, ok)
	}
	mustKinds(t, "removed", s.d.Sweep(s.now), "location-recovered@montreal")
}

func TestRestoreAvoidsRepeatingKnownState(t *testing.T) {
	s := newScenario(t, three...)
	s.d.Restore(siteCheck, "site1", Up, t0.Add(-time.Hour))
	mustKinds(t, "restored up", s.rounds(three, "...", "..."))
}

func TestFlappingLocationSignalsOnce(t *testing.T) {
	local := []string{"local"}
	s := &scenario{t: t, d: New(Config{}), now: t0}
	s.d.SetLocation("local", 0, -1)
	var got []Signal
	for range 12 {
		got = append(got, s.rounds(local, "x", ".")...)
	}
	got = append(got, s.rounds(local, ".", ".", ".", ".", ".", ".", ".", ".", ".", ".", ".", ".", ".", ".", ".", ".")...)
	// Alternating single failures never confirm a Down; the check is up
	// throughout and flaps once.
	mustKinds(t, "flapping", got, "check-up@local", "check-flapping@local", "check-stable@local")
}

func TestNextRunUsesRetryIntervalWhileSoft(t *testing.T) {
	s := newScenario(t, three...)
	s.rounds(three, "...", "x..")
	if got := s.d.NextRun(siteCheck, "paris", time.Minute); got != 15*time.Second {
		t.Errorf("paris soft-failing: next run in %v, want 15s", got)
	}
	if got := s.d.NextRun(siteCheck, "montreal", time.Minute); got != time.Minute {
		t.Errorf("montreal: next run in %v, want 1m", got)
	}
	if got := s.d.NextRun("unknown/http", "paris", time.Minute); got != time.Minute {
		t.Errorf("unknown check: next run in %v, want 1m", got)
	}
}
