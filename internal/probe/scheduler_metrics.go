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
	skipped  [skipReasons]prometheus.Counter
	late     prometheus.Counter
	capacity prometheus.Gauge
	workers  prometheus.Gauge
}

// newMetrics builds the collectors and registers them with reg when it is
// not nil. Collectors already registered by another scheduler are shared;
// the gauges then add up the schedulers'.
func newMetrics(reg prometheus.Registerer) *metrics {
	lateness := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "vigie_probe_lateness_seconds",
		Help:    "Delay between the planned and the actual start of a check run.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 17), // 1 ms to 65 s
	})
	runs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigie_probe_runs_total",
		Help: "Check runs, by check kind and result (ok, fail, or dropped when the check was removed while running).",
	}, []string{"kind", "result"})
	inFlight := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "vigie_probe_in_flight",
		Help: "Check runs in progress.",
	})
	skipped := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigie_probe_skipped_total",
		Help: "Planned runs skipped, by where the check's previous run stood: busy (still running), no_worker (waiting for a worker, the cap reached), target_busy (waiting for a slot of its target), missed (the scheduler let whole intervals pass).",
	}, []string{"reason"})
	late := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "vigie_probe_late_total",
		Help: "Check runs started more than their check's interval after their planned time.",
	})
	capacity := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "vigie_probe_capacity",
		Help: "The cap on check runs in flight, from what the checks need.",
	})
	workers := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "vigie_probe_workers",
		Help: "Worker goroutines of the scheduler, busy or idle.",
	})
	if reg != nil {
		lateness = register(reg, lateness)
		runs = register(reg, runs)
		inFlight = register(reg, inFlight)
		skipped = register(reg, skipped)
		late = register(reg, late)
		capacity = register(reg, capacity)
		workers = register(reg, workers)
	}
	m := &metrics{lateness: lateness, runs: runs, inFlight: inFlight, late: late, capacity: capacity, workers: workers}
	for r := range skipReasons {
		m.skipped[r] = skipped.WithLabelValues(skipReasonNames[r])
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
