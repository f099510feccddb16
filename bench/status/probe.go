package main

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigie/vigie/bench/internal/stats"
)

// Metrics of the built-in probe read by the run.
const (
	metricLateness = "vigie_probe_lateness_seconds"
	metricLate     = "vigie_probe_late_total"
	metricRuns     = "vigie_probe_runs_total"
	metricSkipped  = "vigie_probe_skipped_total"
)

// probeReading is the probe's metrics at one moment; the difference of
// two readings is what happened between them.
type probeReading struct {
	lateness stats.Histogram
	// late counts runs started more than their interval late.
	late, runs, failed, skipped float64
}

// readProbe reads the probe's metrics from the server's registry, in
// process: no request to /metrics disturbs the windows.
func readProbe(g prometheus.Gatherer) (probeReading, error) {
	families, err := g.Gather()
	if err != nil {
		return probeReading{}, err
	}
	var r probeReading
	found := false
	for _, f := range families {
		switch f.GetName() {
		case metricLateness:
			if len(f.Metric) != 1 || f.Metric[0].Histogram == nil {
				return r, fmt.Errorf("%s: want one histogram", metricLateness)
			}
			r.lateness, found = stats.FromProto(f.Metric[0].Histogram), true
		case metricLate:
			r.late = sum(f, nil)
		case metricRuns:
			r.runs = sum(f, nil)
			r.failed = sum(f, func(m *dto.Metric) bool { return label(m, "result") == "fail" })
		case metricSkipped:
			r.skipped = sum(f, nil)
		}
	}
	if !found {
		return r, fmt.Errorf("no %s: is the probe running?", metricLateness)
	}
	return r, nil
}

// since returns what happened between old and r.
func (r probeReading) since(old probeReading) probeReading {
	return probeReading{lateness: r.lateness.Since(old.lateness), late: r.late - old.late, runs: r.runs - old.runs,
		failed: r.failed - old.failed, skipped: r.skipped - old.skipped}
}

// sum adds up the counters of a family that keep passes (all when nil).
func sum(f *dto.MetricFamily, keep func(*dto.Metric) bool) float64 {
	total := 0.0
	for _, m := range f.Metric {
		if keep == nil || keep(m) {
			total += m.GetCounter().GetValue()
		}
	}
	return total
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
