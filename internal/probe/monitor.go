package probe

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/health"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/inventory"
)

// DefaultLocation is the name of the probe built into the server.
const DefaultLocation = "local"

// MonitorOptions configure a Monitor.
type MonitorOptions struct {
	// Location names this probe (default DefaultLocation).
	Location string
	// Engine runs the checks; nil builds one with default options.
	Engine *check.Engine
	// Concurrency and PerTarget bound the scheduler (defaults of SchedulerOptions).
	Concurrency, PerTarget int
	// Sweep is how often silence, rollups and inventory changes are looked
	// at (default 5 s).
	Sweep time.Duration
	// NoLocal keeps this process from running checks itself: it still
	// judges heartbeats and the results of remote locations.
	NoLocal bool
	// OnBuckets receives the closed per-minute rollups.
	OnBuckets func([]detect.Bucket)
	// Results, when set, is the queue of remote results the monitor takes.
	Results *ResultQueue
	// Wake, when set, carries wake-ups: remote results queued, and the
	// check keys of heartbeats just received.
	ResultsWake   <-chan string
	HeartbeatWake <-chan string
	// RecheckWake carries space-separated asset names whose checks should
	// run at once (their parent recovered).
	RecheckWake <-chan string
	// Health, when set, is told of every sweep, with the monitor's lag.
	Health *health.Component
	// MaxPending bounds the signals, states and rollups kept in memory
	// while the database cannot take them (default 100,000 of each).
	MaxPending int
	// Heartbeats, when set, makes the monitor judge heartbeat checks too
	// (the Engine must then have the heartbeat executor) and gives each
	// one a token.
	Heartbeats *heartbeat.Store
	// Store, when set, appends signals to the log and keeps states and
	// rollups, and gives states back after a restart.
	Store *detect.Store
	// Mutes, when set, is asked at every sweep which assets are under
	// maintenance: their results stay out of the uptime rollups, so that
	// maintenance counts as maintenance, not downtime.
	Mutes func(ctx context.Context) (Muter, error)
	// Locations, when set, adds the active remote probe locations to the
	// checks they run, and keeps the sequence of the results taken.
	Locations  *LocationStore
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Monitor runs every check the inventory implies from this process and
// turns results into signals: inventory → scheduler → engine → detector.
// It follows inventory changes without a restart.
type Monitor struct {
	inv     *inventory.Service
	opts    MonitorOptions
	sched   *Scheduler
	det     *detect.Detector
	rollup  *detect.Rollup
	results chan observed
	// checks by key, owned by the Run goroutine.
	checks  *monitorChecks
	version int64
	// intervals keeps the effective intervals between reloads (reload).
	intervals *intervalIndex
	retained  time.Time
	muter     Muter
	rechecks  chan []string
	taken     atomic.Uint64
	// pending holds what the database could not take yet; oldestQueued
	// is when the oldest remote result still queued was received.
	pending      pendingWrites
	oldestQueued time.Time
	// rollups writes the closed minute rollups off this loop (Store set);
	// stopRollups cancels its write under way at the end of finish.
	rollups     *rollupWriter
	stopRollups context.CancelFunc
	// remote lists the active remote locations, read again (with when each
	// was last heard from) at most every locationsEvery.
	remote      []Location
	locationsAt time.Time
}

// locationsEvery is how often at most the monitor reads the remote
// locations: added or revoked ones, and their last contact with any server.
const locationsEvery = 250 * time.Millisecond

func sameLocations(a, b []Location) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name {
			return false
		}
	}
	return true
}

type observed struct {
	key string
	r   check.Result
}

// NewMonitor returns a monitor over the inventory service.
func NewMonitor(inv *inventory.Service, opts MonitorOptions) *Monitor {
	if opts.Location == "" {
		opts.Location = DefaultLocation
	}
	if opts.Engine == nil {
		opts.Engine = check.NewEngine(check.Options{})
	}
	if opts.Sweep <= 0 {
		opts.Sweep = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = 100_000
	}
	m := &Monitor{inv: inv, opts: opts, det: detect.New(detect.Config{}), rollup: detect.NewRollup(),
		results: make(chan observed, 4096), version: -1, rechecks: make(chan []string, 1)}
	if opts.Store != nil {
		m.rollups = newRollupWriter(opts.Store.SaveBuckets, opts.MaxPending, opts.Logger)
	}
	m.sched = NewScheduler(SchedulerOptions{
		Run:         opts.Engine.Run,
		Report:      func(key string, r check.Result) { m.results <- observed{key, r} },
		Concurrency: opts.Concurrency,
		PerTarget:   opts.PerTarget,
		Registerer:  opts.Registerer,
		Logger:      opts.Logger,
	})
	return m
}

// Poke runs a check now, out of its schedule (a heartbeat just arrived).
func (m *Monitor) Poke(key string) { m.sched.Retry(key, 0) }

// Recheck runs now the checks of the given assets that this process runs
// (their parent just recovered). Safe to call from any goroutine: the
// request is handed to the monitor's own goroutine.
func (m *Monitor) Recheck(assets []string) {
	select {
	case m.rechecks <- assets:
	default: // a recheck already waits; the next one will follow soon
	}
}

func (m *Monitor) recheck(assets []string) {
	want := make(map[string]bool, len(assets))
	for _, a := range assets {
		want[a] = true
	}
	for key, c := range m.checks.all() {
		if want[c.Asset] && m.runsLocally(c) {
			m.sched.Retry(key, 0)
		}
	}
}

// Scheduler returns the monitor's scheduler, for its statistics.
func (m *Monitor) Scheduler() *Scheduler { return m.sched }

// Run monitors until ctx ends. Start-up failures (the database away) are
// retried with a backoff; it returns nil once ctx ended and what was
// measured is written (or given up after a few seconds).
func (m *Monitor) Run(ctx context.Context) error {
	if err := m.start(ctx); err != nil {
		return nil // ctx ended while starting
	}
	m.retained = m.opts.Now()
	m.refreshMutes(ctx)
	m.sched.Start(ctx)
	if m.rollups != nil {
		// Not ctx: the rollups of the last minutes are written after it ends.
		var wctx context.Context
		wctx, m.stopRollups = context.WithCancel(context.Background())
		go m.rollups.run(wctx)
	}
	defer m.finish()
	tick := time.NewTicker(m.opts.Sweep)
	defer tick.Stop()
	changes := time.NewTicker(min(inventoryEvery, m.opts.Sweep))
	defer changes.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case o := <-m.results:
			m.observe(ctx, o)
		case assets := <-m.rechecks:
			m.recheck(assets)
		case <-m.opts.ResultsWake:
			m.takeRemote(ctx)
		case key := <-m.opts.HeartbeatWake:
			if _, ok := m.checks.get(key); ok {
				m.Poke(key)
			}
		case assets := <-m.opts.RecheckWake:
			m.recheck(strings.Fields(assets))
		case <-tick.C:
			m.sweep(ctx)
		case <-changes.C:
			m.followInventory(ctx)
		}
		// Signals of a burst (an outage) are written together once the
		// results waiting are taken, in one transaction rather than one each.
		if len(m.pending.signals) > 0 && (len(m.results) == 0 || len(m.pending.signals) >= flushBatch) {
			_ = m.flush(ctx) // a failure is logged once, and retried at every sweep
		}
	}
}

// flushBatch is how many signals wait at most for the rest of a burst.
const flushBatch = 1000

// start loads the checks and the stored states, retrying until it works
// or ctx ends.
func (m *Monitor) start(ctx context.Context) error {
	backoff := 200 * time.Millisecond
	for {
		err := m.inv.LoadGraph(ctx)
		if err == nil {
			err = m.reload(ctx)
		}
		if err == nil {
			if err = m.restore(ctx); err != nil {
				err = fmt.Errorf("monitor: restore states: %w", err)
			}
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		m.opts.Logger.Error("monitor: cannot start yet, retrying", "err", err, "retry_in", backoff)
		if m.opts.Health != nil {
			m.opts.Health.Fail(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// finish stops the scheduler, then writes what is still in memory: the
// results of the current minute and anything the database could not take.
//
// Results are taken while the scheduler stops: its workers may be waiting
// to hand theirs over (a burst larger than the channel), and Stop waits
// for them.
func (m *Monitor) finish() {
	stopped := make(chan struct{})
	go func() {
		m.sched.Stop()
		close(stopped)
	}()
	for done := false; !done; {
		select {
		case o := <-m.results:
			m.observe(context.Background(), o)
		case <-stopped:
			done = true
		}
	}
	for {
		select {
		case o := <-m.results:
			m.observe(context.Background(), o)
			continue
		default:
		}
		break
	}
	if m.opts.Store == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	now := m.opts.Now()
	m.rollups.add(m.rollup.Flush(now.Truncate(time.Minute).Add(time.Minute)))
	// The rollups are written by their goroutine while this one writes
	// the signals and states; both give up when ctx ends.
	close(m.rollups.stop)
	stop := context.AfterFunc(ctx, m.stopRollups)
	defer stop()
	err := m.flush(ctx)
	<-m.rollups.done
	buckets, _, berr := m.rollups.state()
	if err == nil {
		err = berr
	}
	if err != nil {
		m.opts.Logger.Error("monitor: writes lost at shutdown", "err", err, "signals", len(m.pending.signals),
			"states", len(m.pending.states), "buckets", buckets)
	}
}

func (m *Monitor) observe(ctx context.Context, o observed) {
	if m.observeAt(ctx, m.opts.Location, o.key, o.r) {
		c, _ := m.checks.get(o.key)
		interval := time.Duration(c.Interval)
		if next := m.det.NextRun(o.key, m.opts.Location, interval); next < interval {
			m.sched.Retry(o.key, next)
		}
	}
}

// observeAt gives one result of a location to the detector; false when the
// check is no longer known.
func (m *Monitor) observeAt(ctx context.Context, location, key string, r check.Result) bool {
	c, ok := m.checks.get(key)
	if !ok {
		return false // removed meanwhile
	}
	now := m.opts.Now()
	if muted, _ := m.muted(c.Asset, now); !muted {
		m.rollup.Add(key, r)
	}
	m.emit(ctx, m.det.Observe(key, c.Asset, location, c.Attempts, r, now))
	return true
}

// Muter says whether an asset is under maintenance at a time.
type Muter interface {
	Muted(asset string, at time.Time) (bool, string)
}

// refreshMutes asks again which assets are under maintenance.
func (m *Monitor) refreshMutes(ctx context.Context) {
	if m.opts.Mutes == nil {
		return
	}
	mu, err := m.opts.Mutes(ctx)
	if err != nil {
		m.opts.Logger.Warn("monitor: maintenance windows", "err", err)
		return
	}
	m.muter = mu
}

func (m *Monitor) muted(asset string, at time.Time) (bool, string) {
	if m.muter == nil {
		return false, ""
	}
	return m.muter.Muted(asset, at)
}

func (m *Monitor) sweep(ctx context.Context) {
	now := m.opts.Now()
	m.refreshMutes(ctx)
	m.refreshLocations(ctx)
	m.takeRemote(ctx)
	m.emit(ctx, m.det.Sweep(now))
	buckets := m.rollup.Flush(now.Truncate(time.Minute))
	if m.rollups != nil {
		m.rollups.add(buckets)
		m.rollups.kick() // what the database refused is tried again
	}
	if len(buckets) > 0 && m.opts.OnBuckets != nil {
		m.opts.OnBuckets(buckets)
	}
	err := m.flush(ctx)
	if m.rollups != nil && err == nil {
		_, _, err = m.rollups.state()
	}
	if m.opts.Health != nil {
		if err != nil {
			m.opts.Health.Fail(err)
		} else {
			m.opts.Health.OK(m.lag(now))
		}
		m.report(m.opts.Health)
	}
	m.followInventory(ctx)
}

// inventoryEvery is how often the monitor looks whether the inventory's
// version moved: a load of one number, so that a changed check runs
// within about a second of the change rather than at the next sweep.
const inventoryEvery = 500 * time.Millisecond

// followInventory takes the checks of a new inventory version.
func (m *Monitor) followInventory(ctx context.Context) {
	if g := m.inv.Graph(); g != nil && g.Version() != m.version {
		if err := m.reload(ctx); err != nil && ctx.Err() == nil {
			m.opts.Logger.Warn("monitor: reload checks failed", "err", err)
		}
	}
}

// emit queues signals for the log, with the states they move to; Run
// writes them once the burst they belong to is taken, and what the
// database cannot take waits in memory for the next try.
func (m *Monitor) emit(ctx context.Context, signals []detect.Signal) {
	if len(signals) == 0 {
		return
	}
	for i := range signals {
		s := &signals[i]
		s.Source = detect.SourceProbe
		if c, ok := m.checks.get(s.Check); ok && c.Kind == check.Heartbeat {
			s.Source = detect.SourceHeartbeat
		}
		m.opts.Logger.Info("signal", "kind", s.Kind, "check", s.Check, "asset", s.Asset, "location", s.Location,
			"reason", s.Reason, "message", s.Message)
	}
	m.pending.addSignals(signals, m.opts.MaxPending)
}

// reload takes the effective checks of the inventory, runs parents at
// least as often as their dependents, and hands them to the scheduler.
func (m *Monitor) reload(ctx context.Context) error {
	set, err := m.inv.Effective(ctx)
	if err != nil {
		return fmt.Errorf("monitor: load checks: %w", err)
	}
	if m.version >= 0 && m.intervals != nil {
		if ch, ok := set.Changes(m.version); ok {
			return m.reloadDelta(ctx, set, ch)
		}
	}
	return m.reloadAll(ctx, set)
}

// runsHere reports whether this location runs the check: heartbeat and
// host checks are judged from reports, and a check limited to other
// locations is theirs.
func runsHere(c *check.Check, location string) bool {
	if c.Kind == check.Host {
		return false
	}
	if len(c.Locations) == 0 {
		return true
	}
	for _, l := range c.Locations {
		if l == location {
			return true
		}
	}
	return false
}
