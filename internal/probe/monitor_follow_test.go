package probe

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// A running monitor takes a change of the inventory within about a second,
// not at its next sweep: a check added with an hour's interval runs at
// once, although the sweep comes only every hour.
func TestMonitorRunsAChangedCheckWithinSeconds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		svc := inventory.NewService(db, nil)
		host := `assets:
  - {name: site1, kind: site, url: "http://127.0.0.3/"}
check_defaults:
  site: {kind: none}
checks:
  - {asset: site1, name: first, kind: tcp, address: "127.0.0.3:80", interval: 1h}
`
		if _, err := svc.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		ran := map[string]time.Time{}
		engine := check.NewEngine(check.Options{Executors: map[check.Kind]check.Executor{
			check.TCP: func(_ context.Context, c *check.Check) check.Result {
				mu.Lock()
				defer mu.Unlock()
				if _, ok := ran[c.Key()]; !ok {
					ran[c.Key()] = time.Now()
				}
				return check.Result{OK: true, Phase: check.PhaseDone}
			},
		}})
		m := NewMonitor(svc, MonitorOptions{Engine: engine, Sweep: time.Hour})
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = m.Run(ctx)
		}()
		defer func() {
			cancel()
			<-done
		}()
		if !within(10*time.Second, func() bool { return m.Scheduler().Stats().Checks == 1 }) {
			t.Fatal("the monitor did not start")
		}
		changed := time.Now()
		if _, err := svc.SaveCheck(ctx, check.Check{Asset: "site1", Name: "second", Kind: check.TCP, Address: "127.0.0.3:80",
			Interval: check.Duration(time.Hour)}, inventory.Create); err != nil {
			t.Fatal(err)
		}
		var at time.Time
		if !within(10*time.Second, func() bool {
			mu.Lock()
			defer mu.Unlock()
			at = ran["site1/second"]
			return !at.IsZero()
		}) {
			t.Fatal("the added check did not run")
		}
		if d := at.Sub(changed); d > 2*time.Second {
			t.Errorf("the added check ran %s after the change, want within 2 s", d.Round(time.Millisecond))
		}
	})
}

// within checks cond every few milliseconds until it holds or d has
// passed, and tells whether it held.
func within(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			return cond()
		}
	}
	return true
}
