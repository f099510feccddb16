package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/health"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
)

// Names of the leader's components, as /readyz and /metrics show them.
const (
	componentIncidents = "incidents"
	componentMonitor   = "monitor"
	componentRetention = "retention"
)

// engineBatch is how many signals the incident engine takes per round.
const engineBatch = 1000

// lead runs the singleton work while this process leads, until ctx ends:
// the incident engine over the signal log, the monitor (the built-in
// probe, heartbeats and remote results) and retention.
func (a *App) lead(ctx context.Context) {
	comps := []*health.Component{
		a.Health.Component(componentIncidents, 3*a.cfg.SweepEvery+30*time.Second),
		a.Health.Component(componentMonitor, 3*a.cfg.SweepEvery+30*time.Second),
		a.Health.Component(componentRetention, 3*time.Hour),
		a.Health.Component(componentNotify, 3*a.cfg.SweepEvery+30*time.Second),
		a.Health.Component(componentSupport, 3*a.cfg.SweepEvery+30*time.Second),
	}
	for _, c := range comps {
		c.Activate(true)
		defer c.Activate(false)
	}
	var wg sync.WaitGroup
	wg.Go(func() { a.runIncidents(ctx, comps[0]) })
	wg.Go(func() { a.runMonitor(ctx, comps[1]) })
	wg.Go(func() { a.runRetention(ctx, comps[2]) })
	wg.Go(func() { a.runNotify(ctx, comps[3]) })
	wg.Go(func() { a.runSupport(ctx, comps[4]) })
	wg.Wait()
}

// runIncidents consumes the signal log and correlates, woken by new
// signals and at least every sweep.
func (a *App) runIncidents(ctx context.Context, c *health.Component) {
	wake, unsubscribe := a.DB.Subscribe(store.TopicSignals)
	defer unsubscribe()
	e := incident.NewEngine(a.Incidents, a.Inventory, incident.EngineOptions{Settle: a.cfg.Settle, Quiet: a.cfg.Quiet,
		MutesFrom: func(ctx context.Context) (incident.Mutes, error) {
			return a.Maintenance.Mutes(ctx, a.Inventory.Graph())
		},
		Windows: func(ctx context.Context) (time.Duration, time.Duration) {
			v := a.Settings.Current(ctx)
			return v.Settle, v.Quiet
		},
		Recheck: func(assets []string) {
			if err := a.DB.Notify(context.Background(), store.TopicRecheck, strings.Join(assets, " ")); err != nil {
				a.Log.Warn("incident engine: ask for rechecks", "err", err)
			}
		}})
	restored := false
	var behindSince time.Time
	metrics := a.Health.Metrics()
	health.Loop(ctx, c, a.Log, a.cfg.SweepEvery, wake, func(ctx context.Context) (time.Duration, bool, error) {
		if !restored {
			if err := e.Restore(ctx); err != nil {
				return 0, false, err
			}
			restored = true
		}
		got, err := e.Consume(ctx, engineBatch)
		if err != nil {
			return 0, false, err
		}
		for src, n := range got.BySource {
			metrics.Consumed(string(src), n)
		}
		if got.Signals == engineBatch {
			if behindSince.IsZero() {
				behindSince = time.Now()
			}
			return time.Since(behindSince), true, nil
		}
		behindSince = time.Time{}
		if err := e.Tick(ctx); err != nil {
			return 0, false, fmt.Errorf("incident engine: %w", err)
		}
		open, err := a.Incidents.OpenBySeverity(ctx)
		if err != nil {
			return 0, false, err
		}
		metrics.OpenIncidents(open, incident.Severities())
		return 0, false, nil
	})
}

// runMonitor runs the monitor: the built-in probe when asked for, and in
// any case the judgment of heartbeats and of remote locations' results.
func (a *App) runMonitor(ctx context.Context, c *health.Component) {
	opts := a.cfg.CheckOptions
	executors := map[check.Kind]check.Executor{check.Heartbeat: heartbeat.Executor(a.Heartbeats, time.Now)}
	for k, x := range opts.Executors {
		executors[k] = x
	}
	opts.Executors = executors
	results, stopResults := a.DB.Subscribe(store.TopicResults)
	defer stopResults()
	beats, stopBeats := a.DB.Subscribe(store.TopicHeartbeat)
	defer stopBeats()
	rechecks, stopRechecks := a.DB.Subscribe(store.TopicRecheck)
	defer stopRechecks()
	m := probe.NewMonitor(a.Inventory, probe.MonitorOptions{
		Location:   a.cfg.Location,
		NoLocal:    !a.cfg.Probe,
		Engine:     check.NewEngine(opts),
		Heartbeats: a.Heartbeats,
		Store:      a.Detection,
		Results:    a.Results,
		Mutes: func(ctx context.Context) (probe.Muter, error) {
			return a.Maintenance.Mutes(ctx, a.Inventory.Graph())
		},
		Locations:     a.Locations,
		Registerer:    a.Metrics,
		Logger:        a.Log,
		Sweep:         a.cfg.SweepEvery,
		ResultsWake:   results,
		HeartbeatWake: beats,
		RecheckWake:   rechecks,
		Health:        c,
	})
	if err := m.Run(ctx); err != nil {
		a.Log.Error("monitor stopped", "err", err)
	}
}

// runRetention deletes what is past its horizon, every RetainEvery. The
// first round waits one period too (at most a minute): a new leader has
// its engine and probe to start first, and nothing expires in a minute.
func (a *App) runRetention(ctx context.Context, c *health.Component) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(min(a.cfg.RetainEvery, time.Minute)):
	}
	health.Loop(ctx, c, a.Log, a.cfg.RetainEvery, nil, func(ctx context.Context) (time.Duration, bool, error) {
		return 0, false, a.retain(ctx, time.Now())
	})
}

// retain deletes, in each store, what is past its horizon (README,
// "Backups and retention"); one store failing does not keep the others
// from their turn.
func (a *App) retain(ctx context.Context, now time.Time) error {
	var errs []error
	r, err := a.Detection.Retain(ctx, now)
	errs = append(errs, err)
	dedup, err := a.AlertDedup.Retain(ctx, now.Add(-incident.DedupRetention))
	errs = append(errs, err)
	locations, err := a.Locations.Retain(ctx, now)
	errs = append(errs, err)
	tokens, err := a.Auth.Retain(ctx)
	errs = append(errs, err)
	cancelled, err := a.Maintenance.Retain(ctx, now.Add(-incident.CancelledRetention))
	errs = append(errs, err)
	signIns, err := a.retainSignIns(ctx, now)
	errs = append(errs, err)
	var beats int64
	if set, err := a.Inventory.Effective(ctx); err != nil {
		errs = append(errs, err)
	} else {
		beats, err = a.Heartbeats.Retain(ctx, func(key string) bool { return set.Get(key) != nil }, now)
		errs = append(errs, err)
	}
	runs, err := a.Heartbeats.RetainRuns(ctx, now)
	errs = append(errs, err)
	a.Log.Info("retention", "signals", r.Signals, "minute_rows", r.Minutes, "hour_rows", r.Hours, "day_rows", r.Days,
		"alert_dedup", dedup, "location_tokens", locations, "api_tokens", tokens, "heartbeat_tokens", beats, "heartbeat_runs", runs,
		"cancelled_maintenance", cancelled, "sign_in_rows", signIns)
	return errors.Join(errs...)
}

// AuditRetention is how long the audit log keeps its entries.
const AuditRetention = 400 * 24 * time.Hour

// retainSignIns deletes the ended sessions, the forgotten sign-in
// failures, the spent or expired one-time links and the audit entries
// past AuditRetention; it returns how many rows went.
func (a *App) retainSignIns(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	var errs []error
	for _, f := range []func() (int64, error){
		func() (int64, error) { return a.Sessions.Retain(ctx, now) },
		func() (int64, error) { return a.Throttle.Retain(ctx, now) },
		func() (int64, error) { return a.Auth.RetainContactLinks(ctx, now) },
		func() (int64, error) { return a.Audit.Retain(ctx, now.Add(-AuditRetention)) },
	} {
		n, err := f()
		total += n
		errs = append(errs, err)
	}
	return total, errors.Join(errs...)
}
