package detect

import (
	"slices"
	"time"
)

// Liveness tells whether a probe location has gone silent; *Locations
// implements it. A silent location leaves every quorum until it returns.
type Liveness interface {
	Silent(location string, now time.Time) bool
}

// member is one location of a Quorum.
type member struct {
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

// Quorum combines the hard states of one check's locations into the
// check's state. A location counts while it reports: it reported within
// the stale delay and its probe is not silent. The check is Down when at
// least quorum reporting locations are Down (by default a majority of
// those reporting), Up when a majority of them are Up, and otherwise keeps
// its state. A location that is Down while the others see the check Up is
// a problem of that location, never the check's.
//
// A Quorum is not safe for concurrent use.
type Quorum struct {
	check, asset string
	staleAfter   time.Duration
	quorum       int  // explicit quorum; 0 for a majority of the reporting locations
	open         bool // no explicit assignment: locations join as they report
	members      []member
	state        State
	since        time.Time
	born         time.Time // first report: assigned locations are presumed present until born+staleAfter
	changed      int       // member whose hard state changed last, or -1
}

// NewQuorum returns the quorum of the check checkKey of asset over the
// given locations, with an explicit quorum (a majority when ≤ 0). With no
// locations, every location that reports joins. A location stops counting
// staleAfter after its last report.
func NewQuorum(checkKey, asset string, locations []string, quorum int, staleAfter time.Duration) *Quorum {
	q := &Quorum{check: checkKey, asset: asset, staleAfter: staleAfter, changed: -1}
	q.Assign(locations, quorum)
	return q
}

// Assign changes the locations and the explicit quorum (a majority when
// ≤ 0), keeping what is known of the locations that remain. It returns the
// removed locations that had an open location problem, so that the caller
// can close them.
func (q *Quorum) Assign(locations []string, quorum int) (closed []string) {
	q.quorum = max(quorum, 0)
	q.open = len(locations) == 0
	if q.open {
		return nil
	}
	kept := make([]member, 0, len(locations))
	for _, name := range locations {
		if slices.ContainsFunc(kept, func(m member) bool { return m.name == name }) {
			continue
		}
		if i := q.find(name); i >= 0 {
			kept = append(kept, q.members[i])
		} else {
			kept = append(kept, member{name: name})
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
func (q *Quorum) SetStaleAfter(d time.Duration) { q.staleAfter = d }

// SetAsset changes the asset named in signals.
func (q *Quorum) SetAsset(asset string) { q.asset = asset }

// State is the check's hard state.
func (q *Quorum) State() State { return q.state }

// Since is when the check entered its hard state; zero while Unknown.
func (q *Quorum) Since() time.Time { return q.since }

// Restore sets the check's hard state, as stored before a restart, so that
// confirming it again emits no signal.
func (q *Quorum) Restore(st State, since time.Time) { q.state, q.since = st, since }

// Locations lists the locations of the quorum, in order.
func (q *Quorum) Locations() []string {
	names := make([]string, len(q.members))
	for i := range q.members {
		names[i] = q.members[i].name
	}
	return names
}

func (q *Quorum) find(name string) int {
	for i := range q.members {
		if q.members[i].name == name {
			return i
		}
	}
	return -1
}

// Report records a location's outcome for the check at now. It returns
// false, recording nothing, when the location is not assigned.
func (q *Quorum) Report(location string, o Outcome, now time.Time) bool {
	i := q.find(location)
	if i < 0 {
		if !q.open {
			return false
		}
		q.members = append(q.members, member{name: location})
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
func (q *Quorum) isReporting(m *member, now time.Time, live Liveness) bool {
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
func (q *Quorum) Evaluate(dst []Signal, now time.Time, live Liveness) []Signal {
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
func (q *Quorum) checkSignal(to State, now time.Time) Signal {
	kind := CheckUp
	if to == Down {
		kind = CheckDown
	}
	s := Signal{Kind: kind, Check: q.check, Asset: q.asset, At: now, From: q.state, To: to}
	w := q.changed
	if w < 0 || !q.members[w].reporting || q.members[w].state != to {
		w = slices.IndexFunc(q.members, func(m member) bool { return m.reporting && m.state == to })
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

// judgeLocation opens or closes the location problem of member i.
func (q *Quorum) judgeLocation(dst []Signal, i, down int, now time.Time) []Signal {
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
// Down sees the check Up and has had a success since member i went Down,
// and whether they are at least as many as the Down ones: then member i's
// failure is its own. Requiring a success since then keeps the first
// location to confirm a real outage from being blamed alone; the caller
// also requires member i to be still failing, so that a location
// confirming its recovery is not blamed either.
func (q *Quorum) othersSeeUp(i, down int) bool {
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

func (q *Quorum) locationSignal(kind SignalKind, m *member, now time.Time) Signal {
	s := Signal{Kind: kind, Check: q.check, Asset: q.asset, Location: m.name, At: now, To: m.state}
	if c := m.change; c != nil {
		s.From, s.To = c.From, c.To
		s.Reason, s.Message, s.Results = c.Reason, c.Message, c.Results
	}
	return s
}
