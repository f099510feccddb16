package store_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestIsUnavailableTellsTheDatabaseAwayFromABadRequest(t *testing.T) {
	tests := []struct {
		name string
		want bool
		err  func(t *testing.T, db *store.DB) error
	}{
		{"no error", false, func(*testing.T, *store.DB) error { return nil }},
		{"a refused connection", true, func(t *testing.T, _ *store.DB) error {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			db, err := store.Open(ctx, "postgres://postgres@"+closedPort(t)+"/test?sslmode=disable")
			if err == nil {
				_ = db.Close()
				t.Fatal("opened a database on a closed port")
			}
			return err
		}},
		{"a deadline passed", true, func(t *testing.T, db *store.DB) error {
			ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			defer cancel()
			var n int
			return db.QueryRowContext(ctx, `SELECT 1`).Scan(&n)
		}},
		{"a bad connection", true, func(*testing.T, *store.DB) error {
			return fmt.Errorf("query: %w", driver.ErrBadConn)
		}},
		{"the server ending the connection under a query", true, func(t *testing.T, db *store.DB) error {
			if db.Engine != store.Postgres {
				t.Skip("PostgreSQL only")
			}
			// What a query in flight gets when PostgreSQL restarts.
			_, err := db.ExecContext(context.Background(), `SELECT pg_terminate_backend(pg_backend_pid())`)
			return err
		}},
		{"a row not found", false, func(t *testing.T, db *store.DB) error {
			var pos int64
			err := db.QueryRowContext(context.Background(), `SELECT position FROM log_cursors WHERE name = 'none'`).Scan(&pos)
			if err = db.MapError(err); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("missing row: %v, want ErrNotFound", err)
			}
			return err
		}},
		{"a conflict", false, func(t *testing.T, db *store.DB) error {
			ctx := context.Background()
			var err error
			for range 2 {
				_, err = db.ExecContext(ctx, `INSERT INTO log_cursors (name, position) VALUES ('twice', 1)`)
			}
			if err = db.MapError(err); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("duplicate row: %v, want ErrConflict", err)
			}
			return err
		}},
		{"a syntax error", false, func(t *testing.T, db *store.DB) error {
			_, err := db.ExecContext(context.Background(), `SELEC 1`)
			if err == nil {
				t.Fatal("a syntax error was accepted")
			}
			return err
		}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.err(t, db)
				if got := store.IsUnavailable(err); got != tt.want {
					t.Errorf("IsUnavailable(%v) = %v, want %v", err, got, tt.want)
				}
			})
		}
	})
}

// received drains ch of what is there now.
func received(ch <-chan string) []string {
	out := []string{}
	for {
		select {
		case p := <-ch:
			out = append(out, p)
		default:
			return out
		}
	}
}

func TestWakeReachesTheSubscribersOfItsTopicInThisProcess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		one, stopOne := db.Subscribe(store.TopicSignals)
		two, stopTwo := db.Subscribe(store.TopicSignals)
		defer stopTwo()
		other, stopOther := db.Subscribe(store.TopicResults)
		defer stopOther()

		db.Wake(store.TopicSignals, "a")
		if got := received(one); !slices.Equal(got, []string{"a"}) {
			t.Errorf("first subscriber got %v, want [a]", got)
		}
		if got := received(two); !slices.Equal(got, []string{"a"}) {
			t.Errorf("second subscriber got %v, want [a]", got)
		}
		if got := received(other); len(got) != 0 {
			t.Errorf("a subscriber of another topic got %v", got)
		}

		stopOne()
		db.Wake(store.TopicSignals, "b")
		if got := received(one); len(got) != 0 {
			t.Errorf("a stopped subscriber got %v", got)
		}
		if got := received(two); !slices.Equal(got, []string{"b"}) {
			t.Errorf("second subscriber got %v, want [b]", got)
		}

		// A subscriber that does not read never holds up Wake: wake-ups
		// past its buffer are dropped.
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 1000 {
				db.Wake(store.TopicSignals, "c")
			}
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Wake blocked on a subscriber that does not read")
		}
		if n := len(received(two)); n == 0 || n >= 1000 {
			t.Errorf("a full subscriber kept %d of 1000 wake-ups, want its buffer's worth", n)
		}
	})
}

func TestNotifyWakesThisProcessDirectly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		here, stop := db.Subscribe(store.TopicRecheck)
		defer stop()
		if err := db.Notify(ctx, store.TopicRecheck, "web1"); err != nil {
			t.Fatal(err)
		}
		if got := received(here); !slices.Equal(got, []string{"web1"}) {
			t.Errorf("this process's subscriber got %v, want [web1]", got)
		}
	})
}

func TestNotifyReachesNoOtherProcessWithoutAListener(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	ctx := context.Background()
	db, other := open(t, dsn), open(t, dsn)
	// Another process on the database hears a Notify only through a
	// LISTEN, which its leader's elector holds (see package leader).
	there, stopThere := other.Subscribe(store.TopicRecheck)
	defer stopThere()
	heard := listen(t, ctx, other)
	if err := db.Notify(ctx, store.TopicRecheck, "web2"); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-heard:
		if p != store.TopicRecheck+":web2" {
			t.Fatalf("the database carried %q, want the wake-up", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the database never carried the wake-up")
	}
	if got := received(there); len(got) != 0 {
		t.Errorf("another process without an elector got %v directly", got)
	}
}

// open opens the database at dsn, closed when the test ends.
func open(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// listen returns the payloads of the notifications of db's wake channel,
// heard on a connection of its own, until ctx ends.
func listen(t *testing.T, ctx context.Context, db *store.DB) <-chan string {
	t.Helper()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan string, 16)
	listening := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = conn.Raw(func(dc any) error {
			pc := dc.(*stdlib.Conn).Conn()
			_, err := pc.Exec(ctx, "LISTEN "+db.WakeChannel())
			listening <- err
			for err == nil {
				var n *pgconn.Notification
				if n, err = pc.WaitForNotification(ctx); err == nil {
					out <- n.Payload
				}
			}
			return err
		})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = conn.Close()
	})
	if err := <-listening; err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNotifyTxIsSentOnlyWhenItsTransactionCommits(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	heard := listen(t, ctx, db)
	here, stop := db.Subscribe(store.TopicSignals)
	defer stop()
	send := func(payload string, commit bool) {
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			if err := db.NotifyTx(ctx, tx, store.TopicSignals, payload); err != nil {
				return err
			}
			if !commit {
				return errors.New("rolled back")
			}
			return nil
		})
		if commit && err != nil {
			t.Fatal(err)
		}
	}
	send("rolled back", false)
	send("committed", true)
	// Notifications arrive in commit order: a rolled back one sent would
	// come first.
	select {
	case p := <-heard:
		if p != store.TopicSignals+":committed" {
			t.Fatalf("heard %q first, want the committed notification", p)
		}
	case <-ctx.Done():
		t.Fatal("the committed notification never came")
	}
	if got := received(here); len(got) != 0 {
		t.Errorf("NotifyTx woke this process's subscribers (%v): the caller does, after the commit", got)
	}
}

func TestAppendedCountsBySourceAndWakesTheConsumers(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	var mu sync.Mutex
	counts := map[string]int{}
	db.ObserveAppends(func(source string, n int) {
		mu.Lock()
		counts[source] += n
		mu.Unlock()
	})
	wake, stop := db.Subscribe(store.TopicSignals)
	defer stop()
	db.Appended(nil)
	if got := received(wake); len(got) != 0 {
		t.Errorf("nothing appended woke the consumers: %v", got)
	}
	db.Appended([]string{"probe", "alertmanager", "probe"})
	if got := received(wake); len(got) != 1 {
		t.Errorf("one append woke the consumers %d times, want once", len(got))
	}
	mu.Lock()
	defer mu.Unlock()
	if want := map[string]int{"probe": 2, "alertmanager": 1}; !maps.Equal(counts, want) {
		t.Errorf("counted %v, want %v", counts, want)
	}
}

func TestObserveQueriesSeesEveryOperation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		var seen []string
		db.ObserveQueries(func(op string, d time.Duration, err error) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, fmt.Sprintf("%s %v", op, err != nil))
		})
		var n int
		_ = db.QueryRowContext(ctx, `SELECT 1`).Scan(&n)
		_, _ = db.ExecContext(ctx, `SELEC 1`)
		if err := store.Each(ctx, db, "select", `SELECT 1`, nil, func(*sql.Rows) error { return nil }); err != nil {
			t.Fatal(err)
		}
		_ = db.InTx(ctx, func(*sql.Tx) error { return nil })
		_ = db.InTx(ctx, func(*sql.Tx) error { return errors.New("no") })
		mu.Lock()
		defer mu.Unlock()
		want := []string{"query false", "exec true", "query false", "tx false", "tx true"}
		if !slices.Equal(seen, want) {
			t.Errorf("observed %v, want %v", seen, want)
		}
	})
}
