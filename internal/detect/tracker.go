package detect

import (
	"math"
	"math/bits"
	"sync"
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
	m            machine
	th           thresholds
	runs         evidencePool
	failingSince int64 // first failure of the current run (Unix ns); 0 after a success
}

// machine is the state of a Tracker without its thresholds and evidence,
// which a Detector shares among all its checks: 48 bytes, no pointer but
// the last failure's message.
type machine struct {
	since    int64  // when the hard state was entered (Unix ns; 0 while Unknown)
	message  string // of the last failure
	history  uint32 // bit 0 is the newest result, set when it succeeded
	run      int32  // handle of the current run's results in the evidence pool, 0 for none
	fails    uint16 // consecutive failures, saturated
	oks      uint16 // consecutive successes, saturated
	reason   uint8  // of the last failure, see reasonCode
	count    uint8  // results in history, at most Window
	attempts uint8
	size     uint8 // results the evidence of a change may need: max(attempts, recoveries)
	state    State
	flapping bool
	// Used by a quorum member only.
	loc   uint16 // the location's number
	flags uint8  // memberTracked | memberFailing | memberReporting | memberProblem
}

// NewTracker returns a Tracker in the Unknown state that goes Down after
// attempts consecutive failures (check.DefaultAttempts when attempts ≤ 0).
func NewTracker(attempts int, p Policy) *Tracker {
	t := &Tracker{th: p.compile()}
	t.SetAttempts(attempts)
	return t
}

// SetAttempts changes the number of consecutive failures that make the
// check go Down (check.DefaultAttempts when n ≤ 0). It takes effect on the
// next result.
func (t *Tracker) SetAttempts(n int) {
	if t.th == (thresholds{}) {
		t.th = Policy{}.compile() // a zero Tracker works with the defaults
	}
	t.m.setAttempts(n, t.th, &t.runs)
}

func (m *machine) setAttempts(n int, th thresholds, runs *evidencePool) {
	if n <= 0 {
		n = check.DefaultAttempts
	}
	n = min(n, math.MaxUint8)
	m.attempts = uint8(n)
	size := uint8(max(n, int(th.recoveries)))
	if m.size == size {
		return
	}
	// Keep the newest results.
	m.size = size
	if m.run != 0 {
		r := runs.get(&m.run)
		if k := len(*r) - int(size); k > 0 {
			copy(*r, (*r)[k:])
			clear((*r)[len(*r)-k:])
			*r = (*r)[:size]
		}
	}
}

// ensureAttempts applies setAttempts only when n differs, keeping the hot
// path free of work.
func (m *machine) ensureAttempts(n int, th thresholds, runs *evidencePool) {
	if n <= 0 {
		n = check.DefaultAttempts
	}
	if int(m.attempts) != min(n, math.MaxUint8) {
		m.setAttempts(n, th, runs)
	}
}

// State is the hard state.
func (t *Tracker) State() State { return t.m.state }

// Since is when the hard state was entered; zero while Unknown.
func (t *Tracker) Since() time.Time { return timeOf(t.m.since) }

// FailingSince is when the current run of failures began; zero when the
// last result succeeded.
func (t *Tracker) FailingSince() time.Time { return timeOf(t.failingSince) }

// Flapping reports whether the location is flapping.
func (t *Tracker) Flapping() bool { return t.m.flapping }

// Soft reports whether the last results disagree with the hard state
// without having confirmed a change yet (a soft failure or a soft
// recovery). A flapping location is never soft: it is not retried sooner.
func (t *Tracker) Soft() bool { return t.m.soft() }

func (m *machine) soft() bool {
	if m.flapping {
		return false
	}
	if m.state == Down {
		return m.oks > 0
	}
	return m.fails > 0
}

// NextRun is how long to wait before running the check again: retry while
// it is soft, interval otherwise.
func (t *Tracker) NextRun(interval, retry time.Duration) time.Duration {
	if t.m.soft() {
		return retry
	}
	return interval
}

// Transitions counts the success↔failure changes among the last Window
// results.
func (t *Tracker) Transitions() int { return t.m.transitions() }

func (m *machine) transitions() int {
	if m.count < 2 {
		return 0
	}
	mask := uint32(1)<<(m.count-1) - 1
	return bits.OnesCount32((m.history ^ m.history>>1) & mask)
}

// Observe records one result observed at now and returns what it changed.
func (t *Tracker) Observe(r check.Result, now time.Time) Outcome {
	if t.th == (thresholds{}) {
		t.th = Policy{}.compile()
	}
	switch {
	case r.OK:
		t.failingSince = 0
	case t.m.fails == 0:
		t.failingSince = nanos(now)
	}
	return t.m.observe(r, now, t.th, &t.runs)
}

func (m *machine) observe(r check.Result, now time.Time, th thresholds, runs *evidencePool) Outcome {
	if m.size == 0 {
		m.setAttempts(int(m.attempts), th, runs)
	}
	m.remember(r, runs)
	o := Outcome{OK: r.OK}
	tr := m.transitions()
	switch {
	case !m.flapping && tr >= int(th.flapStart):
		m.flapping = true
		o.FlapStarted = true
	case m.flapping && tr <= int(th.flapStop):
		m.flapping = false
		o.FlapStopped = true
	}
	if !m.flapping {
		o.Change, o.Changed = m.settle(now, th, runs)
	}
	o.State = m.state
	o.Retry = m.soft()
	return o
}

// remember updates the counters, the history and the evidence of the
// current run. A change only ever carries results of the run that
// confirms it, so a run is kept only while it may confirm one: failures
// while not Down, successes while not Up.
func (m *machine) remember(r check.Result, runs *evidencePool) {
	m.history <<= 1
	var fresh bool // the result starts a new run
	if r.OK {
		fresh = m.oks == 0
		m.history |= 1
		if m.oks < math.MaxUint16 {
			m.oks++
		}
		m.fails = 0
	} else {
		fresh = m.fails == 0
		if m.fails < math.MaxUint16 {
			m.fails++
		}
		m.oks = 0
		m.reason, m.message = reasonCode(r.Reason), r.Message
	}
	m.history &= 1<<Window - 1
	if m.count < Window {
		m.count++
	}
	if (r.OK && m.state == Up) || (!r.OK && m.state == Down) {
		runs.release(&m.run)
		return
	}
	run := runs.get(&m.run)
	if fresh {
		clear(*run)
		*run = (*run)[:0]
	}
	if len(*run) >= int(m.size) {
		copy(*run, (*run)[1:])
		*run = (*run)[:len(*run)-1]
	}
	*run = append(*run, r)
}

// settle applies the hard rules to the consecutive counts. It uses ≥ rather
// than = so that a location that stops flapping settles on what its last
// results confirm.
func (m *machine) settle(now time.Time, th thresholds, runs *evidencePool) (Change, bool) {
	var to State
	var n int
	switch {
	case m.state != Down && int(m.fails) >= int(m.attempts):
		to, n = Down, int(m.attempts)
	case m.state == Unknown && m.oks > 0:
		to, n = Up, 1
	case m.state == Down && int(m.oks) >= int(th.recoveries):
		to, n = Up, int(th.recoveries)
	default:
		return Change{}, false
	}
	c := Change{From: m.state, To: to, At: now, Reason: reasonOf(m.reason), Message: m.message,
		Results: lastResults(runs.of(m.run), n)}
	m.state, m.since = to, nanos(now)
	runs.release(&m.run) // the run confirmed its change: no more evidence to keep
	return c, true
}

// lastResults copies the newest n results of run, oldest first.
func lastResults(run []check.Result, n int) []check.Result {
	n = min(n, len(run))
	if n == 0 {
		return nil
	}
	return append([]check.Result(nil), run[len(run)-n:]...)
}

// reasonTable numbers the failure reasons beyond the known ones, shared by
// every machine of the process. It is bounded: past 255 reasons, a new one
// is remembered as reasonOther.
var reasonTable = struct {
	sync.RWMutex
	names []check.Reason
	index map[check.Reason]uint8
}{names: append([]check.Reason(nil), knownReasons...), index: map[check.Reason]uint8{}}

// reasonOther stands for the reasons past the table's capacity.
const reasonOther check.Reason = "other"

func reasonCode(r check.Reason) uint8 {
	for i, k := range knownReasons {
		if k == r {
			return uint8(i)
		}
	}
	reasonTable.RLock()
	c, ok := reasonTable.index[r]
	reasonTable.RUnlock()
	if ok {
		return c
	}
	reasonTable.Lock()
	defer reasonTable.Unlock()
	if c, ok := reasonTable.index[r]; ok {
		return c
	}
	if len(reasonTable.names) >= math.MaxUint8 {
		r = reasonOther
		if c, ok := reasonTable.index[r]; ok {
			return c
		}
	}
	c = uint8(len(reasonTable.names))
	reasonTable.names = append(reasonTable.names, r)
	reasonTable.index[r] = c
	return c
}

func reasonOf(c uint8) check.Reason {
	if int(c) < len(knownReasons) {
		return knownReasons[c]
	}
	reasonTable.RLock()
	defer reasonTable.RUnlock()
	return reasonTable.names[c]
}
