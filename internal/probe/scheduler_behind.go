package probe

import (
	"log/slog"
	"time"
)

// skipReason is why a planned run was skipped: where the check's previous
// run stood when the next one came due.
type skipReason uint8

const (
	skipBusy       skipReason = iota // running, with a run already deferred behind it
	skipNoWorker                     // waiting for a worker: the cap was reached
	skipTargetBusy                   // waiting for a slot of its target
	skipMissed                       // the loop itself let whole intervals pass
	skipReasons
)

// skipReasonNames label the skipped-runs metric.
var skipReasonNames = [skipReasons]string{"busy", "no_worker", "target_busy", "missed"}

// BehindStats tell how many planned runs did not start on time, for a
// readiness check.
type BehindStats struct {
	// LastMinute counts over the last minute, to within 10 s; Total since
	// Start.
	LastMinute, Total BehindCounts
	// WorstLateness is the longest delay between the planned and the actual
	// start of a run over the last minute, to within 10 s.
	WorstLateness time.Duration
	// InFlight counts runs in progress; Capacity is the most there may be.
	InFlight, Capacity int
}

// BehindCounts count planned runs that did not start on time.
type BehindCounts struct {
	// Skipped counts planned runs that never started. It is the sum of
	// Busy (the check's previous run was still running), NoWorker (its
	// previous run still waited for a worker, every one busy up to the
	// cap), TargetBusy (its previous run still waited for a slot of its
	// target, see SchedulerOptions.PerTarget) and Missed (the scheduler
	// itself let whole intervals pass, as when the process was paused).
	Skipped, Busy, NoWorker, TargetBusy, Missed uint64
	// Late counts runs started more than their check's interval after
	// their planned time.
	Late uint64
}

// Behind returns the counts of planned runs that did not start on time.
func (s *Scheduler) Behind() BehindStats {
	now := time.Now()
	s.mu.Lock()
	st := BehindStats{Total: s.counts.behind(), InFlight: s.counts.inFlight, Capacity: s.pool.limit}
	st.LastMinute = st.Total.sub(s.history.base(now))
	s.mu.Unlock()
	st.WorstLateness = s.window.worst(now)
	return st
}

// behindHistory keeps the totals of runs behind schedule as they were
// early in each of the last slots of the lateness window, so that the
// counts over the last minute are a subtraction, with nothing to do per
// run. Guarded by Scheduler.mu.
type behindHistory struct {
	marks [slotCount]struct {
		index int64 // the slot, as in windowSlot
		total BehindCounts
	}
}

// mark records the totals at now unless its slot has them already.
func (h *behindHistory) mark(now time.Time, total BehindCounts) {
	idx := now.UnixNano() / int64(slotLength)
	if m := &h.marks[idx%slotCount]; m.index != idx {
		m.index, m.total = idx, total
	}
}

// base returns the totals at the start of the window ending at now: the
// earliest mark within it, or zero when there is none.
func (h *behindHistory) base(now time.Time) BehindCounts {
	cur := now.UnixNano() / int64(slotLength)
	first := int64(-1)
	var total BehindCounts
	for _, m := range h.marks {
		if m.index > cur-slotCount && m.index <= cur && (first < 0 || m.index < first) {
			first, total = m.index, m.total
		}
	}
	return total
}

// setSkipped sets the skipped counts from their split by reason.
func (c *BehindCounts) setSkipped(by [skipReasons]uint64) {
	c.Busy, c.NoWorker, c.TargetBusy, c.Missed = by[skipBusy], by[skipNoWorker], by[skipTargetBusy], by[skipMissed]
	c.Skipped = c.Busy + c.NoWorker + c.TargetBusy + c.Missed
}

// sub returns the counts of c not in before.
func (c BehindCounts) sub(before BehindCounts) BehindCounts {
	return BehindCounts{
		Skipped:    c.Skipped - before.Skipped,
		Busy:       c.Busy - before.Busy,
		NoWorker:   c.NoWorker - before.NoWorker,
		TargetBusy: c.TargetBusy - before.TargetBusy,
		Missed:     c.Missed - before.Missed,
		Late:       c.Late - before.Late,
	}
}

// behind returns the totals of runs behind schedule.
func (c *counts) behind() BehindCounts {
	b := BehindCounts{Late: c.late}
	b.setSkipped(c.skipped)
	return b
}

func (c *counts) skippedTotal() uint64 {
	var n uint64
	for _, k := range c.skipped {
		n += k
	}
	return n
}

// behindLog spaces the warnings about runs behind schedule.
type behindLog struct {
	at     time.Time    // of the last warning
	logged BehindCounts // the totals it covered
}

// behindWarning is one warning to log.
type behindWarning struct {
	counts             BehindCounts // since the last warning
	since              time.Duration
	inFlight, capacity int
	checks             int
}

// behindWarningLocked marks the totals of runs behind schedule in their
// history and returns the warning due at now, if any: runs fell behind
// since the last one, and the last one is old enough.
func (s *Scheduler) behindWarningLocked(now time.Time) (behindWarning, bool) {
	l := &s.behind
	total := s.counts.behind()
	s.history.mark(now, total)
	if total == l.logged || (!l.at.IsZero() && now.Sub(l.at) < s.logEvery) {
		return behindWarning{}, false
	}
	w := behindWarning{
		counts:   total.sub(l.logged),
		since:    now.Sub(l.at),
		inFlight: s.counts.inFlight,
		capacity: s.pool.limit,
		checks:   s.entries.len(),
	}
	if l.at.IsZero() {
		w.since = now.Sub(s.startedAt)
	}
	l.at, l.logged = now, total
	return w, true
}

// log writes the warning, with the worst lateness of the last minute.
func (w behindWarning) log(logger *slog.Logger, worst time.Duration) {
	c := w.counts
	logger.Warn("probe: runs behind schedule",
		"skipped", c.Skipped, "late", c.Late, "over", w.since.Round(time.Second),
		"previous_run_busy", c.Busy, "no_free_worker", c.NoWorker, "target_busy", c.TargetBusy, "missed", c.Missed,
		"worst_lateness", worst, "in_flight", w.inFlight, "capacity", w.capacity, "checks", w.checks)
}
