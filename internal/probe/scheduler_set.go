package probe

import (
	"reflect"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// Set replaces the scheduled checks at once, running or not. A check whose
// key and fields are unchanged keeps its schedule; a new one first runs at
// its phase in the interval under way; a changed one takes its new fields
// for its next run, and a new phase if its interval changed. A removed
// check stops: its run in flight is cancelled and its result dropped.
// Set never waits for Report, so a Report call for a removed check that
// had already begun may still be under way when Set returns; none starts
// after. When two checks share a key the last wins. The checks must not be
// modified afterwards.
func (s *Scheduler) Set(checks []*check.Check) {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	// Only Set writes the entries map and the entries' check and
	// generation, and setMu keeps Sets apart: reading them without mu is
	// safe, and lets the loop and the workers go on while checks are
	// compared, which is most of the work.
	s.generation++
	gen := s.generation
	var changes []*entry // new or changed, in order; new ones have no index yet
	for _, c := range checks {
		key := c.Key()
		e := s.entries[key]
		if e != nil && e.generation != gen && (e.check == c || reflect.DeepEqual(e.check, c)) {
			e.generation = gen
			continue
		}
		if e != nil {
			e.generation = gen
		}
		change := &entry{key: key, index: -1}
		configure(change, c)
		changes = append(changes, change)
	}
	var removed []*entry
	for _, e := range s.entries {
		if e.generation != gen {
			removed = append(removed, e)
		}
	}
	s.apply(changes, removed, gen)
}

// Update adds or changes the checks in upsert and removes the checks with
// the keys in remove, leaving every other check as it is: what Set does,
// for a change of a few checks among a million. Unknown keys to remove are
// ignored. The checks must not be modified afterwards.
func (s *Scheduler) Update(upsert []*check.Check, remove []string) {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	gen := s.generation
	var changes []*entry
	for _, c := range upsert {
		key := c.Key()
		if e := s.entries[key]; e != nil && (e.check == c || reflect.DeepEqual(e.check, c)) {
			continue
		}
		change := &entry{key: key, index: -1}
		configure(change, c)
		changes = append(changes, change)
	}
	var removed []*entry
	for _, key := range remove {
		if e := s.entries[key]; e != nil {
			removed = append(removed, e)
		}
	}
	s.apply(changes, removed, gen)
}

// runSoonMax is the most checks of a delta run at once rather than at
// their next slot: a few checks edited by staff, not a new default for a
// whole kind of assets.
const runSoonMax = 1000

// runSoon runs at once the checks a small delta added or changed, so that
// an edit is seen working (or not) within seconds, whatever the interval.
func runSoon(s *Scheduler, changed []*check.Check) {
	if len(changed) > runSoonMax {
		return
	}
	for _, c := range changed {
		s.Retry(c.Key(), 0)
	}
}

// apply takes the changes of Set or Update, if any, and wakes the loop.
func (s *Scheduler) apply(changes, removed []*entry, gen uint64) {
	if len(changes) == 0 && len(removed) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyLocked(changes, removed, gen, time.Now())
	s.poke()
}

// applyLocked schedules the new checks, updates the changed ones and
// removes the others.
func (s *Scheduler) applyLocked(changes, removed []*entry, gen uint64, now time.Time) {
	for _, ch := range changes {
		e := s.entries[ch.key]
		if e == nil {
			ch.generation = gen
			s.entries[ch.key] = ch
			s.scheduleLocked(ch, now)
			s.queue.push(ch)
			continue
		}
		e.check, e.kind, e.target = ch.check, ch.kind, ch.target
		s.rescheduleLocked(e, now)
	}
	for _, e := range removed {
		s.removeLocked(e)
	}
	s.updateLimitLocked()
}

// Retry asks for an early run of the check with key, after the given
// delay; the regular runs go on as planned. An earlier request still
// pending wins, and so does a regular run due before it. Unknown keys are
// ignored.
func (s *Scheduler) Retry(key string, after time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[key]
	if e == nil {
		return
	}
	at := time.Now().Add(max(after, 0))
	if !at.Before(e.next) || (!e.retry.IsZero() && !at.Before(e.retry)) {
		return
	}
	e.retry = at
	s.queue.fix(e)
	s.poke()
}

// SetMinInterval makes the check with key run at least every d, whatever
// its own interval, so that a parent asset's checks run as often as their
// dependents' (see EffectiveIntervals). It applies at once, to a check
// known or to come, and outlives Set calls; d <= 0 clears it.
func (s *Scheduler) SetMinInterval(key string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.minimums, key)
	} else {
		s.minimums[key] = d
	}
	if e := s.entries[key]; e != nil {
		s.rescheduleLocked(e, time.Now())
		s.updateLimitLocked()
		s.poke()
	}
}

// configure takes c's fields into e.
func configure(e *entry, c *check.Check) {
	e.check = c
	e.kind = string(c.Kind)
	e.target = targetOf(c)
	if e.target == "" {
		e.target = "check:" + e.key
	}
}

// intervalLocked is how often e's check runs.
func (s *Scheduler) intervalLocked(e *entry) time.Duration {
	iv := baseInterval(e.check)
	if m, ok := s.minimums[e.key]; ok && m < iv {
		iv = m
	}
	return iv
}

// scheduleLocked gives a new entry its interval, phase and first run.
func (s *Scheduler) scheduleLocked(e *entry, now time.Time) {
	e.interval = s.intervalLocked(e)
	e.offset = offsetOf(e.key, e.interval)
	e.next = nextSlot(now, e.interval, e.offset)
	s.countLocked(e)
}

// rescheduleLocked moves a scheduled entry to a new phase when its interval
// changed, and counts again what it needs, its timeout being perhaps new.
func (s *Scheduler) rescheduleLocked(e *entry, now time.Time) {
	s.uncountLocked(e)
	if s.intervalLocked(e) == e.interval {
		s.countLocked(e)
		return
	}
	s.scheduleLocked(e, now)
	if !e.retry.Before(e.next) {
		e.retry = time.Time{}
	}
	s.queue.fix(e)
}

// removeLocked unschedules e and cancels its run in flight.
func (s *Scheduler) removeLocked(e *entry) {
	s.queue.remove(e)
	delete(s.entries, e.key)
	s.uncountLocked(e)
	e.removed = true
	e.pending = false
	if e.cancel != nil {
		e.cancel()
	}
}

// fireLocked queues e's due run and moves e to its next one. Regular slots
// missed entirely (the loop did not run for a whole interval) are skipped.
func (s *Scheduler) fireLocked(e *entry, now time.Time) {
	var planned time.Time
	retry := !e.retry.IsZero() && e.retry.Before(e.next)
	if retry {
		planned, e.retry = e.retry, time.Time{}
	} else {
		planned = e.next
		e.next = e.next.Add(e.interval)
		if !e.next.After(now) {
			missed := now.Sub(e.next)/e.interval + 1
			e.next = e.next.Add(missed * e.interval)
			s.skipLocked(skipMissed, uint64(missed))
		}
	}
	s.queue.fix(e)
	s.enqueueLocked(e, planned, retry)
}

// enqueueLocked queues a run of e planned at planned, to a worker if its
// target has a free slot, else behind the target's other runs.
func (s *Scheduler) enqueueLocked(e *entry, planned time.Time, retry bool) {
	switch e.state {
	case idle:
	case running:
		if !e.pending {
			e.pending, e.pendingPlanned, e.pendingRetry = true, planned, retry
			return
		}
		s.skipLocked(skipBusy, 1)
		return
	case ready:
		s.skipLocked(skipNoWorker, 1)
		return
	case waiting:
		s.skipLocked(skipTargetBusy, 1)
		return
	}
	e.planned, e.isRetry = planned, retry
	s.counts.queued++
	t := s.targets[e.target]
	if t == nil {
		t = &target{name: e.target}
		s.targets[e.target] = t
	}
	if t.active >= s.perTarget {
		e.state = waiting
		t.waiting = append(t.waiting, e)
		return
	}
	t.active++
	e.slot = t
	s.readyLocked(e)
}

// releaseLocked frees the target slot e held and gives it to the next run
// waiting for that target.
func (s *Scheduler) releaseLocked(e *entry) {
	t := e.slot
	e.slot, e.state = nil, idle
	if t == nil {
		return
	}
	t.active--
	for len(t.waiting) > 0 && t.active < s.perTarget {
		w := t.waiting[0]
		t.waiting[0] = nil
		t.waiting = t.waiting[1:]
		if w.removed || s.stopping {
			w.state, w.pending = idle, false
			s.counts.queued--
			continue
		}
		t.active++
		w.slot = t
		s.readyLocked(w)
	}
	if t.active == 0 && len(t.waiting) == 0 {
		delete(s.targets, t.name)
	}
}

// skipLocked counts n planned runs skipped for reason.
func (s *Scheduler) skipLocked(reason skipReason, n uint64) {
	s.counts.skipped[reason] += n
	s.metrics.skipped[reason].Add(float64(n))
}
