package probe

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// benchChecks is the number of checks, so of minute buckets a flush
// writes; benchTaken the results the loop takes meanwhile (its channel).
const (
	benchChecks = 60_000
	benchTaken  = 4096
)

// BenchmarkRollupFlush measures how long the monitor's loop takes to do a
// sweep that closes a minute of 60,000 checks and then take the 4,096
// results that arrived meanwhile: "sync" writes the buckets on the loop
// in one SaveBuckets, as the monitor did before (the baseline), "handover"
// gives them to the rollup writer. One op is one such minute.
func BenchmarkRollupFlush(b *testing.B) {
	for _, e := range storetest.Engines {
		for _, mode := range []string{"sync", "handover"} {
			b.Run(string(e)+"/"+mode, func(b *testing.B) { benchRollupFlush(b, e, mode == "handover") })
		}
	}
}

func benchRollupFlush(b *testing.B, e store.Engine, handover bool) {
	ctx := context.Background()
	db := storetest.Open(b, e)
	st := detect.NewStore(db)
	now := rollupT0
	m := NewMonitor(inventory.NewService(db, nil), MonitorOptions{Store: st, Now: func() time.Time { return now }})
	keys := make([]string, benchChecks)
	m.checks = newMonitorChecks(benchChecks)
	for i := range keys {
		c := &check.Check{Asset: fmt.Sprintf("vm%05d", i), Name: "tcp", Kind: check.TCP, Interval: check.Duration(time.Minute)}
		keys[i] = c.Key()
		m.checks.put(keys[i], c)
	}
	ok := func(at time.Time) check.Result {
		return check.Result{OK: true, Phase: check.PhaseDone, Started: at, Timings: check.Timings{Total: time.Millisecond}}
	}
	// A first minute creates the check ids and the detector's states (and
	// their signals), which later minutes find.
	fill := func(minute time.Time) {
		for _, k := range keys {
			m.rollup.Add(k, ok(minute))
		}
	}
	for _, k := range keys[:benchTaken] {
		m.observe(ctx, observed{k, ok(now)})
	}
	fill(now)
	if err := m.flush(ctx); err != nil {
		b.Fatal(err)
	}
	if err := st.SaveBuckets(ctx, m.rollup.Flush(now.Add(time.Minute))); err != nil {
		b.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if handover {
		go m.rollups.run(wctx)
		defer func() { close(m.rollups.stop); <-m.rollups.done }()
	}
	var loop time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		minute := rollupT0.Add(time.Duration(i+1) * time.Minute)
		fill(minute)
		now = minute.Add(90 * time.Second)
		b.StartTimer()
		start := time.Now()
		go func() {
			for _, k := range keys[:benchTaken] {
				m.results <- observed{k, ok(now)}
			}
		}()
		m.sweep(ctx)
		if !handover {
			m.rollups.mu.Lock()
			bs := m.rollups.pending
			m.rollups.pending = nil
			m.rollups.mu.Unlock()
			if err := st.SaveBuckets(ctx, bs); err != nil {
				b.Fatal(err)
			}
		}
		for range benchTaken {
			m.observe(ctx, <-m.results)
		}
		loop += time.Since(start)
		b.StopTimer()
		if handover && !within(time.Minute, func() bool { n, _, _ := m.rollups.state(); return n == 0 }) {
			b.Fatal("the rollups not written within a minute")
		}
		if _, _, err := m.rollups.state(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(loop.Milliseconds())/float64(b.N), "loop-ms/flush")
}

// BenchmarkSaveBucketsChunks writes a minute of 60,000 checks in one
// transaction (the baseline) or in transactions of rollupChunk buckets,
// as the rollup writer does.
func BenchmarkSaveBucketsChunks(b *testing.B) {
	for _, e := range storetest.Engines {
		for _, chunk := range []int{benchChecks, rollupChunk} {
			b.Run(fmt.Sprintf("%s/chunk=%d", e, chunk), func(b *testing.B) {
				ctx := context.Background()
				st := detect.NewStore(storetest.Open(b, e))
				minute := func(i int) []detect.Bucket {
					bs := make([]detect.Bucket, benchChecks)
					for j := range bs {
						bs[j] = detect.Bucket{Check: fmt.Sprintf("vm%05d/tcp", j), Minute: rollupT0.Add(time.Duration(i) * time.Minute),
							Count: 1, Min: time.Millisecond, Max: time.Millisecond, LatencySum: time.Millisecond}
					}
					return bs
				}
				if err := st.SaveBuckets(ctx, minute(0)); err != nil { // the check ids
					b.Fatal(err)
				}
				b.ResetTimer()
				var cpu time.Duration
				for i := range b.N {
					b.StopTimer()
					bs := minute(i + 1)
					b.StartTimer()
					start := processCPU()
					for from := 0; from < len(bs); from += chunk {
						if err := st.SaveBuckets(ctx, bs[from:min(from+chunk, len(bs))]); err != nil {
							b.Fatal(err)
						}
					}
					cpu += processCPU() - start
				}
				// The server's own CPU per bucket, the database's apart.
				b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*benchChecks), "cpu-µs/bucket")
			})
		}
	}
}
