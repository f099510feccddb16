package probe

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// logRecorder is a slog.Handler that keeps every record.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecorder) WithGroup(string) slog.Handler            { return h }

func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}

func (h *logRecorder) snapshot() []slog.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]slog.Record(nil), h.records...)
}

// attr returns the value of a record's attribute.
func attr(r slog.Record, key string) slog.Value {
	var v slog.Value
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value
			return false
		}
		return true
	})
	return v
}

// counterValue is the value of a counter gathered from reg, of the child
// whose only label has the value label.
func counterValue(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == label {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no %s{%s}", name, label)
	return 0
}

func TestRunsBehindAreCountedAndLoggedOncePerInterval(t *testing.T) {
	const every = 100 * time.Millisecond // stands for the minute
	logs := &logRecorder{}
	reg := prometheus.NewRegistry()
	s := NewScheduler(SchedulerOptions{Run: hangRun, Logger: slog.New(logs), Registerer: reg})
	s.logEvery = every
	// Runs hang for 5 intervals: the first slot after each start is
	// deferred, the next three are skipped.
	s.Set(withTimeout(manyChecks(20, 20, 20*time.Millisecond), 100*time.Millisecond))
	startScheduler(t, s)
	eventually(t, 5*time.Second, "three warnings", func() bool { return len(logs.snapshot()) >= 3 })
	s.Stop()

	b := s.Behind()
	if b.Total.Busy == 0 || b.Total.Skipped != b.Total.Busy+b.Total.NoWorker+b.Total.TargetBusy+b.Total.Missed {
		t.Errorf("Behind().Total = %+v; want runs skipped while the previous one ran, adding up", b.Total)
	}
	if b.LastMinute.Skipped == 0 || b.LastMinute.Skipped > b.Total.Skipped {
		t.Errorf("Behind().LastMinute = %+v, Total %+v", b.LastMinute, b.Total)
	}
	if b.WorstLateness <= 0 || b.Capacity != 20+capacityFloor {
		t.Errorf("Behind() = %+v; want a worst lateness and a capacity of %d", b, 20+capacityFloor)
	}
	if got := counterValue(t, reg, "vigie_probe_skipped_total", "busy"); got != float64(b.Total.Busy) {
		t.Errorf("vigie_probe_skipped_total{reason=busy} = %v, want %d", got, b.Total.Busy)
	}
	if st := s.Stats(); st.Skipped != b.Total.Skipped {
		t.Errorf("Stats().Skipped = %d, Behind().Total.Skipped = %d", st.Skipped, b.Total.Skipped)
	}

	records := logs.snapshot()
	var logged uint64
	for i, r := range records {
		if r.Level != slog.LevelWarn || r.Message != "probe: runs behind schedule" {
			t.Errorf("record %d: %v %q", i, r.Level, r.Message)
		}
		n := attr(r, "skipped").Uint64()
		if n == 0 || attr(r, "previous_run_busy").Uint64() != n {
			t.Errorf("record %d says %d skipped, %d busy", i, n, attr(r, "previous_run_busy").Uint64())
		}
		logged += n
		// The records' times are taken a little after the scheduler's.
		if i > 0 && r.Time.Sub(records[i-1].Time) < every-5*time.Millisecond {
			t.Errorf("records %d and %d %v apart; want at least %v", i-1, i, r.Time.Sub(records[i-1].Time), every)
		}
	}
	if logged > b.Total.Skipped {
		t.Errorf("%d skipped runs logged, %d counted", logged, b.Total.Skipped)
	}
}

func TestNothingLoggedWhenOnTime(t *testing.T) {
	logs := &logRecorder{}
	rec := newRecorder()
	s := NewScheduler(SchedulerOptions{Run: okRun, Report: rec.report, Logger: slog.New(logs)})
	s.logEvery = 10 * time.Millisecond
	// Slots far enough apart that a pause of the test process (the race
	// detector, a busy machine) does not make runs late.
	checks := manyChecks(10, 10, 150*time.Millisecond)
	s.Set(checks)
	startScheduler(t, s)
	eventually(t, 3*time.Second, "every check runs 3 times", func() bool {
		for _, c := range checks {
			if rec.count(c.Key()) < 3 {
				return false
			}
		}
		return true
	})
	s.Stop()
	if b := s.Behind(); b.Total != (BehindCounts{}) || b.LastMinute != (BehindCounts{}) {
		t.Errorf("Behind() = %+v, want nothing behind", b)
	}
	if n := len(logs.snapshot()); n != 0 {
		t.Errorf("%d warnings logged with every run on time", n)
	}
}

func TestBehindCountsOverTheLastMinute(t *testing.T) {
	var h behindHistory
	start := time.Unix(0, 0).Add(1000 * slotLength) // at the start of a slot
	at := func(d time.Duration, skipped, late uint64) {
		h.mark(start.Add(d), BehindCounts{Skipped: skipped, Busy: skipped, Late: late})
	}
	at(0, 0, 0)
	at(5*time.Second, 4, 0) // the slot is marked already
	at(10*time.Second, 7, 1)
	at(20*time.Second, 9, 1)  // the first mark in the window ending at 75 s
	at(70*time.Second, 20, 2) // in the ring where 10 s was
	got := BehindCounts{Skipped: 25, Busy: 25, Late: 3}.sub(h.base(start.Add(75 * time.Second)))
	if want := (BehindCounts{Skipped: 16, Busy: 16, Late: 2}); got != want {
		t.Errorf("over the last minute: %+v, want %+v", got, want)
	}
	if got := h.base(start.Add(time.Hour)); got != (BehindCounts{}) {
		t.Errorf("base with no mark in the window: %+v", got)
	}

	var w latenessWindow
	now := time.Now()
	w.record(now.Add(-2*time.Minute), time.Hour) // outside the window
	w.record(now.Add(-20*time.Second), 3*time.Second)
	w.record(now, 5*time.Millisecond)
	if got := w.worst(now); got != 3*time.Second {
		t.Errorf("worst lateness %v, want 3s", got)
	}
}
