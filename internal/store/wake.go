package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
)

// WakeChannel is the PostgreSQL notification channel that carries wake-ups
// between the processes sharing this database; it is named after the
// schema, so that other Vigie databases on the same server are not woken.
func (db *DB) WakeChannel() string {
	return fmt.Sprintf("vigie_wake_%08x", db.scope)
}

// Topics of wake-ups: what was just written, for whom it may be work.
const (
	TopicSignals   = "signals"   // the signal log grew: the incident engine
	TopicResults   = "results"   // remote results queued: the detector
	TopicHeartbeat = "heartbeat" // a job reported; the payload is its check key
	TopicRecheck   = "recheck"   // run now the checks of these assets (space-separated)
	TopicOutbox    = "outbox"    // notification triggers written: the planner
	TopicMessages  = "messages"  // notification messages queued: the delivery workers
)

// hub hands wake-ups to the subscribers of this process. A wake-up is a
// hint, never the data: consumers also poll, so one dropped because a
// subscriber is busy delays work, never loses it.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan string]struct{}
}

// Subscribe returns a channel receiving the payloads of the wake-ups of
// topic, and a function to stop.
func (db *DB) Subscribe(topic string) (<-chan string, func()) {
	h := &db.wakes
	ch := make(chan string, 64)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[string]map[chan string]struct{}{}
	}
	if h.subs[topic] == nil {
		h.subs[topic] = map[chan string]struct{}{}
	}
	h.subs[topic][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[topic], ch)
		h.mu.Unlock()
	}
}

// Wake tells this process's subscribers of topic, without blocking.
func (db *DB) Wake(topic, payload string) {
	h := &db.wakes
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[topic] {
		select {
		case ch <- payload:
		default:
		}
	}
}

// NotifyTx queues a wake-up sent when tx commits: by PostgreSQL to every
// process on the database; on SQLite, where one server runs, to this
// process's subscribers when tx is one of InTx's (call Wake after the
// commit of any other).
func (db *DB) NotifyTx(ctx context.Context, tx *sql.Tx, topic, payload string) error {
	if db.Engine != Postgres {
		// Only InTx's transactions are followed to their commit; the
		// list belongs to the goroutine running the transaction.
		if v, ok := db.afterCommit.Load(tx); ok {
			list := v.(*[]string)
			if !slices.Contains(*list, topic+":"+payload) {
				*list = append(*list, topic+":"+payload)
			}
		}
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, db.WakeChannel(), topic+":"+payload); err != nil {
		return fmt.Errorf("notify %s: %w", topic, err)
	}
	return nil
}

// Notify wakes the subscribers of topic in this process and, on
// PostgreSQL, in the other processes on the database.
func (db *DB) Notify(ctx context.Context, topic, payload string) error {
	db.Wake(topic, payload)
	if db.Engine != Postgres {
		return nil
	}
	if _, err := db.ExecContext(ctx, `SELECT pg_notify($1, $2)`, db.WakeChannel(), topic+":"+payload); err != nil {
		return fmt.Errorf("notify %s: %w", topic, err)
	}
	return nil
}
