// Package leader elects, among the servers sharing one database, the one
// that runs the singleton work: the incident engine, the built-in probe,
// rollups and retention. On PostgreSQL the leader holds a session-level
// advisory lock on a connection of its own, which also listens for the
// wake-ups other servers send; on SQLite one server runs per file (a file
// lock keeps a second one out), so it leads at once.
package leader

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/vigie/vigie/internal/store"
)

// Options tune the election; the zero value is the default.
type Options struct {
	// Retry is how often a follower tries to take the lead (default 2 s),
	// so that a leader that died is replaced within a few seconds.
	Retry time.Duration
	// OnChange, when set, is told when this process starts or stops
	// leading.
	OnChange func(leading bool)
	// Verify is how often the leader checks, on another connection, that
	// the database still sees its lock (default 5 s).
	Verify time.Duration
}

// Run calls lead each time this process becomes the leader, with a
// context that ends when it stops leading, until ctx ends; it returns once
// lead returned. Leadership is kept through a lost connection as long as
// no other server took it: when the database comes back, the same
// leader goes on; it steps down only when another one holds the lock.
func Run(ctx context.Context, db *store.DB, log *slog.Logger, opts Options, lead func(ctx context.Context)) {
	if opts.Retry <= 0 {
		opts.Retry = 2 * time.Second
	}
	if opts.OnChange == nil {
		opts.OnChange = func(bool) {}
	}
	if opts.Verify <= 0 {
		opts.Verify = 5 * time.Second
	}
	if db.Engine != store.Postgres {
		opts.OnChange(true)
		lead(ctx)
		opts.OnChange(false)
		return
	}
	e := &elector{db: db, log: log, opts: opts, lead: lead}
	e.run(ctx)
}

type elector struct {
	db   *store.DB
	log  *slog.Logger
	opts Options
	lead func(ctx context.Context)

	stop func() // ends the leader's work and waits for it; nil while following
}

func (e *elector) run(ctx context.Context) {
	defer e.stepDown()
	for ctx.Err() == nil {
		held, err := e.hold(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case held:
			// The lock's connection was lost: keep leading while trying
			// to take the lock back.
			e.log.Warn("leader: lock connection lost; trying to take it back", "err", err)
		case err != nil && e.stop != nil:
			e.log.Warn("leader: cannot reach the database; still leading", "err", err)
		case err != nil:
			e.log.Debug("leader: election", "err", err)
		case e.stop != nil:
			e.log.Warn("leader: another server holds the lead; stepping down")
			e.stepDown()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(e.retryDelay()):
		}
	}
}

func (e *elector) retryDelay() time.Duration {
	if e.stop != nil {
		return 500 * time.Millisecond // a leader takes its lock back quickly
	}
	return e.opts.Retry
}

// hold tries to take the lock and, when it does, leads and listens until
// the connection fails or ctx ends. held reports whether it had the lock.
func (e *elector) hold(ctx context.Context) (held bool, err error) {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("leader connection: %w", err)
	}
	defer func() { _ = conn.Close() }()
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, e.db.LockKey(store.LockLeader)).Scan(&got); err != nil {
		return false, fmt.Errorf("leader lock: %w", err)
	}
	if !got {
		return false, nil
	}
	// The lock is ours until this connection ends, and the connection
	// must then not go back to the pool still holding it. Stopping, it is
	// released only once the work ended, so that the next leader finds
	// what this one wrote on its way out and never runs beside it.
	defer func() {
		if ctx.Err() != nil {
			e.stepDown()
			uctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_, _ = conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, e.db.LockKey(store.LockLeader))
		}
	}()
	var pid int
	if err := conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		return true, fmt.Errorf("leader session: %w", err)
	}
	if e.stop == nil {
		e.log.Info("leader: this server leads")
		e.startLeading(ctx)
	} else {
		e.log.Info("leader: lock taken back")
	}
	holdCtx, lost := context.WithCancel(ctx)
	defer lost()
	go e.verify(holdCtx, pid, lost)
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("leader: unexpected driver connection %T", dc)
		}
		pc := c.Conn()
		defer func() {
			if holdCtx.Err() != nil && ctx.Err() == nil {
				// The database says the lock is gone while this connection
				// noticed nothing: it is dead or cut off. End it, so that it
				// can never go back to the pool, lock or not.
				cctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				_ = pc.Close(cctx)
			}
		}()
		if _, err := pc.Exec(holdCtx, "LISTEN "+e.db.WakeChannel()); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		for {
			n, err := pc.WaitForNotification(holdCtx)
			if err != nil {
				return err
			}
			topic, payload, _ := strings.Cut(n.Payload, ":")
			e.db.Wake(topic, payload)
		}
	})
	return true, err
}

// verify asks the database, on another connection, every Verify, whether
// the leader's session still holds its lock: a connection silently cut
// (a firewall dropping it, a session killed whose close never arrived)
// shows nothing on the connection itself until TCP keepalive, minutes
// later. When the lock is gone it calls lost.
func (e *elector) verify(ctx context.Context, pid int, lost func()) {
	t := time.NewTicker(e.opts.Verify)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		qctx, cancel := context.WithTimeout(ctx, e.opts.Verify)
		var held bool
		err := e.db.QueryRowContext(qctx, `SELECT EXISTS (SELECT 1 FROM pg_locks
			WHERE pid = $1 AND locktype = 'advisory' AND granted)`, pid).Scan(&held)
		cancel()
		if err == nil && !held {
			e.log.Warn("leader: the database no longer sees this server's lock; its connection is cut", "pid", pid)
			lost()
			return
		}
	}
}

func (e *elector) startLeading(ctx context.Context) {
	lctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		e.lead(lctx)
	}()
	e.opts.OnChange(true)
	e.stop = func() {
		cancel()
		wg.Wait()
		e.opts.OnChange(false)
	}
}

func (e *elector) stepDown() {
	if e.stop != nil {
		e.stop()
		e.stop = nil
	}
}
