package probe

import (
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
func (s *Scheduler) Set(checks []*check.Check) { s.set(checks, nil) }

// set is Set with the checks' keys when keys is not nil (keys[i] is
// checks[i].Key()): the scheduler then holds the caller's strings rather
// than a copy of its own.
func (s *Scheduler) set(checks []*check.Check, keys []string) {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	// Only Set and Update write the index of entries and the entries'
	// check and generation, and setMu keeps them apart: reading them
	// without mu is safe, and lets the loop and the workers go on while
	// checks are compared, which is most of the work.
	//
	// Every entry left after a Set has its generation: a generation of 8
	// bits tells the entries listed by this Set from the others, all of
	// the previous one.
	s.generation++
	gen := s.generation
	var changes []*entry // new or changed, in order; new ones have no index yet
	for i, c := range checks {
		key := keyAt(checks, keys, i)
		e := s.entries.get(key)
		if e != nil && e.generation != gen && e.check.Equal(c) {
			e.generation = gen
			continue
		}
		if e != nil {
			e.generation = gen
		}
		changes = append(changes, newEntry(key, c))
	}
	var removed []*entry
	for e := range s.entries.all() {
		if e.generation != gen {
			removed = append(removed, e)
		}
	}
	s.apply(changes, removed, gen)
}

// keyAt is the key of checks[i]: keys[i], or made when keys is nil.
func keyAt(checks []*check.Check, keys []string, i int) string {
	if keys != nil {
		return keys[i]
	}
	return checks[i].Key()
}

// Update adds or changes the checks in upsert and removes the checks with
// the keys in remove, leaving every other check as it is: what Set does,
// for a change of a few checks among a million. Unknown keys to remove are
// ignored. The checks must not be modified afterwards.
func (s *Scheduler) Update(upsert []*check.Check, remove []string) { s.update(upsert, nil, remove) }

// update is Update with the keys of upsert when keys is not nil, as in set.
func (s *Scheduler) update(upsert []*check.Check, keys, remove []string) {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	gen := s.generation
	var changes []*entry
	for i, c := range upsert {
		key := keyAt(upsert, keys, i)
		if e := s.entries.get(key); e != nil && e.check.Equal(c) {
			continue
		}
		changes = append(changes, newEntry(key, c))
	}
	var removed []*entry
	for _, key := range remove {
		if e := s.entries.get(key); e != nil {
			removed = append(removed, e)
		}
	}
	s.apply(changes, removed, gen)
}

// key returns the key the scheduler holds for a check with key, which may
// be another string of the same bytes, or key itself when it has none.
// Only the goroutine that calls Set and Update may call it.
func (s *Scheduler) key(key string) string {
	if e := s.entries.get(key); e != nil {
		return e.key
	}
	return key
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
func (s *Scheduler) apply(changes, removed []*entry, gen uint8) {
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
func (s *Scheduler) applyLocked(changes, removed []*entry, gen uint8, now time.Time) {
	for _, ch := range changes {
		e := s.entries.get(ch.key)
		if e == nil {
			ch.generation = gen
			s.entries.put(ch)
			s.scheduleLocked(ch, now)
			s.queue.push(ch)
			continue
		}
		e.check, e.target = ch.check, ch.target
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
	e := s.entries.get(key)
	if e == nil {
		return
	}
	// Compared as delays from now, so that no delay overflows.
	now, after := s.since(time.Now()), max(after, 0)
	if after >= e.next-now || after >= e.retry-now {
		return
	}
	e.retry = now + after
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
	if e := s.entries.get(key); e != nil {
		s.rescheduleLocked(e, time.Now())
		s.updateLimitLocked()
		s.poke()
	}
}

// newEntry is a new or changed entry for check c with key, not yet
// scheduled.
func newEntry(key string, c *check.Check) *entry {
	e := &entry{key: key, check: c, target: targetOf(c), retry: noRetry, index: -1}
	if e.target == "" {
		e.target = "check:" + key
	}
	return e
}

// since is t as the scheduler keeps times: a duration since its epoch.
func (s *Scheduler) since(t time.Time) time.Duration { return t.Sub(s.epoch) }

// at is the time of d since the scheduler's epoch.
func (s *Scheduler) at(d time.Duration) time.Time { return s.epoch.Add(d) }

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
	e.next = s.since(nextSlot(now, e.interval, offsetOf(e.key, e.interval)))
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
	if e.retry >= e.next {
		e.retry = noRetry
	}
	s.queue.fix(e)
}

// removeLocked unschedules e and cancels its run in flight.
func (s *Scheduler) removeLocked(e *entry) {
	s.queue.remove(e)
	s.entries.delete(e)
	s.uncountLocked(e)
	e.removed = true
	e.pending = false
	if e.cancel != nil {
		e.cancel()
	}
}

// fireLocked queues e's due run and moves e to its next one. Regular slots
// missed entirely (the loop did not run for a whole interval) are skipped.
func (s *Scheduler) fireLocked(e *entry, now time.Duration) {
	var planned time.Duration
	retry := e.retry < e.next
	if retry {
		planned, e.retry = e.retry, noRetry
	} else {
		planned = e.next
		e.next += e.interval
		if e.next <= now {
			missed := (now-e.next)/e.interval + 1
			e.next += missed * e.interval
			s.skipLocked(skipMissed, uint64(missed))
		}
	}
	s.queue.fix(e)
	s.enqueueLocked(e, planned, retry)
}

// enqueueLocked queues a run of e planned at planned, to a worker if its
// target has a free slot, else behind the target's other runs.
func (s *Scheduler) enqueueLocked(e *entry, planned time.Duration, retry bool) {
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
