package probe

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigie/vigie/internal/check"
)

func TestLatenessWindowQuantiles(t *testing.T) {
	var w latenessWindow
	now := time.Now()
	for i := range 1000 {
		late := 2 * time.Millisecond
		if i%100 == 0 {
			late = 3 * time.Second // the slowest 1%
		}
		w.record(now, late)
	}
	w.record(now.Add(-2*time.Minute), time.Hour) // outside the window
	p50, p99, rate := w.summary(now, now.Add(-10*time.Second))
	within := func(got, want time.Duration) bool { return got >= want && got <= want*6/5 }
	if !within(p50, 2*time.Millisecond) || !within(p99, 2*time.Millisecond) {
		t.Errorf("p50 %v, p99 %v; want about 2ms, 2ms", p50, p99)
	}
	if rate < 99 || rate > 101 {
		t.Errorf("rate %v, want 100 runs/s", rate)
	}
	for range 20 {
		w.record(now, 3*time.Second)
	}
	if _, p99, _ := w.summary(now, time.Time{}); !within(p99, 3*time.Second) {
		t.Errorf("p99 %v, want about 3s", p99)
	}
}

func TestLatenessGrowsWhenWorkersAreSaturated(t *testing.T) {
	synctest.Test(t, testLatenessGrowsWhenWorkersAreSaturated)
}

// testLatenessGrowsWhenWorkersAreSaturated runs in a synctest bubble, on a
// fake clock.
func testLatenessGrowsWhenWorkersAreSaturated(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newConcurrencyMeter()
	s := NewScheduler(SchedulerOptions{Run: m.run(20 * time.Millisecond), Concurrency: 2, Registerer: reg})
	// 400 runs/s planned, 100 runs/s of capacity.
	s.Set(manyChecks(40, 40, 100*time.Millisecond))
	startScheduler(t, s)
	advance(800 * time.Millisecond)

	st := s.Stats()
	if st.LatenessP99 < 100*time.Millisecond || st.LatenessP99 < st.LatenessP50 {
		t.Errorf("p50 %v, p99 %v; want a p99 past 100ms", st.LatenessP50, st.LatenessP99)
	}
	if st.PlannedRate != 400 || st.AchievedRate > 200 || st.AchievedRate < 10 {
		t.Errorf("planned %v runs/s, achieved %v; want 400 and at most the 100 workers can do", st.PlannedRate, st.AchievedRate)
	}
	if st.Queued == 0 || st.InFlight != 2 {
		t.Errorf("%d queued, %d in flight; want a queue behind 2", st.Queued, st.InFlight)
	}
	s.Stop()

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			switch {
			case m.GetHistogram() != nil:
				got[f.GetName()] = float64(m.GetHistogram().GetSampleCount())
			case m.GetCounter() != nil:
				got[f.GetName()] += m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				got[f.GetName()] = m.GetGauge().GetValue()
			}
		}
	}
	if got["vigie_probe_lateness_seconds"] < float64(st.Runs) {
		t.Errorf("lateness observed %v times, want at least %d", got["vigie_probe_lateness_seconds"], st.Runs)
	}
	if got["vigie_probe_runs_total"] != got["vigie_probe_lateness_seconds"] {
		t.Errorf("runs_total %v, lateness count %v; want equal after Stop", got["vigie_probe_runs_total"], got["vigie_probe_lateness_seconds"])
	}
	if v, ok := got["vigie_probe_in_flight"]; !ok || v != 0 {
		t.Errorf("in_flight %v (exported %v), want 0 after Stop", v, ok)
	}
	if got["vigie_probe_skipped_total"] == 0 {
		t.Errorf("no skipped slot counted under saturation")
	}
}

func TestSchedulersShareRegisteredMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	run := func(context.Context, *check.Check) check.Result { return check.Result{OK: true} }
	a := NewScheduler(SchedulerOptions{Run: run, Registerer: reg})
	b := NewScheduler(SchedulerOptions{Run: run, Registerer: reg})
	if a.metrics.runs != b.metrics.runs {
		t.Error("a second scheduler on one registry got its own collectors")
	}
}
