package health

import (
	"fmt"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the counters of the signal path, exported on /metrics.
type Metrics struct {
	lag             *prometheus.GaugeVec
	errors          *prometheus.CounterVec
	leader          prometheus.Gauge
	signalsAppended *prometheus.CounterVec
	signalsConsumed *prometheus.CounterVec
	intake          *prometheus.CounterVec
	openIncidents   *prometheus.GaugeVec
	dbLatency       *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "vigie_component_lag_seconds",
			Help: "How far behind each background component is (age of the oldest work not done)."}, []string{"component"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigie_component_errors_total",
			Help: "Failed rounds of each background component."}, []string{"component"}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{Name: "vigie_leader",
			Help: "1 when this process holds the leadership and runs the singleton work."}),
		signalsAppended: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigie_signals_appended_total",
			Help: "Signals appended to the signal log by this process, by producer."}, []string{"source"}),
		signalsConsumed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigie_signals_consumed_total",
			Help: "Signals the incident engine took from the log, by producer."}, []string{"source"}),
		intake: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigie_intake_requests_total",
			Help: "Requests to the intakes (alertmanager, probe results, heartbeats, facts), by outcome."}, []string{"intake", "outcome"}),
		openIncidents: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "vigie_incidents_open",
			Help: "Open incidents, by severity."}, []string{"severity"}),
		dbLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "vigie_db_query_duration_seconds",
			Help:    "Duration of database queries, statements and transactions.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}}, []string{"op", "outcome"}),
	}
	if reg != nil {
		reg.MustRegister(m.lag, m.errors, m.leader, m.signalsAppended, m.signalsConsumed, m.intake, m.openIncidents, m.dbLatency)
	}
	return m
}

// Appended counts signals appended by source.
func (m *Metrics) Appended(source string, n int) {
	if n > 0 {
		m.signalsAppended.WithLabelValues(source).Add(float64(n))
	}
}

// Consumed counts signals consumed by source.
func (m *Metrics) Consumed(source string, n int) {
	if n > 0 {
		m.signalsConsumed.WithLabelValues(source).Add(float64(n))
	}
}

// Intake counts one request to an intake: ok, rejected (the sender's
// fault), unavailable (try again) or error.
func (m *Metrics) Intake(intake, outcome string) {
	m.intake.WithLabelValues(intake, outcome).Inc()
}

// OpenIncidents sets the number of open incidents of each severity; the
// severities missing from counts are set to 0.
func (m *Metrics) OpenIncidents(counts map[string]int, severities []string) {
	for _, s := range severities {
		m.openIncidents.WithLabelValues(s).Set(float64(counts[s]))
	}
}

// Query observes one database operation.
func (m *Metrics) Query(op string, d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.dbLatency.WithLabelValues(op, outcome).Observe(d.Seconds())
}

func panicText(v any) string {
	return fmt.Sprintf("%v\n%s", v, debug.Stack())
}
