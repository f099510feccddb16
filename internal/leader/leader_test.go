package leader_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/leader"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// retry is how often the electors of these tests try to take the lead.
const retry = 100 * time.Millisecond

// openDB opens the database at dsn, closed when the test ends.
func openDB(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// leading counts, across the electors of one test, how many lead at once
// and the most that ever did.
type leading struct {
	mu      sync.Mutex
	now     int
	most    int
	overlap []string
}

func (l *leading) add(d int, who string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now += d
	if l.now > l.most {
		l.most = l.now
		l.overlap = append(l.overlap, who)
	}
}

func (l *leading) max() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.most
}

// elector runs leader.Run on a database until stopped.
type elector struct {
	name   string
	db     *store.DB
	cancel context.CancelFunc
	done   chan struct{}
	// linger is how long lead takes to wind down once its context ended,
	// as the leader's work does when it writes what it holds.
	linger time.Duration

	leads   atomic.Int32 // calls of lead
	running atomic.Bool  // lead is running
	mu      sync.Mutex
	began   time.Time // when lead last began
	ended   time.Time // when lead last returned
}

func startElector(t *testing.T, name string, db *store.DB, count *leading, linger time.Duration) *elector {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e := &elector{name: name, db: db, cancel: cancel, done: make(chan struct{}), linger: linger}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() {
		defer close(e.done)
		leader.Run(ctx, db, log, leader.Options{Retry: retry}, func(lctx context.Context) {
			e.leads.Add(1)
			e.mu.Lock()
			e.began = time.Now()
			e.mu.Unlock()
			count.add(1, name)
			e.running.Store(true)
			<-lctx.Done()
			if e.linger > 0 {
				time.Sleep(e.linger) // the work winding down, not a wait of the test
			}
			e.running.Store(false)
			count.add(-1, name)
			e.mu.Lock()
			e.ended = time.Now()
			e.mu.Unlock()
		})
	}()
	t.Cleanup(e.stop)
	return e
}

// stop ends the elector and waits for Run to return.
func (e *elector) stop() {
	e.cancel()
	<-e.done
}

func (e *elector) times() (began, ended time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.began, e.ended
}

// waitUntil polls cond until it holds or within passes.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lockHolder returns the backend holding db's leader lock, 0 when none.
// A bigint advisory key shows in pg_locks as classid (high 32 bits) and
// objid (low 32 bits).
func lockHolder(t *testing.T, db *store.DB) int {
	t.Helper()
	key := uint64(db.LockKey(store.LockLeader))
	var pid int
	err := db.QueryRowContext(context.Background(), `SELECT COALESCE(MAX(pid), 0) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid::bigint = $1 AND objid::bigint = $2
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
		int64(key>>32), int64(key&0xffffffff)).Scan(&pid)
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// terminate ends the backend pid from outside, as a database restart or
// a network cut would.
func terminate(t *testing.T, db *store.DB, pid int) {
	t.Helper()
	var ok bool
	if err := db.QueryRowContext(context.Background(), `SELECT pg_terminate_backend($1)`, pid).Scan(&ok); err != nil || !ok {
		t.Fatalf("terminate backend %d: %v %v", pid, ok, err)
	}
}

func TestOneOfTwoElectorsLeadsAndHandsOverWhenItStops(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	var count leading
	a := startElector(t, "a", openDB(t, dsn), &count, 300*time.Millisecond)
	b := startElector(t, "b", openDB(t, dsn), &count, 300*time.Millisecond)
	waitUntil(t, 5*time.Second, "one elector leads", func() bool { return a.running.Load() || b.running.Load() })
	first, second := a, b
	if b.running.Load() {
		first, second = b, a
	}
	// Several retries of the other: it must not take the lead meanwhile.
	waitUntil(t, 5*time.Second, "the lock held", func() bool { return lockHolder(t, first.db) != 0 })
	deadline := time.Now().Add(5 * retry)
	for time.Now().Before(deadline) {
		if second.running.Load() {
			t.Fatalf("%s leads while %s does", second.name, first.name)
		}
		time.Sleep(10 * time.Millisecond)
	}

	first.stop()
	waitUntil(t, 5*time.Second, second.name+" leads once "+first.name+" stopped", second.running.Load)
	_, ended := first.times()
	began, _ := second.times()
	if began.Before(ended) {
		t.Errorf("%s began leading %v before %s finished its work", second.name, ended.Sub(began), first.name)
	}
	if n := count.max(); n != 1 {
		t.Errorf("%d electors led at once (%v), want 1", n, count.overlap)
	}
	if n := first.leads.Load(); n != 1 {
		t.Errorf("%s's lead called %d times, want 1", first.name, n)
	}
}

func TestALeaderWhoseLockConnectionDiesTakesTheLockBack(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	var count leading
	db := openDB(t, dsn)
	a := startElector(t, "a", db, &count, 0)
	waitUntil(t, 5*time.Second, "a leads", a.running.Load)
	var pid int
	waitUntil(t, 5*time.Second, "a holds the lock", func() bool { pid = lockHolder(t, db); return pid != 0 })

	terminate(t, db, pid)
	waitUntil(t, 10*time.Second, "the lock taken back", func() bool {
		p := lockHolder(t, db)
		return p != 0 && p != pid
	})
	if !a.running.Load() || a.leads.Load() != 1 {
		t.Fatalf("after taking the lock back: running %v, lead called %d times; want still running, called once",
			a.running.Load(), a.leads.Load())
	}
}

func TestAfterALostLockConnectionOneLeaderRemains(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	var count leading
	dbA, dbB := openDB(t, dsn), openDB(t, dsn)
	a := startElector(t, "a", dbA, &count, 0)
	waitUntil(t, 5*time.Second, "a leads", a.running.Load)
	var pid int
	waitUntil(t, 5*time.Second, "a holds the lock", func() bool { pid = lockHolder(t, dbA); return pid != 0 })
	b := startElector(t, "b", dbB, &count, 0)

	terminate(t, dbA, pid)
	// Whoever takes the lock, the other ends up following. a keeps leading
	// through a lost connection until its next attempt at the lock (every
	// 500 ms) finds b holding it: for that moment both may lead, and b's
	// work may not have started yet. So the state must hold for a whole
	// second, longer than a's attempt, before it counts as settled.
	var settled time.Time
	waitUntil(t, 10*time.Second, "exactly one leader, holding the lock, for a second", func() bool {
		p := lockHolder(t, dbA)
		if p == 0 || p == pid || a.running.Load() == b.running.Load() {
			settled = time.Time{}
			return false
		}
		if settled.IsZero() {
			settled = time.Now()
		}
		return time.Since(settled) >= time.Second
	})
	if b.running.Load() {
		// b took the lock: a stepped down, its lead's context ended.
		if a.leads.Load() != 1 || b.leads.Load() != 1 {
			t.Errorf("lead called %d times on a, %d on b; want once each", a.leads.Load(), b.leads.Load())
		}
	} else if a.leads.Load() != 1 || b.leads.Load() != 0 {
		t.Errorf("a took the lock back: lead called %d times on a, %d on b; want 1 and 0", a.leads.Load(), b.leads.Load())
	}
	// And it stays so over several retries.
	deadline := time.Now().Add(10 * retry)
	for time.Now().Before(deadline) {
		if a.running.Load() == b.running.Load() {
			t.Fatalf("a leading %v, b leading %v: want exactly one", a.running.Load(), b.running.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestElectorsOfOtherSchemasLeadTheirOwn runs two Vigie databases in two
// schemas of one PostgreSQL database: each has its leader, and wake-ups
// of one do not reach the other.
func TestElectorsOfOtherSchemasLeadTheirOwn(t *testing.T) {
	var count1, count2 leading
	dsn1 := storetest.DSN(t, store.Postgres)
	db1, db2 := openDB(t, dsn1), openDB(t, storetest.DSN(t, store.Postgres))
	a := startElector(t, "a", db1, &count1, 0)
	b := startElector(t, "b", db2, &count2, 0)
	waitUntil(t, 5*time.Second, "both lead, each its own database", func() bool { return a.running.Load() && b.running.Load() })

	heard, stop := db1.Subscribe(store.TopicRecheck)
	defer stop()
	sibling := openDB(t, dsn1)
	ctx := context.Background()
	listening(t, sibling, heard)
	// Notifications reach a listener in the order they committed: one
	// from the other schema sent first would be heard before the marker.
	if err := db2.Notify(ctx, store.TopicRecheck, "from the other schema"); err != nil {
		t.Fatal(err)
	}
	if err := sibling.Notify(ctx, store.TopicRecheck, "marker"); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(5 * time.Second)
	for {
		select {
		case p := <-heard:
			switch p {
			case "marker":
				return
			case "from the other schema":
				t.Fatal("a leader heard a wake-up of another schema")
			}
		case <-timeout:
			t.Fatal("the leader never heard the marker")
		}
	}
}

// listening notifies from db until heard receives it: the leader listens
// once it leads. Whatever it heard is drained.
func listening(t *testing.T, db *store.DB, heard <-chan string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if err := db.Notify(context.Background(), store.TopicRecheck, "ping"); err != nil {
			t.Fatal(err)
		}
		select {
		case p := <-heard:
			if p == "ping" {
				for len(heard) > 0 {
					<-heard
				}
				return
			}
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatal("the leader never heard another server's wake-up")
}

func TestOnSQLiteRunLeadsAtOnce(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var changes []bool
	led := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		leader.Run(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil)), leader.Options{Retry: time.Hour,
			OnChange: func(on bool) { mu.Lock(); changes = append(changes, on); mu.Unlock() }},
			func(lctx context.Context) { close(led); <-lctx.Done() })
	}()
	select {
	case <-led:
	case <-time.After(5 * time.Second):
		t.Fatal("lead not called on SQLite")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return once its context ended")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(changes) != 2 || !changes[0] || changes[1] {
		t.Errorf("OnChange told %v, want [true false]", changes)
	}
}

// TestANotifyFromAnotherServerWakesTheLeadersSubscribers has a server that
// does not lead notify: the leader's subscribers hear it through the
// elector's LISTEN, while a server without an elector hears only its own.
func TestANotifyFromAnotherServerWakesTheLeadersSubscribers(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	var count leading
	leaderDB, other, lone := openDB(t, dsn), openDB(t, dsn), openDB(t, dsn)
	a := startElector(t, "a", leaderDB, &count, 0)
	waitUntil(t, 5*time.Second, "a leads", a.running.Load)
	atLeader, stop := leaderDB.Subscribe(store.TopicRecheck)
	defer stop()
	atLone, stopLone := lone.Subscribe(store.TopicRecheck)
	defer stopLone()
	atOther, stopOther := other.Subscribe(store.TopicRecheck)
	defer stopOther()

	ctx := context.Background()
	// The elector listens once it leads: notify until it hears.
	deadline := time.Now().Add(5 * time.Second)
	heard := false
	for !heard && time.Now().Before(deadline) {
		if err := other.Notify(ctx, store.TopicRecheck, "web1 web2"); err != nil {
			t.Fatal(err)
		}
		select {
		case p := <-atLeader:
			if p != "web1 web2" {
				t.Fatalf("leader heard %q, want the payload", p)
			}
			heard = true
		case <-time.After(100 * time.Millisecond):
		}
	}
	if !heard {
		t.Fatal("the leader's subscribers never heard another server's Notify")
	}
	select {
	case p := <-atOther:
		if p != "web1 web2" {
			t.Fatalf("the notifier's own subscriber heard %q", p)
		}
	default:
		t.Fatal("the notifier's own subscribers were not woken directly")
	}
	select {
	case p := <-atLone:
		t.Fatalf("a server without an elector heard %q from another one", p)
	default:
	}
}
