// Package health tells whether the server's background work is current:
// each component (incident engine, monitor, retention, …) reports its
// rounds, and /healthz, /readyz and /metrics show them, so that a
// Prometheus already in place can alert on Vigie itself.
package health

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Registry holds the components of one process and its metrics.
type Registry struct {
	ping    func(ctx context.Context) error
	now     func() time.Time
	mu      sync.Mutex
	comps   map[string]*Component
	leader  bool
	metrics *Metrics
}

// New returns a registry whose readiness also asks ping (the database);
// metrics go to reg when it is not nil.
func New(reg prometheus.Registerer, ping func(ctx context.Context) error) *Registry {
	return &Registry{ping: ping, now: time.Now, comps: map[string]*Component{}, metrics: newMetrics(reg)}
}

// Metrics returns the counters the intakes and components feed.
func (r *Registry) Metrics() *Metrics { return r.metrics }

// SetLeader records whether this process holds the leadership.
func (r *Registry) SetLeader(on bool) {
	r.mu.Lock()
	r.leader = on
	r.mu.Unlock()
	v := 0.0
	if on {
		v = 1
	}
	r.metrics.leader.Set(v)
}

// Component returns the component name, created on first use: it counts
// as stuck when active and without a successful round for stuckAfter.
func (r *Registry) Component(name string, stuckAfter time.Duration) *Component {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.comps[name]; ok {
		return c
	}
	c := &Component{name: name, stuckAfter: stuckAfter, now: r.now, metrics: r.metrics}
	r.metrics.lag.WithLabelValues(name).Set(0)
	r.metrics.errors.WithLabelValues(name).Add(0)
	r.comps[name] = c
	return c
}

// Component is one piece of background work.
type Component struct {
	name       string
	stuckAfter time.Duration
	now        func() time.Time
	metrics    *Metrics

	mu       sync.Mutex
	active   bool
	since    time.Time // when it became active
	lastOK   time.Time
	lag      time.Duration
	errs     uint64
	lastErr  string
	failedAt time.Time
	details  map[string]any
}

// Activate marks the component as run by this process from now on (the
// leader's work), or not (a standby replica).
func (c *Component) Activate(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if on && !c.active {
		c.since = c.now()
	}
	c.active = on
}

// OK records a successful round and how far behind the component is.
func (c *Component) OK(lag time.Duration) {
	c.mu.Lock()
	c.lastOK, c.lag = c.now(), max(lag, 0)
	c.mu.Unlock()
	c.metrics.lag.WithLabelValues(c.name).Set(max(lag, 0).Seconds())
}

// Fail records a failed round.
func (c *Component) Fail(err error) {
	c.mu.Lock()
	c.errs++
	c.lastErr, c.failedAt = err.Error(), c.now()
	c.mu.Unlock()
	c.metrics.errors.WithLabelValues(c.name).Inc()
}

// SetDetail adds a figure to what /readyz shows of the component; a
// detail named "stuck" set to true makes it stuck.
func (c *Component) SetDetail(key string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.details == nil {
		c.details = map[string]any{}
	}
	c.details[key] = v
}

// Status is what /readyz shows of one component.
type Status struct {
	State      string         `json:"state"` // running, standby, stuck
	LagSeconds float64        `json:"lag_seconds"`
	LastOK     *time.Time     `json:"last_ok,omitempty"`
	Errors     uint64         `json:"errors"`
	LastError  string         `json:"last_error,omitempty"`
	FailedAt   *time.Time     `json:"failed_at,omitempty"`
	Details    map[string]any `json:"details,omitempty"`
}

func (c *Component) status(now time.Time) Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := Status{State: "standby", LagSeconds: c.lag.Seconds(), Errors: c.errs, LastError: c.lastErr}
	if !c.lastOK.IsZero() {
		t := c.lastOK
		st.LastOK = &t
	}
	if !c.failedAt.IsZero() {
		t := c.failedAt
		st.FailedAt = &t
	}
	if len(c.details) > 0 {
		st.Details = make(map[string]any, len(c.details))
		for k, v := range c.details {
			st.Details[k] = v
		}
	}
	if !c.active {
		return st
	}
	st.State = "running"
	last := c.lastOK
	if last.IsZero() || last.Before(c.since) {
		last = c.since
	}
	if now.Sub(last) > c.stuckAfter || c.lag > c.stuckAfter || c.details["stuck"] == true {
		st.State = "stuck"
	}
	return st
}

// Report is the body of /readyz.
type Report struct {
	Ready      bool              `json:"ready"`
	Leader     bool              `json:"leader"`
	Database   DatabaseStatus    `json:"database"`
	Components map[string]Status `json:"components"`
	Problems   []string          `json:"problems,omitempty"`
}

// DatabaseStatus is whether the database answered, and how fast.
type DatabaseStatus struct {
	OK        bool    `json:"ok"`
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
}

// Ready asks the database and looks at every component.
func (r *Registry) Ready(ctx context.Context) Report {
	rep := Report{Ready: true, Components: map[string]Status{}}
	if r.ping != nil {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		start := time.Now()
		err := r.ping(pctx)
		cancel()
		rep.Database = DatabaseStatus{OK: err == nil, LatencyMS: float64(time.Since(start).Microseconds()) / 1000}
		if err != nil {
			rep.Database.Error = err.Error()
			rep.Ready = false
			rep.Problems = append(rep.Problems, "database unreachable")
		}
	}
	now := r.now()
	r.mu.Lock()
	rep.Leader = r.leader
	names := make([]string, 0, len(r.comps))
	for n := range r.comps {
		names = append(names, n)
	}
	comps := r.comps
	r.mu.Unlock()
	slices.Sort(names)
	for _, n := range names {
		st := comps[n].status(now)
		rep.Components[n] = st
		if st.State == "stuck" {
			rep.Ready = false
			rep.Problems = append(rep.Problems, n+" is stuck")
		}
	}
	return rep
}

// The backoff of a failing round: short enough that a database back is
// noticed soon. Variables so that tests can shorten or stretch it.
var minBackoff, maxBackoff = 200 * time.Millisecond, 5 * time.Second

// Loop runs round until ctx ends: again at once while it says there is
// more, else after every or on a wake-up. A failed round (or a panic in
// it) is reported, logged, and retried with a backoff from 200 ms to 5 s
// (a database back is noticed soon), so that a component never stops.
func Loop(ctx context.Context, c *Component, log *slog.Logger, every time.Duration, wake <-chan string,
	round func(ctx context.Context) (lag time.Duration, more bool, err error),
) {
	backoff := minBackoff
	failing := false
	for ctx.Err() == nil {
		lag, more, err := safeRound(ctx, round)
		wait := every
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			c.Fail(err)
			if !failing || backoff >= maxBackoff {
				log.Error(c.name+": round failed, retrying", "err", err, "retry_in", backoff)
			}
			failing = true
			wait, backoff = backoff, min(backoff*2, maxBackoff)
		default:
			if failing {
				log.Info(c.name + ": recovered")
			}
			failing, backoff = false, minBackoff
			c.OK(lag)
			if more {
				continue
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-wake:
			if err != nil {
				// A failing round waits out its backoff, unless it stops.
				select {
				case <-ctx.Done():
				case <-t.C:
				}
			}
		}
		t.Stop()
	}
}

func safeRound(ctx context.Context, round func(ctx context.Context) (time.Duration, bool, error)) (lag time.Duration, more bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = errors.New("panic: " + panicText(v))
		}
	}()
	return round(ctx)
}
