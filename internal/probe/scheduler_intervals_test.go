package probe

import (
	"maps"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

func TestEffectiveIntervalsLowerParentsToTheirDependents(t *testing.T) {
	// dc ← hv1 ← vm1 ← site-a, site-b; dc ← hv2 ← vm2 ← site-c;
	// vm1 and vm2 also on storage.
	parents := map[string][]string{
		"hv1":    {"dc"},
		"hv2":    {"dc"},
		"vm1":    {"hv1", "storage"},
		"vm2":    {"hv2", "storage"},
		"site-a": {"vm1"},
		"site-b": {"vm1"},
		"site-c": {"vm2"},
	}
	parentsOf := func(a string) []string { return parents[a] }
	chk := func(asset, name string, iv time.Duration) *check.Check {
		return &check.Check{Asset: asset, Name: name, Kind: check.TCP, Interval: check.Duration(iv)}
	}
	cases := []struct {
		name   string
		checks []*check.Check
		want   map[string]time.Duration
	}{
		{
			name: "parents follow their most frequent dependent, transitively",
			checks: []*check.Check{
				chk("dc", "ping", 5*time.Minute),
				chk("hv1", "ping", 2*time.Minute),
				chk("hv2", "ping", 2*time.Minute),
				chk("storage", "nfs", 10*time.Minute),
				chk("vm1", "ssh", time.Minute),
				chk("site-a", "http", 30*time.Second),
				chk("site-b", "http", 2*time.Minute),
				chk("site-c", "http", 10*time.Second),
			},
			want: map[string]time.Duration{
				"dc/ping":     10 * time.Second,
				"hv1/ping":    30 * time.Second,
				"hv2/ping":    10 * time.Second,
				"storage/nfs": 10 * time.Second,
				"vm1/ssh":     30 * time.Second,
				"site-a/http": 30 * time.Second,
				"site-b/http": 2 * time.Minute, // a sibling never lowers another
				"site-c/http": 10 * time.Second,
			},
		},
		{
			name: "checks of one asset do not lower each other; defaults apply",
			checks: []*check.Check{
				chk("vm1", "ssh", 5*time.Minute),
				{Asset: "vm1", Kind: check.TCP},         // 30s by default
				{Asset: "site-a", Kind: check.HTTP},     // 60s by default
				chk("hv1", "ping", 20*time.Second),      // already more frequent
				chk("unrelated", "ping", 3*time.Minute), // depends on nothing
			},
			want: map[string]time.Duration{
				"vm1/ssh":        time.Minute,
				"vm1/tcp":        30 * time.Second,
				"site-a/http":    time.Minute,
				"hv1/ping":       20 * time.Second,
				"unrelated/ping": 3 * time.Minute,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := EffectiveIntervals(tc.checks, parentsOf)
			if !maps.Equal(got, tc.want) {
				t.Errorf("EffectiveIntervals:\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestEffectiveIntervalsSurviveCycles(t *testing.T) {
	parents := map[string][]string{"a": {"b"}, "b": {"a"}}
	got := EffectiveIntervals([]*check.Check{
		{Asset: "a", Kind: check.TCP, Interval: check.Duration(time.Minute)},
		{Asset: "b", Kind: check.TCP, Interval: check.Duration(10 * time.Second)},
	}, func(a string) []string { return parents[a] })
	want := map[string]time.Duration{"a/tcp": 10 * time.Second, "b/tcp": 10 * time.Second}
	if !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestSetMinIntervalMakesACheckRunMoreOften(t *testing.T) {
	rec := newRecorder()
	s := NewScheduler(SchedulerOptions{Run: okRun, Report: rec.report})
	c := farCheck(t)
	s.SetMinInterval(c.Key(), 20*time.Millisecond) // before Set: kept for it
	s.Set([]*check.Check{c})
	startScheduler(t, s)
	eventually(t, time.Second, "the parent check runs at its dependents' pace", func() bool {
		return rec.count(c.Key()) >= 3
	})
	if st := s.Stats(); st.PlannedRate != 50 {
		t.Errorf("PlannedRate = %v, want 50", st.PlannedRate)
	}

	s.SetMinInterval(c.Key(), 0)
	s.mu.Lock()
	iv := s.entries.get(c.Key()).interval
	s.mu.Unlock()
	if iv != time.Hour {
		t.Errorf("interval after clearing the minimum: %v, want 1h", iv)
	}
	s.SetMinInterval(c.Key(), 2*time.Hour) // longer than its own: no effect
	s.mu.Lock()
	iv = s.entries.get(c.Key()).interval
	s.mu.Unlock()
	if iv != time.Hour {
		t.Errorf("interval with a longer minimum: %v, want 1h", iv)
	}
}
