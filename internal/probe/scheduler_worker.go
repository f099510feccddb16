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
	retry   bool
	ctx     context.Context
	cancel  context.CancelFunc
}

// work runs jobs until the scheduler stops.
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

// take waits for a ready run and marks it running; it reports false once
// the scheduler is stopping.
func (s *Scheduler) take() (job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for len(s.ready) == 0 && !s.stopping {
			s.cond.Wait()
		}
		if s.stopping {
			return job{}, false
		}
		e := s.ready[0]
		s.ready[0] = nil
		s.ready = s.ready[1:]
		s.counts.queued--
		if e.removed {
			s.releaseLocked(e)
			continue
		}
		e.state = running
		j := job{e: e, check: e.check, kind: e.kind, planned: e.planned, retry: e.isRetry}
		j.ctx, j.cancel = context.WithTimeout(s.runCtx, timeoutOf(j.check))
		e.cancel = j.cancel
		s.counts.inFlight++
		s.counts.runs++
		if j.retry {
			s.counts.retries++
		}
		return j, true
	}
}

// execute runs one job, reports its result and frees its slots.
func (s *Scheduler) execute(j job) {
	start := time.Now()
	late := max(start.Sub(j.planned), 0)
	s.window.record(start, late)
	s.metrics.lateness.Observe(late.Seconds())
	s.metrics.inFlight.Inc()

	res := s.safeRun(j)
	j.cancel()
	if res.Started.IsZero() {
		res.Started = start
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
