package detect

import (
	"math"
	"slices"
	"time"
)

// Liveness tells whether a probe location has gone silent; *Locations
// implements it. A silent location leaves every quorum until it returns.
type Liveness interface {
	Silent(location string, now time.Time) bool
}

// member is one location of a Quorum. In a Detector, its machine is the
// location's tracker; the member's hard state and since are the machine's.
type member struct {
	machine
	change     string // the location's last hard change, encodeChange'd: the evidence; "" for none
	lastReport int64  // Unix ns, 0 for never
	lastOK     int64
}

// The flags of a member.
const (
	memberTracked   = 1 << iota // its machine has seen a result
	memberFailing               // the last result failed
	memberReporting             // as of the last Evaluate
	memberProblem               // a location-problem is open
)

func (m *member) is(flag uint8) bool { return m.flags&flag != 0 }

func (m *member) set(flag uint8, on bool) {
	if on {
		m.flags |= flag
	} else {
		m.flags &^= flag
	}
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
	names        *Locations // numbers the locations: the Detector's, or the Quorum's own
	members      []member
	staleAfter   time.Duration
	since        int64 // Unix ns; 0 while Unknown
	born         int64 // first report: assigned locations are presumed present until born+staleAfter
	quorum       int32 // explicit quorum; 0 for a majority of the reporting locations
	changed      int16 // member whose hard state changed last, or -1
	open         bool  // no explicit assignment: locations join as they report
	state        State
}

// NewQuorum returns the quorum of the check checkKey of asset over the
// given locations, with an explicit quorum (a majority when ≤ 0). With no
// locations, every location that reports joins. A location stops counting
// staleAfter after its last report.
func NewQuorum(checkKey, asset string, locations []string, quorum int, staleAfter time.Duration) *Quorum {
	q := &Quorum{check: checkKey, asset: asset, names: NewLocations(0), staleAfter: staleAfter, changed: -1}
	q.Assign(locations, quorum)
	return q
}

// Assign changes the locations and the explicit quorum (a majority when
// ≤ 0), keeping what is known of the locations that remain. It returns the
// removed locations that had an open location problem, so that the caller
// can close them.
func (q *Quorum) Assign(locations []string, quorum int) (closed []string) {
	q.quorum = int32(min(max(quorum, 0), math.MaxInt32))
	q.open = len(locations) == 0
	if q.open {
		return nil
	}
	kept := make([]member, 0, len(locations))
	for _, name := range locations {
		id := q.names.id(name)
		if slices.ContainsFunc(kept, func(m member) bool { return m.loc == id }) {
			continue
		}
		if i := q.find(id); i >= 0 {
			kept = append(kept, q.members[i])
		} else {
			kept = append(kept, member{machine: machine{loc: id}})
		}
	}
	for i := range q.members {
		m := &q.members[i]
		if m.is(memberProblem) && !slices.Contains(locations, q.names.name(m.loc)) {
			closed = append(closed, q.names.name(m.loc))
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
func (q *Quorum) Since() time.Time { return timeOf(q.since) }

// Restore sets the check's hard state, as stored before a restart, so that
// confirming it again emits no signal.
func (q *Quorum) Restore(st State, since time.Time) { q.state, q.since = st, nanos(since) }

// Locations lists the locations of the quorum, in order.
func (q *Quorum) Locations() []string {
	names := make([]string, len(q.members))
	for i := range q.members {
		names[i] = q.names.name(q.members[i].loc)
	}
	return names
}

// find returns the member of location number id, or -1.
func (q *Quorum) find(id uint16) int {
	for i := range q.members {
		if q.members[i].loc == id {
			return i
		}
	}
	return -1
}

// Report records a location's outcome for the check at now. It returns
// false, recording nothing, when the location is not assigned.
func (q *Quorum) Report(location string, o Outcome, now time.Time) bool {
	i := q.join(q.names.id(location))
	if i < 0 {
		return false
	}
	q.report(i, o, now)
	return true
}

// join returns the member of location number id, adding it to an open
// quorum; -1 when the location is not assigned.
func (q *Quorum) join(id uint16) int {
	if i := q.find(id); i >= 0 || !q.open {
		return i
	}
	q.members = append(q.members, member{machine: machine{loc: id}})
	return len(q.members) - 1
}

// report records the outcome of member i.
func (q *Quorum) report(i int, o Outcome, now time.Time) {
	at := nanos(now)
	if q.born == 0 {
		q.born = at
	}
	m := &q.members[i]
	m.lastReport = at
	m.set(memberFailing, !o.OK)
	if o.OK {
		m.lastOK = at
	}
	m.state = o.State
	if o.Changed {
		c := &o.Change
		m.since = nanos(c.At)
		m.change = encodeChange(c)
		q.changed = int16(i)
	}
}

// isReporting tells whether a location counts at now. An assigned location
// that has not reported yet is presumed present for staleAfter after the
// first report of any location, so that the first location to confirm a
// failure does not decide alone.
func (q *Quorum) isReporting(m *member, now int64, live Liveness, at time.Time) bool {
	last := m.lastReport
	if last == 0 {
		last = q.born
	}
	if last == 0 || time.Duration(now-last) > q.staleAfter {
		return false
	}
	if live == nil {
		return true
	}
	if l, ok := live.(*Locations); ok && l == q.names {
		return !l.silentAt(&l.places[m.loc], at)
	}
	return !live.Silent(q.names.name(m.loc), at)
}

// Evaluate combines the locations' states at now, appends the signals of
// what changed to dst and returns it.
func (q *Quorum) Evaluate(dst []Signal, now time.Time, live Liveness) []Signal {
	at := nanos(now)
	n, up, down := 0, 0, 0
	for i := range q.members {
		m := &q.members[i]
		reporting := q.isReporting(m, at, live, now)
		m.set(memberReporting, reporting)
		if !reporting {
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
	need := int(q.quorum)
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
		q.state, q.since = next, at
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
	w := int(q.changed)
	if w < 0 || !q.members[w].is(memberReporting) || q.members[w].state != to {
		w = slices.IndexFunc(q.members, func(m member) bool { return m.is(memberReporting) && m.state == to })
	}
	if w >= 0 {
		m := &q.members[w]
		s.Location = q.names.name(m.loc)
		if m.change != "" {
			c := decodeChange(m.change, m.since)
			s.Reason, s.Message, s.Results = c.Reason, c.Message, c.Results
		}
	}
	return s
}

// judgeLocation opens or closes the location problem of member i.
func (q *Quorum) judgeLocation(dst []Signal, i, down int, now time.Time) []Signal {
	m := &q.members[i]
	switch {
	case m.is(memberProblem) && m.state != Down:
		m.set(memberProblem, false)
		return append(dst, q.locationSignal(LocationRecovered, m, now))
	case !m.is(memberProblem) && m.state == Down && m.is(memberFailing) && m.is(memberReporting) &&
		q.state != Down && q.othersSeeUp(i, down):
		m.set(memberProblem, true)
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
		if j == i || !o.is(memberReporting) || o.state == Down {
			continue
		}
		if o.state != Up || o.lastOK < since {
			return false
		}
		confirmed++
	}
	return confirmed > 0 && confirmed >= down
}

func (q *Quorum) locationSignal(kind SignalKind, m *member, now time.Time) Signal {
	s := Signal{Kind: kind, Check: q.check, Asset: q.asset, Location: q.names.name(m.loc), At: now, To: m.state}
	if m.change != "" {
		c := decodeChange(m.change, m.since)
		s.From, s.To = c.From, c.To
		s.Reason, s.Message, s.Results = c.Reason, c.Message, c.Results
	}
	return s
}
