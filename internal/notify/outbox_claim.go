package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/secret"
	"github.com/vigie/vigie/internal/store"
)

// The retry policy: a failed message is tried again after a delay that
// doubles from BackoffBase up to BackoffCap, jittered; after
// DefaultMaxAttempts tries it goes to the dead letters.
const (
	BackoffBase        = 15 * time.Second
	BackoffCap         = time.Hour
	DefaultMaxAttempts = 8
	// maxRetryAfter bounds a peer's Retry-After hint.
	maxRetryAfter = 24 * time.Hour
	// maxLastError bounds the error kept on a message.
	maxLastError = 1000
)

// Backoff returns how long to wait after the attempt-th failed try (from
// 1): BackoffBase doubled attempt-1 times, at most BackoffCap, with full
// jitter in its upper half, so that messages failing together spread out.
func Backoff(attempt int) time.Duration { return backoff(attempt, rand.Float64()) }

// backoff is Backoff with the jitter f in [0, 1).
func backoff(attempt int, f float64) time.Duration {
	d := BackoffBase
	for i := 1; i < attempt && d < BackoffCap; i++ {
		d *= 2
	}
	d = min(d, BackoffCap)
	return d/2 + time.Duration(f*float64(d/2))
}

// Claimed is a message a worker took, with what its thread remembers.
type Claimed struct {
	Message Message
	Thread  Thread
}

// threadedKinds are the kinds whose messages of a thread follow one
// another (replies), so that they are sent one at a time, in order.
var threadedKinds = []Kind{KindMastodon, KindDiscourse}

// Claim takes up to limit messages due at now for a worker, for lease: a
// message waiting for its time, or one whose earlier claim ran out (its
// worker died mid-send), counting one more attempt. Messages of disabled
// channels wait; those of deleted channels are claimed, for the worker to
// dead-letter. On threaded channels only the oldest unsent message of
// each thread is taken. Two workers never claim the same message.
func (s *Store) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Claimed, error) {
	if limit <= 0 {
		return nil, nil
	}
	now = ts(now)
	q := claimQuery(s.db.Engine)
	var out []Claimed
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		var args []any
		err := store.Each(ctx, tx, "claim messages", q, []any{now, ts(now.Add(lease)), limit}, func(rows *sql.Rows) error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			args = append(args, id)
			return nil
		})
		if err != nil || len(args) == 0 {
			return err
		}
		list, err := s.messages(ctx, tx, `WHERE id IN `+s.db.Engine.List(len(args))+` ORDER BY not_before, id`, args...)
		if err != nil {
			return err
		}
		for _, m := range list {
			c := Claimed{Message: m, Thread: Thread{Key: m.Thread}}
			if m.Thread != "" {
				c.Thread.RemoteID, err = threadOf(ctx, tx, m.Channel, m.Thread)
				if err != nil {
					return err
				}
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim messages: %w", err)
	}
	return out, nil
}

// claimQuery is the statement claiming due messages ($1 now, $2 the end
// of the lease, $3 the limit), returning their ids.
func claimQuery(e store.Engine) string {
	threaded := make([]string, len(threadedKinds))
	for i, k := range threadedKinds {
		threaded[i] = "'" + string(k) + "'"
	}
	from := `FROM notify_messages m LEFT JOIN notify_channels c ON c.id = m.channel_id`
	claimable := `(c.id IS NULL OR c.enabled)
			AND (c.id IS NULL OR c.kind NOT IN (` + strings.Join(threaded, ", ") + `) OR m.thread = '' OR NOT EXISTS (
				SELECT 1 FROM notify_messages o WHERE o.channel_id = m.channel_id AND o.thread = m.thread
				AND o.state IN ('pending', 'sending') AND o.id < m.id))`
	update := `UPDATE notify_messages SET state = 'sending', lease_until = $2, attempts = attempts + 1, updated_at = $1
		WHERE id IN (SELECT id FROM due)`
	if e == store.Postgres {
		// The due rows are chosen once, in a materialized CTE: PostgreSQL
		// may run a LIMIT sub-select of an UPDATE's WHERE more than once.
		return `WITH due AS MATERIALIZED (SELECT m.id ` + from + `
			WHERE ((m.state = 'pending' AND m.not_before <= $1) OR (m.state = 'sending' AND m.lease_until < $1))
			AND ` + claimable + `
			ORDER BY m.not_before, m.id LIMIT $3 FOR UPDATE OF m SKIP LOCKED)
		` + update + `
		AND ((state = 'pending' AND not_before <= $1) OR (state = 'sending' AND lease_until < $1)) RETURNING id`
	}
	// SQLite: the due messages and the expired leases are found apart, each
	// walking the due index (state, not_before) in order and stopping at
	// the limit. One condition with OR made SQLite gather every due
	// message and sort them at each claim, which, with thousands waiting
	// and a claim per message sent, cost more than the sending. The
	// statement is atomic and SQLite has one writer: the rows chosen are
	// still claimable when updated.
	return `WITH due AS MATERIALIZED (
			SELECT id, not_before FROM (SELECT m.id, m.not_before ` + from + `
				WHERE m.state = 'pending' AND m.not_before <= $1 AND ` + claimable + `
				ORDER BY m.not_before, m.id LIMIT $3)
			UNION ALL
			SELECT id, not_before FROM (SELECT m.id, m.not_before ` + from + `
				WHERE m.state = 'sending' AND m.lease_until < $1 AND ` + claimable + `
				ORDER BY m.not_before, m.id LIMIT $3)
			ORDER BY not_before, id LIMIT $3)
		` + update + ` RETURNING id`
}

// threadOf returns the remote id of a thread's last sent message, or "".
func threadOf(ctx context.Context, q *sql.Tx, channel, thread string) (string, error) {
	var remote string
	err := q.QueryRowContext(ctx, `SELECT remote_id FROM notify_threads WHERE channel_id = $1 AND thread = $2`,
		channel, thread).Scan(&remote)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("thread %s of %s: %w", thread, channel, err)
	}
	return remote, nil
}

// Sent records a claimed message as delivered, remoteID being what the
// channel created: kept on the message and as its thread's last, for the
// next message of the thread to follow. record, when not nil, runs in the
// same transaction.
func (s *Store) Sent(ctx context.Context, id int64, remoteID string, now time.Time, record RecordFunc) error {
	now = ts(now)
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notify_messages SET state = 'sent', remote_id = $2, sent_at = $3,
			updated_at = $3, lease_until = NULL WHERE id = $1 AND state = 'sending'`, id, remoteID, now)
		if err != nil {
			return fmt.Errorf("message %d sent: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("message %d sent: %w", id, ErrNotClaimed)
		}
		m, err := s.message(ctx, tx, id)
		if err != nil {
			return err
		}
		if m.Thread != "" && remoteID != "" {
			_, err = tx.ExecContext(ctx, `INSERT INTO notify_threads (channel_id, thread, remote_id, updated_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT (channel_id, thread) DO UPDATE SET remote_id = excluded.remote_id,
				updated_at = excluded.updated_at`, m.Channel, m.Thread, remoteID, now)
			if err != nil {
				return fmt.Errorf("thread %s of %s: %w", m.Thread, m.Channel, err)
			}
		}
		if record != nil {
			return record(ctx, tx, &m, string(StateSent))
		}
		return nil
	})
}

// Failed records a failed try of a claimed message: it waits Backoff
// (longer if the error asks, with a RetryAfter() time.Duration method),
// or goes to the dead letters when the error is Permanent or it was its
// MaxAttempts-th try; record, when not nil, runs in the same transaction
// then.
func (s *Store) Failed(ctx context.Context, id int64, cause error, now time.Time, record RecordFunc) error {
	return s.failed(ctx, id, cause, now, s.MaxAttempts, record)
}

func (s *Store) failed(ctx context.Context, id int64, cause error, now time.Time, maxAttempts int, record RecordFunc) error {
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	now = ts(now)
	msg := lastError(cause)
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var attempts int
		var state State
		err := tx.QueryRowContext(ctx, `SELECT attempts, state FROM notify_messages WHERE id = $1`+s.db.Engine.LockRows(), id).
			Scan(&attempts, &state)
		if err != nil {
			return fmt.Errorf("message %d failed: %w", id, err)
		}
		if state != StateSending {
			return fmt.Errorf("message %d failed: %w", id, ErrNotClaimed)
		}
		if IsPermanent(cause) || attempts >= maxAttempts {
			_, err = tx.ExecContext(ctx, `UPDATE notify_messages SET state = 'dead', last_error = $2, updated_at = $3,
				lease_until = NULL WHERE id = $1`, id, msg, now)
			if err != nil {
				return fmt.Errorf("message %d dead: %w", id, err)
			}
			if record == nil {
				return nil
			}
			m, err := s.message(ctx, tx, id)
			if err != nil {
				return err
			}
			return record(ctx, tx, &m, string(StateDead))
		}
		delay := Backoff(attempts)
		var hint interface{ RetryAfter() time.Duration }
		if errors.As(cause, &hint) {
			delay = max(delay, min(hint.RetryAfter(), maxRetryAfter))
		}
		_, err = tx.ExecContext(ctx, `UPDATE notify_messages SET state = 'pending', not_before = $2, last_error = $3,
			updated_at = $4, lease_until = NULL WHERE id = $1`, id, ts(now.Add(delay)), msg, now)
		if err != nil {
			return fmt.Errorf("message %d retry: %w", id, err)
		}
		return nil
	})
}

// lastError is what is kept of an error on a message: without any secret
// the redaction recognises, and bounded.
func lastError(err error) string {
	if err == nil {
		return "unknown error"
	}
	msg := secret.Redact(err.Error())
	if len(msg) > maxLastError {
		msg = msg[:maxLastError] + "…"
	}
	return msg
}

// release gives back a claimed message untried, to leave at notBefore:
// its claim counts for no attempt.
func (s *Store) release(ctx context.Context, id int64, notBefore time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE notify_messages SET state = 'pending', not_before = $2, lease_until = NULL,
		attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END WHERE id = $1 AND state = 'sending'`, id, ts(notBefore))
	if err != nil {
		return fmt.Errorf("release message %d: %w", id, s.db.MapError(err))
	}
	return nil
}
