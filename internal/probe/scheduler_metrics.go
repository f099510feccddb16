package probe

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the scheduler's Prometheus collectors.
type metrics struct {
	lateness prometheus.Histogram
	runs     *prometheus.CounterVec
	inFlight prometheus.Gauge
	skipped  prometheus.Counter
}

// newMetrics builds the collectors and registers them with reg when it is
// not nil. Collectors already registered by another scheduler are shared.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		lateness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "vigie_probe_lateness_seconds",
			Help:    "Delay between the planned and the actual start of a check run.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 17), // 1 ms to 65 s
		}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_probe_runs_total",
			Help: "Check runs, by check kind and result (ok, fail, or dropped when the check was removed while running).",
		}, []string{"kind", "result"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigie_probe_in_flight",
			Help: "Check runs in progress.",
		}),
		skipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigie_probe_skipped_total",
			Help: "Planned runs skipped because the check's previous run had not finished.",
		}),
	}
	if reg != nil {
		m.lateness = register(reg, m.lateness)
		m.runs = register(reg, m.runs)
		m.inFlight = register(reg, m.inFlight)
		m.skipped = register(reg, m.skipped)
	}
	return m
}

// register registers c with reg and returns it, or the equal collector
// registered before. Any other failure is a programming error: it panics.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	panic("probe: register metrics: " + err.Error())
}
