// Package probe runs checks on their schedule and carries their results:
// one timer-driven loop over a min-heap of next-run times feeds a pool of
// workers that grows with what the schedule needs, with a cap on concurrent
// checks per target host.
package probe

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigie/vigie/internal/check"
)

// RunFunc runs one check and returns its result. The context carries the
// check's timeout as its deadline; a RunFunc must return soon after the
// context ends.
type RunFunc func(ctx context.Context, c *check.Check) check.Result

// Defaults of SchedulerOptions.
const (
	// DefaultMaxInFlight bounds the runs in flight whatever the schedule
	// needs. A run waiting on the network costs about 4.5 KB in the
	// scheduler (its worker's stack and its context) and, with the check
	// engine, about 15 KB while its connection hangs, 34 KB while a request
	// waits for its answer, 50 KB in a TLS handshake (see
	// docs/benchmarks.md): 20,000 runs take up to 1 GB, and as many file
	// descriptors.
	DefaultMaxInFlight = 20_000
	DefaultPerTarget   = 4
	// DefaultBehindLogInterval spaces the warnings about runs behind
	// schedule.
	DefaultBehindLogInterval = time.Minute
)

// SchedulerOptions configure a Scheduler. Only Run is required.
type SchedulerOptions struct {
	// Run runs one check.
	Run RunFunc
	// Report receives every result with its check's key. It is called from
	// worker goroutines, so concurrently for different checks, but never
	// concurrently for one check, and in start order for each key. It may
	// call any method but Stop. It should return quickly: a worker is busy
	// until it does.
	Report func(key string, r check.Result)
	// Concurrency, when positive, caps the runs in flight at a fixed
	// number, still at most MaxInFlight. When zero, the cap follows the
	// checks: the runs they would keep in flight if every run lasted until
	// its timeout, twice over for retries (for each check, twice its
	// timeout over its interval, at most one since a check never runs
	// twice at once), plus 256; Set and SetMinInterval update it, and
	// Stats tells it.
	Concurrency int
	// MaxInFlight bounds the runs in flight, to bound memory (default
	// DefaultMaxInFlight).
	MaxInFlight int
	// PerTarget caps the runs in flight against one target host: the host
	// of the check's Address, else of its URL, else of its Server (default
	// DefaultPerTarget).
	PerTarget int
	// Registerer, when set, receives the scheduler's metrics.
	Registerer prometheus.Registerer
	// Logger receives a warning, at most once per minute, when planned runs
	// were skipped or started more than their interval late (see Behind);
	// nil discards it.
	Logger *slog.Logger
}

// Scheduler runs each check once per interval at a stable phase within it,
// plus the early runs asked for with Retry. It never runs one check twice at
// once: a run that comes due while the previous run of the same check is
// queued is skipped, and one that comes due while it runs is deferred until
// it ends (later ones are skipped).
//
// Each run in flight has a worker goroutine of its own, started when no
// idle one is left and retired once idle for a while, up to a cap that
// follows what the checks need (see SchedulerOptions.Concurrency): a check
// that hangs until its timeout costs waiting, not other checks' turns.
type Scheduler struct {
	run         RunFunc
	report      func(string, check.Result)
	perTarget   int
	concurrency int // the fixed cap asked for, or 0
	maxInFlight int
	log         *slog.Logger
	logEvery    time.Duration // between warnings about runs behind
	reapEvery   time.Duration // between retirements of idle workers
	metrics     *metrics
	window      *latenessWindow
	wake        chan struct{}
	wg          sync.WaitGroup
	setMu       sync.Mutex // keeps Set calls apart
	mu          sync.Mutex
	cond        *sync.Cond // idle workers wait on it for ready runs
	entries     entryIndex
	queue       dueHeap
	epoch       time.Time // entries keep their times as durations since it
	ready       []*entry  // runs holding a target slot, waiting for a worker
	targets     map[string]*target
	minimums    map[string]time.Duration // set by SetMinInterval
	intervals   map[time.Duration]int    // checks per interval, for the planned rate
	quantum     time.Duration            // the least sleep of the loop, see fireQuantum
	generation  uint8
	counts      counts
	pool        pool
	behind      behindLog
	history     behindHistory
	started     bool
	stopping    bool
	startedAt   time.Time
	runCtx      context.Context
	cancel      context.CancelFunc
}

// counts are the scheduler's running totals.
type counts struct {
	runs, retries, dropped uint64
	skipped                [skipReasons]uint64
	late                   uint64 // runs started more than their interval late
	inFlight, queued       int
}

// NewScheduler returns a scheduler with no checks; it panics when opts.Run is
// nil. Call Set to give it checks and Start to run them.
func NewScheduler(opts SchedulerOptions) *Scheduler {
	if opts.Run == nil {
		panic("probe: NewScheduler needs a RunFunc")
	}
	s := &Scheduler{
		run:         opts.Run,
		report:      opts.Report,
		perTarget:   opts.PerTarget,
		concurrency: max(opts.Concurrency, 0),
		maxInFlight: opts.MaxInFlight,
		log:         opts.Logger,
		logEvery:    DefaultBehindLogInterval,
		reapEvery:   reapEvery,
		metrics:     newMetrics(opts.Registerer),
		window:      &latenessWindow{},
		wake:        make(chan struct{}, 1),
		targets:     map[string]*target{},
		minimums:    map[string]time.Duration{},
		intervals:   map[time.Duration]int{},
		epoch:       time.Now(),
	}
	if s.report == nil {
		s.report = func(string, check.Result) {}
	}
	if s.perTarget <= 0 {
		s.perTarget = DefaultPerTarget
	}
	if s.maxInFlight <= 0 {
		s.maxInFlight = DefaultMaxInFlight
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.cond = sync.NewCond(&s.mu)
	s.updateLimitLocked()
	return s
}

// Start starts the loop and returns; workers start as runs come due. They
// run until ctx ends or Stop is called; a second call does nothing. Slots
// that passed between Set and Start are not made up. Runs get contexts that keep ctx's
// values but not its cancellation: they end at their timeout, so that Stop
// can wait for them.
func (s *Scheduler) Start(ctx context.Context) {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return
	}
	s.started = true
	s.startedAt = time.Now()
	for e := range s.entries.all() {
		if e.next < s.since(s.startedAt) {
			e.next = s.since(nextSlot(s.startedAt, e.interval, offsetOf(e.key, e.interval)))
			s.queue.fix(e)
		}
	}
	s.runCtx = context.WithoutCancel(ctx)
	ctx, s.cancel = context.WithCancel(ctx)
	s.pool.reapedAt = s.startedAt
	s.wg.Add(1)
	s.mu.Unlock()
	go s.loop(ctx)
}

// Stop stops scheduling, drops runs not yet started, and waits for those in
// flight, whose results are reported. It returns at once when the
// scheduler was never started.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.wg.Wait()
}

// loop fires due runs until ctx ends, sleeping until the earliest next
// one. A ticker wakes it for housekeeping too: retiring idle workers and
// warning about runs behind schedule.
func (s *Scheduler) loop(ctx context.Context) {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	tick := time.NewTicker(min(s.reapEvery, s.logEvery))
	defer tick.Stop()
	for {
		now := time.Now()
		// Runs due within fireQuantum of each other start together: one
		// wake-up of the loop and of the workers for a few runs rather
		// than for each, at the cost of a few milliseconds of lateness.
		timer.Reset(s.fireDue(now))
		s.housekeep(now)
		select {
		case <-ctx.Done():
			s.drain()
			return
		case <-timer.C:
		case <-tick.C:
		case <-s.wake:
		}
	}
}

// housekeep retires the workers left idle and logs the runs behind
// schedule, each when its time has come.
func (s *Scheduler) housekeep(now time.Time) {
	s.mu.Lock()
	if now.Sub(s.pool.reapedAt) >= s.reapEvery {
		s.reapLocked(now)
	}
	warn, ok := s.behindWarningLocked(now)
	s.mu.Unlock()
	if ok {
		warn.log(s.log, s.window.worst(now))
	}
}

// poke wakes the loop so that it sees a changed heap.
func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// fireQuantum is the least time the loop sleeps between two rounds of due
// runs, unless woken: at 5,000 runs a second, one wake-up for about 25 of
// them. It is at most a hundredth of the shortest interval (see
// quantumLocked), so that checks run every few tens of milliseconds, as in
// tests, keep their slots.
const fireQuantum = 5 * time.Millisecond

// fireDue queues every run due at now and returns how long to sleep.
func (s *Scheduler) fireDue(now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.since(now)
	for s.queue.len() > 0 {
		e := s.queue.peek()
		due := e.due()
		if due > at {
			return max(due-at, s.quantum)
		}
		s.fireLocked(e, at)
	}
	return time.Hour
}

// drain stops the workers and drops the runs not yet started.
func (s *Scheduler) drain() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopping = true
	for i, e := range s.ready {
		e.slot.active--
		e.slot, e.state, e.pending = nil, idle, false
		s.ready[i] = nil
	}
	s.ready = nil
	for name, t := range s.targets {
		for _, e := range t.waiting {
			e.state, e.pending = idle, false
		}
		t.waiting = nil
		if t.active == 0 {
			delete(s.targets, name)
		}
	}
	s.counts.queued = 0
	s.pool.idle = 0
	s.cond.Broadcast()
}
