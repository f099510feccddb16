package probe

import (
	"math"
	"sync"
	"time"
)

// Stats tell how well the scheduler keeps its plan.
type Stats struct {
	// Checks is the number of checks scheduled.
	Checks int
	// InFlight counts runs in progress; Queued those due but waiting for a
	// worker or for a slot of their target.
	InFlight, Queued int
	// Runs counts runs started since Start, Retries those of them asked by
	// Retry, Skipped the planned runs skipped (Behind tells why), and
	// Dropped the results of removed checks.
	Runs, Retries, Skipped, Dropped uint64
	// Capacity is the cap on runs in flight (see SchedulerOptions.Concurrency)
	// and Workers the worker goroutines, busy or idle.
	Capacity, Workers int
	// LatenessP50 and LatenessP99 are quantiles of the delay between the
	// planned and actual start of runs, over the last minute, to within
	// a fifth.
	LatenessP50, LatenessP99 time.Duration
	// PlannedRate is the runs per second the intervals call for;
	// AchievedRate the runs started per second over the last minute.
	PlannedRate, AchievedRate float64
}

// Stats returns the scheduler's current figures.
func (s *Scheduler) Stats() Stats {
	s.mu.Lock()
	st := Stats{
		Checks:   s.entries.len(),
		InFlight: s.counts.inFlight,
		Queued:   s.counts.queued,
		Runs:     s.counts.runs,
		Retries:  s.counts.retries,
		Skipped:  s.counts.skippedTotal(),
		Dropped:  s.counts.dropped,
		Capacity: s.pool.limit,
		Workers:  s.pool.workers,
	}
	for iv, n := range s.intervals {
		st.PlannedRate += float64(n) / iv.Seconds()
	}
	startedAt := s.startedAt
	s.mu.Unlock()
	st.LatenessP50, st.LatenessP99, st.AchievedRate = s.window.summary(time.Now(), startedAt)
	return st
}

// The lateness window: slotCount slots of slotLength, each with a fixed
// log-scale histogram. Bucket 0 holds lateness up to latenessBase; bucket
// i up to latenessBase·2^(i/4), about 19% wider than the one before.
const (
	slotCount       = 6
	slotLength      = 10 * time.Second
	latenessBase    = 100 * time.Microsecond
	latenessBuckets = 100 // up to about 46 minutes
)

// latenessWindow keeps a histogram of recent lateness, in constant memory.
type latenessWindow struct {
	mu    sync.Mutex
	slots [slotCount]windowSlot
}

type windowSlot struct {
	index  int64 // the slot's start, in slotLength since the epoch
	runs   uint64
	counts [latenessBuckets]uint32
	worst  time.Duration
}

// slotLocked is the slot for now, or nil when now is a minute old.
func (w *latenessWindow) slotLocked(now time.Time) *windowSlot {
	idx := now.UnixNano() / int64(slotLength)
	sl := &w.slots[idx%slotCount]
	if sl.index > idx {
		return nil // a record from a minute ago, come too late
	}
	if sl.index != idx {
		*sl = windowSlot{index: idx}
	}
	return sl
}

// record adds one run started at now, late by late.
func (w *latenessWindow) record(now time.Time, late time.Duration) {
	b := latenessBucket(late)
	w.mu.Lock()
	defer w.mu.Unlock()
	sl := w.slotLocked(now)
	if sl == nil {
		return
	}
	sl.runs++
	sl.counts[b]++
	sl.worst = max(sl.worst, late)
}

// worst returns the worst lateness over the window ending at now.
func (w *latenessWindow) worst(now time.Time) time.Duration {
	cur := now.UnixNano() / int64(slotLength)
	var worst time.Duration
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range w.slots {
		if sl := &w.slots[i]; sl.index > cur-slotCount && sl.index <= cur {
			worst = max(worst, sl.worst)
		}
	}
	return worst
}

// summary returns the median and 99th percentile of lateness and the rate of
// runs over the window ending at now, not counting time before startedAt.
func (w *latenessWindow) summary(now, startedAt time.Time) (p50, p99 time.Duration, rate float64) {
	cur := now.UnixNano() / int64(slotLength)
	var total [latenessBuckets]uint64
	var runs uint64
	w.mu.Lock()
	for i := range w.slots {
		sl := &w.slots[i]
		if sl.index <= cur-slotCount || sl.index > cur {
			continue
		}
		runs += sl.runs
		for b, n := range sl.counts {
			total[b] += uint64(n)
		}
	}
	w.mu.Unlock()
	from := time.Unix(0, (cur-slotCount+1)*int64(slotLength))
	if startedAt.After(from) {
		from = startedAt
	}
	if span := now.Sub(from).Seconds(); span > 0 {
		rate = float64(runs) / span
	}
	return quantile(&total, runs, 0.50), quantile(&total, runs, 0.99), rate
}

// latenessBucket is the bucket holding late.
func latenessBucket(late time.Duration) int {
	if late <= latenessBase {
		return 0
	}
	b := int(math.Ceil(4 * math.Log2(float64(late)/float64(latenessBase))))
	return min(b, latenessBuckets-1)
}

// quantile is the upper bound of the bucket holding the q-quantile.
func quantile(counts *[latenessBuckets]uint64, n uint64, q float64) time.Duration {
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	var seen uint64
	for b, c := range counts {
		if seen += c; seen >= rank {
			return time.Duration(float64(latenessBase) * math.Exp2(float64(b)/4))
		}
	}
	return time.Duration(float64(latenessBase) * math.Exp2(float64(latenessBuckets-1)/4))
}
