package detect

import (
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/keyindex"
)

// Defaults of a Detector.
const (
	// DefaultStaleFactor is how many check intervals a location may go
	// without reporting a check before it stops counting in its quorum.
	DefaultStaleFactor = 3
	// DefaultPollInterval is the poll interval assumed for a probe
	// location that is not configured.
	DefaultPollInterval = 30 * time.Second
)

// Config tunes a Detector; its zero value means the defaults.
type Config struct {
	Policy Policy
	// StaleFactor × a check's interval is how long a location counts in
	// the check's quorum after its last report (DefaultStaleFactor).
	StaleFactor int
	// Interval is the check interval assumed until SetInterval is called
	// (check.DefaultInterval).
	Interval time.Duration
	// SilentAfter is how long a location not configured with SetLocation
	// may stay quiet (DefaultSilentFactor × DefaultPollInterval).
	SilentAfter time.Duration
}

// Detector turns the results of every check from every location into
// signals: one per process, fed by the probes, swept periodically. It keeps
// a small, fixed state per check and location: a Quorum per check in one
// slice, whose members are the locations' trackers (see compact.go).
//
// A Detector is not safe for concurrent use: one goroutine owns it, or
// the caller serializes access.
type Detector struct {
	th          thresholds
	staleFactor time.Duration
	interval    time.Duration
	locations   *Locations
	index       *keyindex.Positions[Quorum] // of checks, by key
	checks      []Quorum                    // in order of first mention, so Sweep is deterministic
	runs        evidencePool
	pending     []Signal // emitted by the next Sweep
}

// New returns a Detector with cfg's settings.
func New(cfg Config) *Detector {
	d := &Detector{
		th:          cfg.Policy.compile(),
		staleFactor: time.Duration(cfg.StaleFactor),
		interval:    cfg.Interval,
	}
	d.index = keyindex.NewPositions(&d.checks, func(q *Quorum) string { return q.check }, 0)
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
	d.locations = NewLocations(silent)
	return d
}

// watch returns the state of a check, creating it on first mention.
func (d *Detector) watch(key string) *Quorum {
	if i, ok := d.index.Get(key); ok {
		return &d.checks[i]
	}
	d.index.Append(Quorum{check: key, names: d.locations, staleAfter: d.staleFactor * d.interval, open: true, changed: -1})
	return &d.checks[len(d.checks)-1]
}

// tracker returns the member of the check from location number loc, with
// its tracker set up, or nil when the check is assigned to other
// locations.
func (d *Detector) tracker(q *Quorum, loc uint16, attempts int) *member {
	i := q.join(loc)
	if i < 0 {
		return nil
	}
	m := &q.members[i]
	if m.is(memberTracked) {
		m.ensureAttempts(attempts, d.th, &d.runs)
	} else {
		m.set(memberTracked, true)
		m.setAttempts(attempts, d.th, &d.runs)
	}
	return m
}

// Observe takes the result r of the check checkKey of asset, run from
// location with the given attempts (check.DefaultAttempts when ≤ 0), at
// now, and returns the signals it causes; usually none. Results from a
// location the check is not assigned to are ignored.
func (d *Detector) Observe(checkKey, asset, location string, attempts int, r check.Result, now time.Time) []Signal {
	loc := d.locations.id(location)
	d.locations.contact(loc, now)
	q := d.watch(checkKey)
	if asset != "" && asset != q.asset {
		q.SetAsset(asset)
	}
	m := d.tracker(q, loc, attempts)
	if m == nil {
		return nil
	}
	o := m.observe(r, now, d.th, &d.runs)
	var out []Signal
	if o.FlapStarted || o.FlapStopped {
		kind := CheckFlapping
		if o.FlapStopped {
			kind = CheckStable
		}
		out = append(out, Signal{
			Kind: kind, Check: checkKey, Asset: q.asset, Location: location, At: now,
			From: o.State, To: o.State, Reason: reasonOf(m.reason), Message: m.message,
		})
	}
	q.report(int(q.find(loc)), o, now)
	return q.Evaluate(out, now, d.locations)
}

// Sweep returns the signals due to time passing: locations gone silent or
// back, checks whose quorum changed because a location stopped counting,
// and location problems closed by SetAssignment or Remove.
func (d *Detector) Sweep(now time.Time) []Signal {
	out := d.pending
	d.pending = nil
	for i := range out {
		out[i].At = now
	}
	out = d.locations.sweep(out, now)
	for i := range d.checks {
		out = d.checks[i].Evaluate(out, now, d.locations)
	}
	return out
}

// SetAssignment sets the locations a check runs from and its explicit
// quorum (a majority of the reporting locations when ≤ 0). Without an
// assignment, every location that reports a check counts for it.
func (d *Detector) SetAssignment(checkKey string, locations []string, quorum int) {
	q := d.watch(checkKey)
	before := q.members
	for _, loc := range q.Assign(locations, quorum) {
		d.pending = append(d.pending, Signal{
			Kind: LocationRecovered, Check: checkKey, Asset: q.asset, Location: loc,
			From: Down, To: Unknown, Message: "location no longer assigned",
		})
	}
	if q.open {
		return
	}
	// The members dropped give back the results they kept.
	for i := range before {
		if q.find(before[i].loc) < 0 {
			d.runs.release(&before[i].run)
		}
	}
}

// SetInterval sets a check's interval, from which the delay after which a
// location stops counting in its quorum follows.
func (d *Detector) SetInterval(checkKey string, interval time.Duration) {
	if interval <= 0 {
		interval = d.interval
	}
	d.watch(checkKey).SetStaleAfter(d.staleFactor * interval)
}

// SetLocation configures a probe location's liveness; see Locations.Set.
func (d *Detector) SetLocation(name string, pollInterval, silentAfter time.Duration) {
	d.locations.Set(name, pollInterval, silentAfter)
}

// Contact records that a probe location was heard from at now (a poll with
// no results counts).
func (d *Detector) Contact(location string, now time.Time) {
	d.locations.Contact(location, now)
}

// Restore sets a check's hard state as stored before a restart, so that
// confirming it again emits no signal.
func (d *Detector) Restore(checkKey, asset string, st State, since time.Time) {
	q := d.watch(checkKey)
	if asset != "" {
		q.SetAsset(asset)
	}
	q.Restore(st, since)
}

// Remove forgets a check; its open location problems are closed by the
// next Sweep.
func (d *Detector) Remove(checkKey string) {
	i, ok := d.index.Get(checkKey)
	if !ok {
		return
	}
	q := &d.checks[i]
	for j := range q.members {
		m := &q.members[j]
		if m.is(memberProblem) {
			d.pending = append(d.pending, Signal{
				Kind: LocationRecovered, Check: checkKey, Asset: q.asset, Location: d.locations.name(m.loc),
				From: Down, To: Unknown, Message: "check removed",
			})
		}
		d.runs.release(&m.run)
	}
	d.index.Remove(i) // the last check moves to i
}

// State is a check's hard state across its locations.
func (d *Detector) State(checkKey string) (State, bool) {
	i, ok := d.index.Get(checkKey)
	if !ok {
		return Unknown, false
	}
	return d.checks[i].State(), true
}

// LocationState is a check's hard state from one location, and whether
// that location is flapping.
func (d *Detector) LocationState(checkKey, location string) (st State, flapping bool) {
	if m := d.find(checkKey, location); m != nil {
		return m.state, m.flapping
	}
	return Unknown, false
}

// NextRun is how long the scheduler should wait before running a check
// from a location again: RetryInterval(interval) while it is soft-failing
// or soft-recovering there, interval otherwise.
func (d *Detector) NextRun(checkKey, location string, interval time.Duration) time.Duration {
	if m := d.find(checkKey, location); m != nil && m.soft() {
		return RetryInterval(interval)
	}
	return interval
}

// find returns the member of a check from a location that has a tracker.
func (d *Detector) find(checkKey, location string) *member {
	i, ok := d.index.Get(checkKey)
	if !ok {
		return nil
	}
	loc, ok := d.locations.index[location]
	if !ok {
		return nil
	}
	q := &d.checks[i]
	if j := q.find(loc); j >= 0 && q.members[j].is(memberTracked) {
		return &q.members[j]
	}
	return nil
}
