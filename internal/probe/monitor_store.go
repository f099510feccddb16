package probe

import (
	"context"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/health"
)

// restore gives the detector the states stored before a restart, so that
// a check already down does not signal again.
func (m *Monitor) restore(ctx context.Context) error {
	if m.opts.Store == nil {
		return nil
	}
	rows, err := m.opts.Store.States(ctx)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.Location != "" {
			continue
		}
		c, ok := m.checks.get(r.Check)
		if !ok {
			continue
		}
		m.det.Restore(r.Check, c.Asset, r.State, r.Since)
	}
	return nil
}

// pendingWrites is the signals and states the database has not taken
// yet (rollups wait in the rollupWriter), oldest first, each list bounded: past the bound the oldest
// entries are dropped and counted, so that a long outage costs history,
// never the process.
type pendingWrites struct {
	signals []detect.Signal
	states  []detect.StateRow
	dropped int
	since   time.Time // when the database first refused, zero while it takes everything
}

func (p *pendingWrites) addSignals(signals []detect.Signal, limit int) {
	for _, s := range signals {
		switch s.Kind {
		case detect.CheckDown, detect.CheckUp:
			p.states = append(p.states, detect.StateRow{Check: s.Check, State: s.To, Since: s.At, Reason: s.Reason, Message: s.Message})
		case detect.LocationProblem, detect.LocationRecovered:
			p.states = append(p.states, detect.StateRow{Check: s.Check, Location: s.Location, State: s.To, Since: s.At,
				Reason: s.Reason, Message: s.Message})
		}
	}
	p.signals = append(p.signals, signals...)
	p.signals = bound(p.signals, limit, &p.dropped)
	p.states = bound(p.states, limit, &p.dropped)
}

// bound keeps the newest limit entries of list, oldest first, and adds
// the others to *dropped.
func bound[T any](list []T, limit int, dropped *int) []T {
	if over := len(list) - limit; over > 0 {
		*dropped += over
		return append(list[:0:0], list[over:]...)
	}
	return list
}

func (p *pendingWrites) empty() bool {
	return len(p.signals) == 0 && len(p.states) == 0
}

// writeTimeout bounds one write of the monitor, so that a database that
// hangs delays its work rather than freezing it.
const writeTimeout = 10 * time.Second

// flush writes what is pending: signals first (the log others consume),
// then the states they move to. What fails stays for the next call.
func (m *Monitor) flush(ctx context.Context) error {
	if m.opts.Store == nil {
		m.pending = pendingWrites{}
		return nil
	}
	if m.pending.empty() {
		return nil
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	err := m.opts.Store.Append(ctx, m.pending.signals)
	if err == nil {
		m.pending.signals = nil
		err = m.opts.Store.SaveStates(ctx, m.pending.states)
	}
	if err == nil {
		m.pending.states = nil
		if !m.pending.since.IsZero() {
			m.opts.Logger.Info("monitor: database back, pending writes done", "after", time.Since(m.pending.since).Round(time.Second),
				"dropped", m.pending.dropped)
		}
		m.pending.since, m.pending.dropped = time.Time{}, 0
		return nil
	}
	if m.pending.since.IsZero() && parent.Err() == nil {
		m.pending.since = time.Now()
		m.opts.Logger.Warn("monitor: the database cannot take what was measured; kept in memory until it can", "err", err,
			"signals", len(m.pending.signals), "states", len(m.pending.states))
	}
	return err
}

// lag is how far behind the monitor is: since when the database refuses
// its writes, or the age of the oldest remote result not taken.
func (m *Monitor) lag(now time.Time) time.Duration {
	var lag time.Duration
	if !m.pending.since.IsZero() {
		lag = time.Since(m.pending.since)
	}
	if m.rollups != nil {
		if _, since, _ := m.rollups.state(); !since.IsZero() {
			lag = max(lag, time.Since(since))
		}
	}
	if !m.oldestQueued.IsZero() {
		lag = max(lag, now.Sub(m.oldestQueued))
	}
	return lag
}

// report shows the monitor's figures in /readyz.
func (m *Monitor) report(c *health.Component) {
	c.SetDetail("checks", m.checks.len())
	pending := len(m.pending.signals) + len(m.pending.states)
	if m.rollups != nil {
		buckets, _, _ := m.rollups.state()
		pending += buckets
	}
	c.SetDetail("pending_writes", pending)
	c.SetDetail("remote_results_taken", m.taken.Load())
	st := m.sched.Stats()
	c.SetDetail("runs", st.Runs)
	b := m.sched.Behind()
	c.SetDetail("capacity", b.Capacity)
	c.SetDetail("in_flight", b.InFlight)
	// Checks that could not run on time over the last minute, by reason,
	// and the worst lateness of a run that did.
	c.SetDetail("behind_last_minute", map[string]any{
		"skipped": b.LastMinute.Skipped, "busy": b.LastMinute.Busy, "no_worker": b.LastMinute.NoWorker,
		"target_busy": b.LastMinute.TargetBusy, "missed": b.LastMinute.Missed, "late": b.LastMinute.Late,
		"worst_lateness_seconds": b.WorstLateness.Seconds(),
	})
	c.SetDetail("skipped_total", b.Total.Skipped)
}

// runsLocally reports whether this process runs the check: heartbeats are
// judged wherever the monitor is; other checks only when it probes.
func (m *Monitor) runsLocally(c *check.Check) bool {
	if c.Kind == check.Heartbeat {
		return true
	}
	return !m.opts.NoLocal && runsHere(c, m.opts.Location)
}
