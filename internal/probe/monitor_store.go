package probe

import (
	"context"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

// retainEvery is how often old rollups and signals are deleted.
const retainEvery = time.Hour

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
		c, ok := m.checks[r.Check]
		if !ok {
			continue
		}
		m.det.Restore(r.Check, c.Asset, r.State, r.Since)
	}
	return nil
}

// persist stores signals and the states they move to. Failures are logged:
// the detector keeps its state in memory and the next change is stored.
func (m *Monitor) persist(ctx context.Context, signals []detect.Signal) {
	if m.opts.Store == nil {
		return
	}
	var states []detect.StateRow
	for _, s := range signals {
		switch s.Kind {
		case detect.CheckDown, detect.CheckUp:
			states = append(states, detect.StateRow{Check: s.Check, State: s.To, Since: s.At, Reason: s.Reason, Message: s.Message})
		case detect.LocationProblem, detect.LocationRecovered:
			states = append(states, detect.StateRow{Check: s.Check, Location: s.Location, State: s.To, Since: s.At,
				Reason: s.Reason, Message: s.Message})
		}
	}
	if err := m.opts.Store.SaveSignals(ctx, signals); err != nil && ctx.Err() == nil {
		m.opts.Logger.Error("monitor: save signals", "err", err, "signals", len(signals))
	}
	if len(states) > 0 {
		if err := m.opts.Store.SaveStates(ctx, states); err != nil && ctx.Err() == nil {
			m.opts.Logger.Error("monitor: save states", "err", err)
		}
	}
}

// persistBuckets stores the closed minute rollups, and now and then
// deletes what is past retention.
func (m *Monitor) persistBuckets(ctx context.Context, buckets []detect.Bucket, now time.Time) {
	if m.opts.Store == nil {
		return
	}
	if len(buckets) > 0 {
		if err := m.opts.Store.SaveBuckets(ctx, buckets); err != nil && ctx.Err() == nil {
			m.opts.Logger.Error("monitor: save rollups", "err", err, "buckets", len(buckets))
		}
	}
	if now.Sub(m.retained) >= retainEvery {
		m.retained = now
		if r, err := m.opts.Store.Retain(ctx, now); err != nil && ctx.Err() == nil {
			m.opts.Logger.Error("monitor: retention", "err", err)
		} else {
			m.opts.Logger.Debug("monitor: retention", "removed", r)
		}
	}
}
