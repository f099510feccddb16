package probe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// rollupT0 is the minute the tests' results start in; their monitor's
// clock stands 90 s later, so that this minute is closed and the next one
// open.
var rollupT0 = time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)

// rollupMonitor returns a monitor over two checks, vm1/tcp and vm2/tcp
// (one attempt each), whose own runs always connect; the tests hand it
// results themselves.
func rollupMonitor(t *testing.T, db *store.DB, opts MonitorOptions) (*Monitor, *detect.Store) {
	t.Helper()
	host := "assets:\n  - {name: vm1, kind: vm, address: \"vm1:22\"}\n  - {name: vm2, kind: vm, address: \"vm2:22\"}\n" +
		"check_defaults:\n  vm: {kind: tcp, interval: 1h, timeout: 1s, attempts: 1}\n"
	svc := inventory.NewService(db, nil)
	if _, err := svc.ImportFiles(context.Background(), []inventory.File{{Name: "h.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	st := detect.NewStore(db)
	opts.Store = st
	opts.Now = func() time.Time { return rollupT0.Add(90 * time.Second) }
	opts.Engine = check.NewEngine(check.Options{Dial: func(context.Context, string, string) (net.Conn, error) {
		c, peer := net.Pipe()
		_ = peer.Close()
		return c, nil
	}})
	return NewMonitor(svc, opts), st
}

// runMonitor runs m until the test ends or stop is called, which waits
// for Run to return.
func runMonitor(t *testing.T, m *Monitor) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("the monitor still runs 10 s after its end")
		}
	}
	t.Cleanup(stop)
	return stop
}

// minuteCount is the number of results stored for a check in a minute.
func minuteCount(t *testing.T, st *detect.Store, key string, minute time.Time) int {
	t.Helper()
	bs, err := st.Latency(context.Background(), key, detect.PeriodMinute, minute, minute.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, b := range bs {
		n += b.Count
	}
	return n
}

// wentDown reports whether the signal log holds a check going down.
func wentDown(t *testing.T, st *detect.Store, key string) bool {
	t.Helper()
	list, err := st.Signals(context.Background(), detect.SignalFilter{Kind: detect.CheckDown, Limit: detect.MaxSignalLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Check == key {
			return true
		}
	}
	return false
}

// holdRollups holds up the monitor's rollup writes until release: on
// PostgreSQL another connection locks rollup_minutes in an open
// transaction; SQLite locks the whole file, signals too, so the writer's
// save waits there instead. held reports whether a write is waiting.
func holdRollups(t *testing.T, db *store.DB, m *Monitor) (held func() bool, release func()) {
	t.Helper()
	ctx := context.Background()
	if db.Engine == store.Postgres {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `LOCK TABLE rollup_minutes IN EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		held = func() bool {
			var n int
			err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_locks WHERE relation = 'rollup_minutes'::regclass AND NOT granted`).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			return n > 0
		}
		released := false
		release = func() {
			if !released {
				released = true
				_ = tx.Rollback()
			}
		}
		t.Cleanup(release)
		return held, release
	}
	gate, waiting := make(chan struct{}), make(chan struct{}, 1)
	save := m.rollups.save
	m.rollups.save = func(ctx context.Context, bs []detect.Bucket) error {
		select {
		case waiting <- struct{}{}:
		default:
		}
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
		return save(ctx, bs)
	}
	entered := false
	held = func() bool {
		select {
		case <-waiting:
			entered = true
		default:
		}
		return entered
	}
	released := false
	release = func() {
		if !released {
			released = true
			close(gate)
		}
	}
	t.Cleanup(release)
	return held, release
}

// TestRollupWritesLeaveTheLoopFree holds up the write of a closed minute's
// rollups: meanwhile the monitor takes more results than its channel
// holds and writes the signal of a check going down; once the write goes
// through, every result of the minute is stored.
func TestRollupWritesLeaveTheLoopFree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		m, st := rollupMonitor(t, db, MonitorOptions{Sweep: 20 * time.Millisecond})
		held, release := holdRollups(t, db, m)
		runMonitor(t, m)
		ok := check.Result{OK: true, Started: rollupT0, Timings: check.Timings{Total: time.Millisecond}}
		m.results <- observed{"vm1/tcp", ok}
		if !within(5*time.Second, held) {
			t.Fatal("the rollup write was never held up")
		}
		if wentDown(t, st, "vm2/tcp") {
			t.Fatal("vm2 down before the test failed it")
		}
		const burst = 2 * 4096 // more than the channel holds
		sent := make(chan struct{})
		go func() {
			for range burst {
				m.results <- observed{"vm1/tcp", ok}
			}
			m.results <- observed{"vm2/tcp", check.Result{Started: rollupT0, Phase: check.PhaseConnect, Message: "refused"}}
			close(sent)
		}()
		select {
		case <-sent:
		case <-time.After(5 * time.Second):
			t.Fatal("the monitor stopped taking results while a rollup write was held up")
		}
		if !within(5*time.Second, func() bool { return wentDown(t, st, "vm2/tcp") }) {
			t.Fatal("vm2's down signal not written while a rollup write was held up")
		}
		if !held() || minuteCount(t, st, "vm1/tcp", rollupT0) != 0 {
			t.Fatal("the rollup write went through before its release")
		}
		release()
		if !within(10*time.Second, func() bool { return minuteCount(t, st, "vm1/tcp", rollupT0) == burst+1 }) {
			t.Fatalf("%d results of vm1 stored after the release, want %d", minuteCount(t, st, "vm1/tcp", rollupT0), burst+1)
		}
	})
}

// TestFinishWritesPendingRollups refuses every rollup write until the
// monitor finishes: the closed minute that waited and the open one are
// both written before Run returns.
func TestFinishWritesPendingRollups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		m, st := rollupMonitor(t, db, MonitorOptions{Sweep: 20 * time.Millisecond})
		save := m.rollups.save
		m.rollups.save = func(ctx context.Context, bs []detect.Bucket) error {
			select {
			case <-m.rollups.stop:
				return save(ctx, bs)
			default:
				return errors.New("refused by the test until the monitor finishes")
			}
		}
		stop := runMonitor(t, m)
		m.results <- observed{"vm1/tcp", check.Result{OK: true, Started: rollupT0, Timings: check.Timings{Total: time.Millisecond}}}
		if !within(5*time.Second, func() bool { n, _, err := m.rollups.state(); return n > 0 && err != nil }) {
			t.Fatal("the closed minute was never refused")
		}
		m.results <- observed{"vm1/tcp", check.Result{OK: true, Started: rollupT0.Add(time.Minute), Timings: check.Timings{Total: time.Millisecond}}}
		if !within(5*time.Second, func() bool { return len(m.results) == 0 }) {
			t.Fatal("the open minute's result not taken")
		}
		stop()
		for _, minute := range []time.Time{rollupT0, rollupT0.Add(time.Minute)} {
			if n := minuteCount(t, st, "vm1/tcp", minute); n != 1 {
				t.Errorf("%d results stored at %s after the monitor finished, want 1", n, minute.Format("15:04"))
			}
		}
	})
}

// TestRollupsKeepTheNewestWithinTheirBound queues more minutes than the
// bound while the database refuses them: the oldest are dropped and
// counted, and the newest written once it takes them again.
func TestRollupsKeepTheNewestWithinTheirBound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		st := detect.NewStore(db)
		lift := storetest.RefuseWrites(t, db, "rollup_minutes", "")
		const limit = 3
		w := newRollupWriter(st.SaveBuckets, limit, slog.New(slog.DiscardHandler))
		minute := func(i int) time.Time { return rollupT0.Add(time.Duration(i) * time.Minute) }
		for i := range 5 {
			w.add([]detect.Bucket{{Check: "vm1/tcp", Minute: minute(i), Count: 1}})
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go w.run(ctx)
		if !within(5*time.Second, func() bool { _, since, _ := w.state(); return !since.IsZero() }) {
			t.Fatal("the refusal never seen")
		}
		w.add([]detect.Bucket{{Check: "vm1/tcp", Minute: minute(5), Count: 1}})
		n, _, _ := w.state()
		w.mu.Lock()
		dropped := w.dropped
		w.mu.Unlock()
		if n != limit || dropped != 6-limit {
			t.Fatalf("%d buckets kept, %d dropped; want %d kept, %d dropped", n, dropped, limit, 6-limit)
		}
		lift()
		w.kick()
		if !within(5*time.Second, func() bool { n, _, _ := w.state(); return n == 0 }) {
			t.Fatal("the kept buckets not written once the database took them again")
		}
		for i := range 6 {
			want := 0
			if i >= 6-limit {
				want = 1
			}
			if got := minuteCount(t, st, "vm1/tcp", minute(i)); got != want {
				t.Errorf("minute %d: %d results stored, want %d", i, got, want)
			}
		}
	})
}

// TestRollupWriterLetsAWrittenMinuteGo: once a minute's buckets are
// written, the writer holds nothing of them for the collector to keep
// until the next minute.
func TestRollupWriterLetsAWrittenMinuteGo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		st := detect.NewStore(db)
		w := newRollupWriter(st.SaveBuckets, 100_000, slog.New(slog.DiscardHandler))
		bs := make([]detect.Bucket, rollupChunk+10)
		for i := range bs {
			bs[i] = detect.Bucket{Check: fmt.Sprintf("vm%d/tcp", i), Minute: rollupT0, Count: 1}
		}
		minute := weak.Make(&bs[0])
		w.add(bs)
		bs = nil
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go w.run(ctx)
		if !within(10*time.Second, func() bool { n, _, err := w.state(); return n == 0 && err == nil }) {
			t.Fatal("the minute not written")
		}
		if !within(5*time.Second, func() bool { runtime.GC(); return minute.Value() == nil }) {
			t.Fatal("the writer still holds the written minute's buckets")
		}
		if got := minuteCount(t, st, fmt.Sprintf("vm%d/tcp", rollupChunk+9), rollupT0); got != 1 {
			t.Fatalf("the last bucket stored %d results, want 1", got)
		}
	})
}
