package detect

// The layout of the detector before its state was compacted, kept to check
// that the compact one behaves exactly alike (reference_test.go) and to
// measure it against (memory_bench_test.go). Generated from the former
// tracker.go, quorum.go, locations.go and detector.go by renaming.

import (
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// refTracker is the soft/hard state machine of one check seen from one
// location. A check goes hard Down after attempts consecutive failures and
// back Up after Policy.Recoveries consecutive successes (from Unknown, the
// first success is Up). When the last Window results change too often the
// location is flapping: hard changes are held until it settles.
//
// The zero refTracker uses check.DefaultAttempts and the default Policy. A
// refTracker is not safe for concurrent use.
type refTracker struct {
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

// newRefTracker returns a refTracker in the Unknown state that goes Down after
// attempts consecutive failures (check.DefaultAttempts when attempts ≤ 0).
func newRefTracker(attempts int, p Policy) *refTracker {
	t := &refTracker{}
	t.setup(attempts, p.compile())
	return t
}

func (t *refTracker) setup(attempts int, th thresholds) {
	t.th = th
	t.SetAttempts(attempts)
}

// SetAttempts changes the number of consecutive failures that make the
// check go Down (check.DefaultAttempts when n ≤ 0). It takes effect on the
// next result.
func (t *refTracker) SetAttempts(n int) {
	if t.th == (thresholds{}) {
		t.th = Policy{}.compile() // a zero refTracker works with the defaults
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
func (t *refTracker) ensureAttempts(n int) {
	if n <= 0 {
		n = check.DefaultAttempts
	}
	if int(t.attempts) != min(n, math.MaxUint8) {
		t.SetAttempts(n)
	}
}

// State is the hard state.
func (t *refTracker) State() State { return t.state }

// Since is when the hard state was entered; zero while Unknown.
func (t *refTracker) Since() time.Time { return t.since }

// FailingSince is when the current run of failures began; zero when the
// last result succeeded.
func (t *refTracker) FailingSince() time.Time { return t.failingSince }

// Flapping reports whether the location is flapping.
func (t *refTracker) Flapping() bool { return t.flapping }

// Soft reports whether the last results disagree with the hard state
// without having confirmed a change yet (a soft failure or a soft
// recovery). A flapping location is never soft: it is not retried sooner.
func (t *refTracker) Soft() bool {
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
func (t *refTracker) NextRun(interval, retry time.Duration) time.Duration {
	if t.Soft() {
		return retry
	}
	return interval
}

// Transitions counts the success↔failure changes among the last Window
// results.
func (t *refTracker) Transitions() int {
	if t.count < 2 {
		return 0
	}
	mask := uint32(1)<<(t.count-1) - 1
	return bits.OnesCount32((t.history ^ t.history>>1) & mask)
}

// Observe records one result observed at now and returns what it changed.
func (t *refTracker) Observe(r check.Result, now time.Time) Outcome {
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
func (t *refTracker) remember(r check.Result, now time.Time) {
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
func (t *refTracker) settle(now time.Time) (Change, bool) {
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
func (t *refTracker) lastResults(n int) []check.Result {
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

// refMember is one location of a refQuorum.
type refMember struct {
	name       string
	state      State     // the location's hard state
	since      time.Time // when the location entered it
	lastReport time.Time
	lastOK     time.Time
	failing    bool    // the last result failed
	change     *Change // the location's last hard change: the evidence
	reporting  bool    // as of the last Evaluate
	problem    bool    // a location-problem is open
}

// refQuorum combines the hard states of one check's locations into the
// check's state. A location counts while it reports: it reported within
// the stale delay and its probe is not silent. The check is Down when at
// least quorum reporting locations are Down (by default a majority of
// those reporting), Up when a majority of them are Up, and otherwise keeps
// its state. A location that is Down while the others see the check Up is
// a problem of that location, never the check's.
//
// A refQuorum is not safe for concurrent use.
type refQuorum struct {
	check, asset string
	staleAfter   time.Duration
	quorum       int  // explicit quorum; 0 for a majority of the reporting locations
	open         bool // no explicit assignment: locations join as they report
	members      []refMember
	state        State
	since        time.Time
	born         time.Time // first report: assigned locations are presumed present until born+staleAfter
	changed      int       // refMember whose hard state changed last, or -1
}

// Assign changes the locations and the explicit quorum (a majority when
// ≤ 0), keeping what is known of the locations that remain. It returns the
// removed locations that had an open location problem, so that the caller
// can close them.
func (q *refQuorum) Assign(locations []string, quorum int) (closed []string) {
	q.quorum = max(quorum, 0)
	q.open = len(locations) == 0
	if q.open {
		return nil
	}
	kept := make([]refMember, 0, len(locations))
	for _, name := range locations {
		if slices.ContainsFunc(kept, func(m refMember) bool { return m.name == name }) {
			continue
		}
		if i := q.find(name); i >= 0 {
			kept = append(kept, q.members[i])
		} else {
			kept = append(kept, refMember{name: name})
		}
	}
	for _, m := range q.members {
		if m.problem && !slices.Contains(locations, m.name) {
			closed = append(closed, m.name)
		}
	}
	q.members = kept
	q.changed = -1
	return closed
}

// SetStaleAfter changes how long after its last report a location stops
// counting.
func (q *refQuorum) SetStaleAfter(d time.Duration) { q.staleAfter = d }

// SetAsset changes the asset named in signals.
func (q *refQuorum) SetAsset(asset string) { q.asset = asset }

// State is the check's hard state.
func (q *refQuorum) State() State { return q.state }

// Since is when the check entered its hard state; zero while Unknown.
func (q *refQuorum) Since() time.Time { return q.since }

// Restore sets the check's hard state, as stored before a restart, so that
// confirming it again emits no signal.
func (q *refQuorum) Restore(st State, since time.Time) { q.state, q.since = st, since }

func (q *refQuorum) find(name string) int {
	for i := range q.members {
		if q.members[i].name == name {
			return i
		}
	}
	return -1
}

// Report records a location's outcome for the check at now. It returns
// false, recording nothing, when the location is not assigned.
func (q *refQuorum) Report(location string, o Outcome, now time.Time) bool {
	i := q.find(location)
	if i < 0 {
		if !q.open {
			return false
		}
		q.members = append(q.members, refMember{name: location})
		i = len(q.members) - 1
	}
	if q.born.IsZero() {
		q.born = now
	}
	m := &q.members[i]
	m.lastReport = now
	m.failing = !o.OK
	if o.OK {
		m.lastOK = now
	}
	m.state = o.State
	if o.Changed {
		c := o.Change
		m.since = c.At
		m.change = &c
		q.changed = i
	}
	return true
}

// isReporting tells whether a location counts at now. An assigned location
// that has not reported yet is presumed present for staleAfter after the
// first report of any location, so that the first location to confirm a
// failure does not decide alone.
func (q *refQuorum) isReporting(m *refMember, now time.Time, live Liveness) bool {
	last := m.lastReport
	if last.IsZero() {
		last = q.born
	}
	if last.IsZero() || now.Sub(last) > q.staleAfter {
		return false
	}
	return live == nil || !live.Silent(m.name, now)
}

// Evaluate combines the locations' states at now, appends the signals of
// what changed to dst and returns it.
func (q *refQuorum) Evaluate(dst []Signal, now time.Time, live Liveness) []Signal {
	n, up, down := 0, 0, 0
	for i := range q.members {
		m := &q.members[i]
		m.reporting = q.isReporting(m, now, live)
		if !m.reporting {
			continue
		}
		n++
		switch m.state {
		case Up:
			up++
		case Down:
			down++
		}
	}
	need := q.quorum
	if need == 0 {
		need = n/2 + 1
	}
	next := q.state
	switch {
	case n > 0 && down >= need:
		next = Down
	case up > n/2:
		next = Up
	}
	if next != q.state {
		dst = append(dst, q.checkSignal(next, now))
		q.state, q.since = next, now
	}
	for i := range q.members {
		dst = q.judgeLocation(dst, i, down, now)
	}
	return dst
}

// checkSignal is the signal of the check going to state to, with the
// evidence of the location that tipped it.
func (q *refQuorum) checkSignal(to State, now time.Time) Signal {
	kind := CheckUp
	if to == Down {
		kind = CheckDown
	}
	s := Signal{Kind: kind, Check: q.check, Asset: q.asset, At: now, From: q.state, To: to}
	w := q.changed
	if w < 0 || !q.members[w].reporting || q.members[w].state != to {
		w = slices.IndexFunc(q.members, func(m refMember) bool { return m.reporting && m.state == to })
	}
	if w >= 0 {
		m := &q.members[w]
		s.Location = m.name
		if c := m.change; c != nil {
			s.Reason, s.Message, s.Results = c.Reason, c.Message, c.Results
		}
	}
	return s
}

// judgeLocation opens or closes the location problem of refMember i.
func (q *refQuorum) judgeLocation(dst []Signal, i, down int, now time.Time) []Signal {
	m := &q.members[i]
	switch {
	case m.problem && m.state != Down:
		m.problem = false
		return append(dst, q.locationSignal(LocationRecovered, m, now))
	case !m.problem && m.state == Down && m.failing && m.reporting && q.state != Down && q.othersSeeUp(i, down):
		m.problem = true
		return append(dst, q.locationSignal(LocationProblem, m, now))
	}
	return dst
}

// othersSeeUp tells whether every other reporting location that is not
// Down sees the check Up and has had a success since refMember i went Down,
// and whether they are at least as many as the Down ones: then refMember i's
// failure is its own. Requiring a success since then keeps the first
// location to confirm a real outage from being blamed alone; the caller
// also requires refMember i to be still failing, so that a location
// confirming its recovery is not blamed either.
func (q *refQuorum) othersSeeUp(i, down int) bool {
	since := q.members[i].since
	confirmed := 0
	for j := range q.members {
		o := &q.members[j]
		if j == i || !o.reporting || o.state == Down {
			continue
		}
		if o.state != Up || o.lastOK.Before(since) {
			return false
		}
		confirmed++
	}
	return confirmed > 0 && confirmed >= down
}

func (q *refQuorum) locationSignal(kind SignalKind, m *refMember, now time.Time) Signal {
	s := Signal{Kind: kind, Check: q.check, Asset: q.asset, Location: m.name, At: now, To: m.state}
	if c := m.change; c != nil {
		s.From, s.To = c.From, c.To
		s.Reason, s.Message, s.Results = c.Reason, c.Message, c.Results
	}
	return s
}

// refTracked is the tracker of one check from one location.
type refTracked struct {
	location string
	tracker  refTracker
}

// refWatched is what a refDetector keeps of one check.
type refWatched struct {
	trackers []refTracked
	quorum   refQuorum
}

// refDetector turns the results of every check from every location into
// signals: one per process, fed by the probes, swept periodically. It keeps
// a small, fixed state per check and location.
//
// A refDetector is not safe for concurrent use: one goroutine owns it, or
// the caller serializes access.
type refDetector struct {
	th          thresholds
	staleFactor time.Duration
	interval    time.Duration
	locations   *refLocations
	index       map[string]int
	checks      []*refWatched // in order of first mention, so Sweep is deterministic
	pending     []Signal      // emitted by the next Sweep
}

// New returns a refDetector with cfg's settings.
func newRefDetector(cfg Config) *refDetector {
	d := &refDetector{
		th:          cfg.Policy.compile(),
		staleFactor: time.Duration(cfg.StaleFactor),
		interval:    cfg.Interval,
		index:       make(map[string]int),
	}
	if d.staleFactor <= 0 {
		d.staleFactor = DefaultStaleFactor
	}
	if d.interval <= 0 {
		d.interval = check.DefaultInterval
	}
	silent := cfg.SilentAfter
	if silent == 0 {
		silent = DefaultSilentFactor * DefaultPollInterval
	}
	d.locations = newRefLocations(silent)
	return d
}

// watch returns the state of a check, creating it on first mention.
func (d *refDetector) watch(key string) *refWatched {
	if i, ok := d.index[key]; ok {
		return d.checks[i]
	}
	w := &refWatched{quorum: refQuorum{check: key, staleAfter: d.staleFactor * d.interval, open: true, changed: -1}}
	d.index[key] = len(d.checks)
	d.checks = append(d.checks, w)
	return w
}

// tracker returns the tracker of the check from location, or nil when the
// check is assigned to other locations.
func (w *refWatched) tracker(location string, attempts int, th thresholds) *refTracker {
	for i := range w.trackers {
		if w.trackers[i].location == location {
			t := &w.trackers[i].tracker
			t.ensureAttempts(attempts)
			return t
		}
	}
	if !w.quorum.open && w.quorum.find(location) < 0 {
		return nil
	}
	w.trackers = append(w.trackers, refTracked{location: location})
	t := &w.trackers[len(w.trackers)-1].tracker
	t.setup(attempts, th)
	return t
}

// Observe takes the result r of the check checkKey of asset, run from
// location with the given attempts (check.DefaultAttempts when ≤ 0), at
// now, and returns the signals it causes; usually none. Results from a
// location the check is not assigned to are ignored.
func (d *refDetector) Observe(checkKey, asset, location string, attempts int, r check.Result, now time.Time) []Signal {
	d.locations.Contact(location, now)
	w := d.watch(checkKey)
	if asset != "" && asset != w.quorum.asset {
		w.quorum.SetAsset(asset)
	}
	t := w.tracker(location, attempts, d.th)
	if t == nil {
		return nil
	}
	o := t.Observe(r, now)
	var out []Signal
	if o.FlapStarted || o.FlapStopped {
		kind := CheckFlapping
		if o.FlapStopped {
			kind = CheckStable
		}
		out = append(out, Signal{
			Kind: kind, Check: checkKey, Asset: w.quorum.asset, Location: location, At: now,
			From: o.State, To: o.State, Reason: t.reason, Message: t.message,
		})
	}
	w.quorum.Report(location, o, now)
	return w.quorum.Evaluate(out, now, d.locations)
}

// Sweep returns the signals due to time passing: locations gone silent or
// back, checks whose quorum changed because a location stopped counting,
// and location problems closed by SetAssignment or Remove.
func (d *refDetector) Sweep(now time.Time) []Signal {
	out := d.pending
	d.pending = nil
	for i := range out {
		out[i].At = now
	}
	out = d.locations.sweep(out, now)
	for _, w := range d.checks {
		out = w.quorum.Evaluate(out, now, d.locations)
	}
	return out
}

// SetAssignment sets the locations a check runs from and its explicit
// quorum (a majority of the reporting locations when ≤ 0). Without an
// assignment, every location that reports a check counts for it.
func (d *refDetector) SetAssignment(checkKey string, locations []string, quorum int) {
	w := d.watch(checkKey)
	for _, loc := range w.quorum.Assign(locations, quorum) {
		d.pending = append(d.pending, Signal{
			Kind: LocationRecovered, Check: checkKey, Asset: w.quorum.asset, Location: loc,
			From: Down, To: Unknown, Message: "location no longer assigned",
		})
	}
	if w.quorum.open {
		return
	}
	kept := w.trackers[:0]
	for _, t := range w.trackers {
		if w.quorum.find(t.location) >= 0 {
			kept = append(kept, t)
		}
	}
	clear(w.trackers[len(kept):])
	w.trackers = kept
}

// SetInterval sets a check's interval, from which the delay after which a
// location stops counting in its quorum follows.
func (d *refDetector) SetInterval(checkKey string, interval time.Duration) {
	if interval <= 0 {
		interval = d.interval
	}
	d.watch(checkKey).quorum.SetStaleAfter(d.staleFactor * interval)
}

// SetLocation configures a probe location's liveness; see refLocations.Set.
func (d *refDetector) SetLocation(name string, pollInterval, silentAfter time.Duration) {
	d.locations.Set(name, pollInterval, silentAfter)
}

// Contact records that a probe location was heard from at now (a poll with
// no results counts).
func (d *refDetector) Contact(location string, now time.Time) {
	d.locations.Contact(location, now)
}

// Restore sets a check's hard state as stored before a restart, so that
// confirming it again emits no signal.
func (d *refDetector) Restore(checkKey, asset string, st State, since time.Time) {
	w := d.watch(checkKey)
	if asset != "" {
		w.quorum.SetAsset(asset)
	}
	w.quorum.Restore(st, since)
}

// Remove forgets a check; its open location problems are closed by the
// next Sweep.
func (d *refDetector) Remove(checkKey string) {
	i, ok := d.index[checkKey]
	if !ok {
		return
	}
	w := d.checks[i]
	for j := range w.quorum.members {
		if m := &w.quorum.members[j]; m.problem {
			d.pending = append(d.pending, Signal{
				Kind: LocationRecovered, Check: checkKey, Asset: w.quorum.asset, Location: m.name,
				From: Down, To: Unknown, Message: "check removed",
			})
		}
	}
	last := len(d.checks) - 1
	d.checks[i] = d.checks[last]
	d.index[d.checks[i].quorum.check] = i
	d.checks[last] = nil
	d.checks = d.checks[:last]
	delete(d.index, checkKey)
}

// State is a check's hard state across its locations.
func (d *refDetector) State(checkKey string) (State, bool) {
	i, ok := d.index[checkKey]
	if !ok {
		return Unknown, false
	}
	return d.checks[i].quorum.State(), true
}

// LocationState is a check's hard state from one location, and whether
// that location is flapping.
func (d *refDetector) LocationState(checkKey, location string) (st State, flapping bool) {
	if t := d.find(checkKey, location); t != nil {
		return t.State(), t.Flapping()
	}
	return Unknown, false
}

// NextRun is how long the scheduler should wait before running a check
// from a location again: RetryInterval(interval) while it is soft-failing
// or soft-recovering there, interval otherwise.
func (d *refDetector) NextRun(checkKey, location string, interval time.Duration) time.Duration {
	if t := d.find(checkKey, location); t != nil {
		return t.NextRun(interval, RetryInterval(interval))
	}
	return interval
}

func (d *refDetector) find(checkKey, location string) *refTracker {
	i, ok := d.index[checkKey]
	if !ok {
		return nil
	}
	w := d.checks[i]
	for j := range w.trackers {
		if w.trackers[j].location == location {
			return &w.trackers[j].tracker
		}
	}
	return nil
}

// refPlace is what refLocations knows of one probe location.
type refPlace struct {
	name        string
	last        time.Time     // last contact; zero before the first
	silentAfter time.Duration // 0: the default; < 0: never silent
	silent      bool          // as last reported by Sweep
}

// refLocations tracks when each probe location was last heard from. A
// location that stays quiet longer than its silent delay is silent: it
// leaves every quorum until it reports again. A location never heard from
// is not silent; it simply does not report.
//
// refLocations is not safe for concurrent use.
type refLocations struct {
	silentAfter time.Duration // for locations not configured
	index       map[string]int
	places      []refPlace // in order of first mention, so Sweep is deterministic
}

// newRefLocations returns the tracker of locations that are silent after
// silentAfter without contact unless configured otherwise.
func newRefLocations(silentAfter time.Duration) *refLocations {
	return &refLocations{silentAfter: silentAfter, index: make(map[string]int)}
}

func (l *refLocations) refPlace(name string) *refPlace {
	i, ok := l.index[name]
	if !ok {
		i = len(l.places)
		l.index[name] = i
		l.places = append(l.places, refPlace{name: name})
	}
	return &l.places[i]
}

// Set configures a location: it is silent after silentAfter without
// contact, or after DefaultSilentFactor × pollInterval when silentAfter is
// zero, after the default delay when both are zero, and never when
// silentAfter is negative (a local probe that only runs checks).
func (l *refLocations) Set(name string, pollInterval, silentAfter time.Duration) {
	if silentAfter == 0 {
		silentAfter = DefaultSilentFactor * max(pollInterval, 0)
	}
	l.refPlace(name).silentAfter = silentAfter
}

// Contact records that the location was heard from at now.
func (l *refLocations) Contact(name string, now time.Time) {
	p := l.refPlace(name)
	if now.After(p.last) {
		p.last = now
	}
}

// LastContact is when the location was last heard from; zero if never.
func (l *refLocations) LastContact(name string) time.Time {
	if i, ok := l.index[name]; ok {
		return l.places[i].last
	}
	return time.Time{}
}

// Silent tells whether the location has been quiet longer than its silent
// delay at now.
func (l *refLocations) Silent(name string, now time.Time) bool {
	i, ok := l.index[name]
	return ok && l.silentAt(&l.places[i], now)
}

func (l *refLocations) silentAt(p *refPlace, now time.Time) bool {
	after := p.silentAfter
	if after == 0 {
		after = l.silentAfter
	}
	return after > 0 && !p.last.IsZero() && now.Sub(p.last) > after
}

// Sweep returns a location-silent signal for each location that has become
// silent since the last Sweep, and a location-back signal for each that
// reported again.
func (l *refLocations) Sweep(now time.Time) []Signal {
	return l.sweep(nil, now)
}

func (l *refLocations) sweep(dst []Signal, now time.Time) []Signal {
	for i := range l.places {
		p := &l.places[i]
		silent := l.silentAt(p, now)
		if silent == p.silent {
			continue
		}
		p.silent = silent
		s := Signal{Kind: LocationBack, Location: p.name, At: now}
		if silent {
			s.Kind = LocationSilent
			s.Message = "no contact since " + p.last.UTC().Format(time.RFC3339)
		}
		dst = append(dst, s)
	}
	return dst
}
