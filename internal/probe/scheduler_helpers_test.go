package probe

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// newCheck is a tcp check of asset against addr, every interval.
func newCheck(asset, addr string, interval time.Duration) *check.Check {
	return &check.Check{
		Asset:    asset,
		Kind:     check.TCP,
		Address:  addr,
		Interval: check.Duration(interval),
		Timeout:  check.Duration(time.Second),
	}
}

// manyChecks is n checks every interval, spread over targets hosts.
func manyChecks(n, targets int, interval time.Duration) []*check.Check {
	cs := make([]*check.Check, n)
	for i := range cs {
		cs[i] = newCheck(fmt.Sprintf("site-%05d", i), fmt.Sprintf("10.0.%d.%d:80", i%targets/250, i%targets%250), interval)
	}
	return cs
}

// startScheduler starts s for the test and stops it at the end.
func startScheduler(t testing.TB, s *Scheduler) {
	t.Helper()
	s.Start(context.Background())
	t.Cleanup(s.Stop)
}

// eventually fails the test when cond does not hold within d.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// recorder keeps every result reported, by key.
type recorder struct {
	mu      sync.Mutex
	results map[string][]check.Result
}

func newRecorder() *recorder { return &recorder{results: map[string][]check.Result{}} }

func (r *recorder) report(key string, res check.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results[key] = append(r.results[key], res)
}

func (r *recorder) count(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.results[key])
}

func (r *recorder) snapshot() map[string][]check.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string][]check.Result, len(r.results))
	for k, v := range r.results {
		out[k] = append([]check.Result(nil), v...)
	}
	return out
}

// okRun succeeds at once.
func okRun(context.Context, *check.Check) check.Result { return check.Result{OK: true} }

// concurrencyMeter measures the peak of concurrent calls, overall and per
// target.
type concurrencyMeter struct {
	mu              sync.Mutex
	now, peak       int
	perNow, perPeak map[string]int
	keyNow          map[string]int
	keyPeak         int
}

func newConcurrencyMeter() *concurrencyMeter {
	return &concurrencyMeter{perNow: map[string]int{}, perPeak: map[string]int{}, keyNow: map[string]int{}}
}

// run holds a slot for d.
func (m *concurrencyMeter) run(d time.Duration) RunFunc {
	return func(ctx context.Context, c *check.Check) check.Result {
		tgt, key := targetOf(c), c.Key()
		m.mu.Lock()
		m.now++
		m.perNow[tgt]++
		m.keyNow[key]++
		m.peak = max(m.peak, m.now)
		m.perPeak[tgt] = max(m.perPeak[tgt], m.perNow[tgt])
		m.keyPeak = max(m.keyPeak, m.keyNow[key])
		m.mu.Unlock()
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
		m.mu.Lock()
		m.now--
		m.perNow[tgt]--
		m.keyNow[key]--
		m.mu.Unlock()
		return check.Result{OK: true}
	}
}

func (m *concurrencyMeter) peaks() (overall, perTarget, perKey int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.perPeak {
		perTarget = max(perTarget, p)
	}
	return m.peak, perTarget, m.keyPeak
}
