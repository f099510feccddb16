package probe

import (
	"context"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// job is one run handed to a worker.
type job struct {
	e       *entry
	check   *check.Check
	kind    string
	planned time.Time
	start   time.Time
	late    time.Duration // start - planned
	behind  bool          // started more than its interval late
	retry   bool
	ctx     context.Context
	cancel  context.CancelFunc
}

// work runs jobs until the scheduler stops or retires the worker.
func (s *Scheduler) work() {
	defer s.wg.Done()
	for {
		j, ok := s.take()
		if !ok {
			return
		}
		s.execute(j)
	}
}

// take waits for a ready run and marks it running; it reports false when
// the worker is to end: the scheduler is stopping, the pool is above its
// cap, or the worker stayed idle long enough to be retired.
func (s *Scheduler) take() (job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		switch {
		case s.stopping || s.pool.workers > s.pool.limit:
			s.retireLocked()
			return job{}, false
		case len(s.ready) > 0:
			e := s.ready[0]
			s.ready[0] = nil
			s.ready = s.ready[1:]
			s.counts.queued--
			if e.removed {
				s.releaseLocked(e)
				continue
			}
			return s.startLocked(e), true
		case s.pool.retire > 0:
			s.pool.retire--
			s.retireLocked()
			return job{}, false
		}
		// Whoever hands this worker a run, or retires it, takes it off
		// the idle count before signalling.
		s.pool.idle++
		s.cond.Wait()
	}
}

// startLocked marks e's ready run as running and returns its job.
func (s *Scheduler) startLocked(e *entry) job {
	e.state = running
	j := job{e: e, check: e.check, kind: string(e.check.Kind), planned: s.at(e.planned), retry: e.isRetry, start: time.Now()}
	j.late = max(j.start.Sub(j.planned), 0)
	j.behind = j.late > e.interval
	j.ctx, j.cancel = context.WithTimeout(s.runCtx, timeoutOf(j.check))
	e.cancel = j.cancel
	s.counts.inFlight++
	s.counts.runs++
	if j.retry {
		s.counts.retries++
	}
	if j.behind {
		s.counts.late++
	}
	return j
}

// execute runs one job, reports its result and frees its slots.
func (s *Scheduler) execute(j job) {
	s.window.record(j.start, j.late)
	s.metrics.lateness.Observe(j.late.Seconds())
	if j.behind {
		s.metrics.late.Inc()
	}
	s.metrics.inFlight.Inc()

	res := s.safeRun(j)
	j.cancel()
	if res.Started.IsZero() {
		res.Started = j.start
	}
	result := "fail"
	if res.OK {
		result = "ok"
	}
	if !s.deliver(j.e, res) {
		result = "dropped"
	}
	s.metrics.inFlight.Dec()
	s.metrics.runs.WithLabelValues(j.kind, result).Inc()
	s.finish(j.e)
}

// safeRun calls the RunFunc, turning a panic into a failed result so that
// one faulty check cannot bring the server down.
func (s *Scheduler) safeRun(j job) (res check.Result) {
	defer func() {
		if v := recover(); v != nil {
			res = check.Result{
				Phase:   check.PhaseDone,
				Reason:  check.ReasonConfig,
				Message: fmt.Sprintf("probe: run panicked: %v", v),
			}
		}
	}()
	return s.run(j.ctx, j.check)
}

// deliver reports res unless its check was removed meanwhile; it tells
// whether it did.
func (s *Scheduler) deliver(e *entry, res check.Result) bool {
	s.mu.Lock()
	removed := e.removed
	s.mu.Unlock()
	if removed {
		return false
	}
	s.report(e.key, res)
	return true
}

// finish frees the run's slots and queues the run deferred behind it.
func (s *Scheduler) finish(e *entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.cancel = nil
	s.counts.inFlight--
	if e.removed {
		s.counts.dropped++
	}
	s.releaseLocked(e)
	if e.pending {
		e.pending = false
		if !e.removed && !s.stopping {
			s.enqueueLocked(e, e.pendingPlanned, e.pendingRetry)
		}
	}
}
