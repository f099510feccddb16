package detect

import (
	"math"
	"math/bits"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// Change is a hard state change of a check, from one location or across
// all of them.
type Change struct {
	From, To State
	At       time.Time
	// Reason and Message are those of the last failure: the one that
	// confirmed a Down, or the one recovered from for an Up.
	Reason  check.Reason
	Message string
	// Results are the results that led to the change, oldest first: the
	// last attempts failures for a Down, the last successes for an Up.
	// They are shared with every signal that carries them: read only.
	Results []check.Result
}

// Outcome is what one result did to a Tracker.
type Outcome struct {
	State   State  // the hard state after the result
	OK      bool   // the result itself succeeded
	Changed bool   // the hard state changed: Change is set
	Change  Change // the change, when Changed
	// Retry asks the scheduler to run the check again after the retry
	// interval rather than the interval: the check is soft-failing or
	// soft-recovering.
	Retry       bool
	FlapStarted bool // the location has just started flapping
	FlapStopped bool // the location has just stopped flapping
}

// Tracker is the soft/hard state machine of one check seen from one
// location. A check goes hard Down after attempts consecutive failures and
// back Up after Policy.Recoveries consecutive successes (from Unknown, the
// first success is Up). When the last Window results change too often the
// location is flapping: hard changes are held until it settles.
//
// The zero Tracker uses check.DefaultAttempts and the default Policy. A
// Tracker is not safe for concurrent use.
type Tracker struct {
	since        time.Time // when the hard state was entered
	last         time.Time // when the last result was observed
	failingSince time.Time // first failure of the current run; zero after a success
	reason       check.Reason
	message      string
	evidence     []check.Result // ring of the last len(evidence) results
	next         int32          // ring slot the next result goes to
	filled       int32          // results in the ring, at most len(evidence)
	fails        int32          // consecutive failures
	oks          int32          // consecutive successes
	history      uint32         // bit 0 is the newest result, set when it succeeded
	count        uint8          // results in history, at most Window
	attempts     uint8
	state        State
	flapping     bool
	th           thresholds
}

// NewTracker returns a Tracker in the Unknown state that goes Down after
// attempts consecutive failures (check.DefaultAttempts when attempts ≤ 0).
func NewTracker(attempts int, p Policy) *Tracker {
	t := &Tracker{}
	t.setup(attempts, p.compile())
	return t
}

func (t *Tracker) setup(attempts int, th thresholds) {
	t.th = th
	t.SetAttempts(attempts)
}

// SetAttempts changes the number of consecutive failures that make the
// check go Down (check.DefaultAttempts when n ≤ 0). It takes effect on the
// next result.
func (t *Tracker) SetAttempts(n int) {
	if t.th == (thresholds{}) {
		t.th = Policy{}.compile() // a zero Tracker works with the defaults
	}
	if n <= 0 {
		n = check.DefaultAttempts
	}
	n = min(n, math.MaxUint8)
	t.attempts = uint8(n)
	size := max(n, int(t.th.recoveries))
	if len(t.evidence) == size {
		return
	}
	// Keep the newest results, oldest first, in a ring of the new size.
	kept := t.lastResults(min(int(t.filled), size))
	t.evidence = make([]check.Result, size)
	copy(t.evidence, kept)
	t.filled = int32(len(kept))
	t.next = int32(len(kept) % size)
}

// ensureAttempts applies SetAttempts only when n differs, keeping the hot
// path free of work.
func (t *Tracker) ensureAttempts(n int) {
	if n <= 0 {
		n = check.DefaultAttempts
	}
	if int(t.attempts) != min(n, math.MaxUint8) {
		t.SetAttempts(n)
	}
}

// State is the hard state.
func (t *Tracker) State() State { return t.state }

// Since is when the hard state was entered; zero while Unknown.
func (t *Tracker) Since() time.Time { return t.since }

// FailingSince is when the current run of failures began; zero when the
// last result succeeded.
func (t *Tracker) FailingSince() time.Time { return t.failingSince }

// Flapping reports whether the location is flapping.
func (t *Tracker) Flapping() bool { return t.flapping }

// Soft reports whether the last results disagree with the hard state
// without having confirmed a change yet (a soft failure or a soft
// recovery). A flapping location is never soft: it is not retried sooner.
func (t *Tracker) Soft() bool {
	if t.flapping {
		return false
	}
	if t.state == Down {
		return t.oks > 0
	}
	return t.fails > 0
}

// NextRun is how long to wait before running the check again: retry while
// it is soft, interval otherwise.
func (t *Tracker) NextRun(interval, retry time.Duration) time.Duration {
	if t.Soft() {
		return retry
	}
	return interval
}

// Transitions counts the success↔failure changes among the last Window
// results.
func (t *Tracker) Transitions() int {
	if t.count < 2 {
		return 0
	}
	mask := uint32(1)<<(t.count-1) - 1
	return bits.OnesCount32((t.history ^ t.history>>1) & mask)
}

// Observe records one result observed at now and returns what it changed.
func (t *Tracker) Observe(r check.Result, now time.Time) Outcome {
	if len(t.evidence) == 0 {
		t.SetAttempts(int(t.attempts))
	}
	t.remember(r, now)
	o := Outcome{OK: r.OK}
	tr := t.Transitions()
	switch {
	case !t.flapping && tr >= int(t.th.flapStart):
		t.flapping = true
		o.FlapStarted = true
	case t.flapping && tr <= int(t.th.flapStop):
		t.flapping = false
		o.FlapStopped = true
	}
	if !t.flapping {
		o.Change, o.Changed = t.settle(now)
	}
	o.State = t.state
	o.Retry = t.Soft()
	return o
}

// remember updates the counters, the history and the evidence ring.
func (t *Tracker) remember(r check.Result, now time.Time) {
	t.last = now
	t.history <<= 1
	if r.OK {
		t.history |= 1
		t.oks++
		t.fails = 0
		t.failingSince = time.Time{}
	} else {
		if t.fails == 0 {
			t.failingSince = now
		}
		t.fails++
		t.oks = 0
		t.reason, t.message = r.Reason, r.Message
	}
	t.history &= 1<<Window - 1
	if t.count < Window {
		t.count++
	}
	t.evidence[t.next] = r
	t.next = (t.next + 1) % int32(len(t.evidence))
	if int(t.filled) < len(t.evidence) {
		t.filled++
	}
}

// settle applies the hard rules to the consecutive counts. It uses ≥ rather
// than = so that a location that stops flapping settles on what its last
// results confirm.
func (t *Tracker) settle(now time.Time) (Change, bool) {
	var to State
	var n int
	switch {
	case t.state != Down && int(t.fails) >= int(t.attempts):
		to, n = Down, int(t.attempts)
	case t.state == Unknown && t.oks > 0:
		to, n = Up, 1
	case t.state == Down && int(t.oks) >= int(t.th.recoveries):
		to, n = Up, int(t.th.recoveries)
	default:
		return Change{}, false
	}
	c := Change{From: t.state, To: to, At: now, Reason: t.reason, Message: t.message, Results: t.lastResults(n)}
	t.state, t.since = to, now
	return c, true
}

// lastResults copies the newest n results of the ring, oldest first.
func (t *Tracker) lastResults(n int) []check.Result {
	n = min(n, int(t.filled))
	if n == 0 {
		return nil
	}
	out := make([]check.Result, n)
	size := len(t.evidence)
	start := (int(t.next) - n + size) % size
	for i := range out {
		out[i] = t.evidence[(start+i)%size]
	}
	return out
}
