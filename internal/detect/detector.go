package detect

import (
	"time"

	"github.com/vigie/vigie/internal/check"
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

// tracked is the tracker of one check from one location.
type tracked struct {
	location string
	tracker  Tracker
}

// watched is what a Detector keeps of one check.
type watched struct {
	trackers []tracked
	quorum   Quorum
}

// Detector turns the results of every check from every location into
// signals: one per process, fed by the probes, swept periodically. It keeps
// a small, fixed state per check and location.
//
// A Detector is not safe for concurrent use: one goroutine owns it, or
// the caller serializes access.
type Detector struct {
	th          thresholds
	staleFactor time.Duration
	interval    time.Duration
	locations   *Locations
	index       map[string]int
	checks      []*watched // in order of first mention, so Sweep is deterministic
	pending     []Signal   // emitted by the next Sweep
}

// New returns a Detector with cfg's settings.
func New(cfg Config) *Detector {
	d := &Detector{
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
	d.locations = NewLocations(silent)
	return d
}

// watch returns the state of a check, creating it on first mention.
func (d *Detector) watch(key string) *watched {
	if i, ok := d.index[key]; ok {
		return d.checks[i]
	}
	w := &watched{quorum: Quorum{check: key, staleAfter: d.staleFactor * d.interval, open: true, changed: -1}}
	d.index[key] = len(d.checks)
	d.checks = append(d.checks, w)
	return w
}

// tracker returns the tracker of the check from location, or nil when the
// check is assigned to other locations.
func (w *watched) tracker(location string, attempts int, th thresholds) *Tracker {
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
	w.trackers = append(w.trackers, tracked{location: location})
	t := &w.trackers[len(w.trackers)-1].tracker
	t.setup(attempts, th)
	return t
}

// Observe takes the result r of the check checkKey of asset, run from
// location with the given attempts (check.DefaultAttempts when ≤ 0), at
// now, and returns the signals it causes; usually none. Results from a
// location the check is not assigned to are ignored.
func (d *Detector) Observe(checkKey, asset, location string, attempts int, r check.Result, now time.Time) []Signal {
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
func (d *Detector) Sweep(now time.Time) []Signal {
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
func (d *Detector) SetAssignment(checkKey string, locations []string, quorum int) {
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
func (d *Detector) SetInterval(checkKey string, interval time.Duration) {
	if interval <= 0 {
		interval = d.interval
	}
	d.watch(checkKey).quorum.SetStaleAfter(d.staleFactor * interval)
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
	w := d.watch(checkKey)
	if asset != "" {
		w.quorum.SetAsset(asset)
	}
	w.quorum.Restore(st, since)
}

// Remove forgets a check; its open location problems are closed by the
// next Sweep.
func (d *Detector) Remove(checkKey string) {
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
func (d *Detector) State(checkKey string) (State, bool) {
	i, ok := d.index[checkKey]
	if !ok {
		return Unknown, false
	}
	return d.checks[i].quorum.State(), true
}

// LocationState is a check's hard state from one location, and whether
// that location is flapping.
func (d *Detector) LocationState(checkKey, location string) (st State, flapping bool) {
	if t := d.find(checkKey, location); t != nil {
		return t.State(), t.Flapping()
	}
	return Unknown, false
}

// NextRun is how long the scheduler should wait before running a check
// from a location again: RetryInterval(interval) while it is soft-failing
// or soft-recovering there, interval otherwise.
func (d *Detector) NextRun(checkKey, location string, interval time.Duration) time.Duration {
	if t := d.find(checkKey, location); t != nil {
		return t.NextRun(interval, RetryInterval(interval))
	}
	return interval
}

func (d *Detector) find(checkKey, location string) *Tracker {
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
