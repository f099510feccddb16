package probe

import (
	"math"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// Sizing of the worker pool.
const (
	// capacityFloor is added to what the checks need, so that a small or
	// empty schedule still absorbs bursts of retries; it was the fixed cap
	// before the cap followed the checks.
	capacityFloor = 256
	// needHeadroom multiplies a check's share of a worker, for its retries:
	// a failing check is retried sooner than its interval.
	needHeadroom = 2
	// reapEvery is how often the workers idle since the previous reap are
	// retired.
	reapEvery = 10 * time.Second
)

// pool is the bookkeeping of the workers, guarded by Scheduler.mu. There
// is one worker goroutine per run in flight, plus idle ones waiting on
// Scheduler.cond.
type pool struct {
	limit    int   // the cap on workers, hence on runs in flight
	need     int64 // what the checks need, in thousandths of a worker
	workers  int   // started and not retired
	idle     int   // waiting on cond and not yet signalled
	idleLow  int   // the fewest idle since the last reap
	retire   int   // idle workers signalled to end
	reapedAt time.Time
}

// needOf is a check's share of a worker, in thousandths: the fraction of
// its interval a run lasts when it hangs until its timeout, with headroom
// for retries, and never more than one worker since a check never runs
// twice at once.
func needOf(c *check.Check, interval time.Duration) uint16 {
	share := math.Ceil(needHeadroom * 1000 * float64(timeoutOf(c)) / float64(interval))
	return uint16(min(share, 1000))
}

// countLocked adds e to the planned rate and to what the checks need.
func (s *Scheduler) countLocked(e *entry) {
	s.intervals[e.interval]++
	e.need = needOf(e.check, e.interval)
	s.pool.need += int64(e.need)
}

// uncountLocked takes e out of the planned rate and of what the checks
// need.
func (s *Scheduler) uncountLocked(e *entry) {
	if s.intervals[e.interval]--; s.intervals[e.interval] <= 0 {
		delete(s.intervals, e.interval)
	}
	s.pool.need -= int64(e.need)
	e.need = 0
}

// updateLimitLocked sets the cap on runs in flight from what the checks
// need, or from the fixed Concurrency, within MaxInFlight. When the cap
// goes down, workers above it end as they finish their run.
func (s *Scheduler) updateLimitLocked() {
	s.quantum = fireQuantum
	for iv := range s.intervals {
		s.quantum = min(s.quantum, iv/100)
	}
	limit := s.concurrency
	if limit == 0 {
		limit = int((s.pool.need+999)/1000) + capacityFloor
	}
	limit = min(limit, s.maxInFlight)
	s.metrics.capacity.Add(float64(limit - s.pool.limit))
	s.pool.limit = limit
}

// readyLocked hands e, which holds a slot of its target, to a worker: an
// idle one, else a new one while the cap allows; otherwise e waits in the
// ready queue for the first worker to finish.
func (s *Scheduler) readyLocked(e *entry) {
	e.state = ready
	s.ready = append(s.ready, e)
	p := &s.pool
	switch {
	case p.idle > 0:
		p.idle--
		p.idleLow = min(p.idleLow, p.idle)
		s.cond.Signal()
	case p.workers < p.limit:
		p.workers++
		s.metrics.workers.Inc()
		s.wg.Add(1)
		go s.work()
	}
}

// retireLocked counts out a worker about to end.
func (s *Scheduler) retireLocked() {
	s.pool.workers--
	s.metrics.workers.Dec()
}

// reapLocked ends the workers that stayed idle since the last reap: the
// fewest idle at any moment were not needed.
func (s *Scheduler) reapLocked(now time.Time) {
	p := &s.pool
	p.reapedAt = now
	p.retire = 0
	for n := p.idleLow; n > 0 && p.idle > 0; n-- {
		p.idle--
		p.retire++
		s.cond.Signal()
	}
	p.idleLow = p.idle
}
