package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// States lists every state of a message.
var States = []State{StatePending, StateSending, StateSent, StateDead}

// ListFilter chooses messages; zero fields choose all.
type ListFilter struct {
	State      State
	Channel    string
	IncidentID int64
	// AfterID is the cursor: the last id of the previous page.
	AfterID int64
	// Limit is at most this many (default 100, at most 1000).
	Limit int
}

// DefaultListLimit is how many messages List returns when not told.
const DefaultListLimit = 100

// FilterError is a filter refused: its text says why and may be shown.
type FilterError struct{ Message string }

func (e *FilterError) Error() string { return e.Message }

func (f *ListFilter) where() (string, []any, error) {
	where, args := "WHERE id > $1", []any{f.AfterID}
	if f.State != "" {
		if !slices.Contains(States, f.State) {
			return "", nil, &FilterError{fmt.Sprintf("state: want pending, sending, sent or dead, got %q", f.State)}
		}
		args = append(args, f.State)
		where += " AND state = $" + strconv.Itoa(len(args))
	}
	if f.Channel != "" {
		args = append(args, f.Channel)
		where += " AND channel_id = $" + strconv.Itoa(len(args))
	}
	if f.IncidentID != 0 {
		args = append(args, f.IncidentID)
		where += " AND incident_id = $" + strconv.Itoa(len(args))
	}
	return where, args, nil
}

// Messages returns the messages f chooses, oldest first.
func (s *Store) Messages(ctx context.Context, f ListFilter) ([]Message, error) {
	where, args, err := f.where()
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, 1000)
	return s.messages(ctx, s.db, where+" ORDER BY id LIMIT "+strconv.Itoa(limit), args...)
}

// Message returns one message.
func (s *Store) Message(ctx context.Context, id int64) (Message, error) {
	return s.message(ctx, s.db, id)
}

// ErrNotResendable is returned by Resend for a message still pending or
// being sent.
var ErrNotResendable = errors.New("only a dead or sent message can be resent")

// Resend sends a dead or sent message again, now, with a fresh count of
// attempts and the same key; its last error is kept, for history.
func (s *Store) Resend(ctx context.Context, id int64) (Message, error) {
	var m Message
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := ts(s.Now())
		res, err := tx.ExecContext(ctx, `UPDATE notify_messages SET state = 'pending', attempts = 0, not_before = $2,
			lease_until = NULL, updated_at = $2 WHERE id = $1 AND state IN ('dead', 'sent')`, id, now)
		if err != nil {
			return fmt.Errorf("resend message %d: %w", id, err)
		}
		if m, err = s.message(ctx, tx, id); err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.ConflictError{Message: fmt.Sprintf("notification %d is %s: %s", id, m.State, ErrNotResendable), Err: ErrNotResendable}
		}
		// The workers take it at once, wherever the leader is.
		return s.db.NotifyTx(ctx, tx, store.TopicMessages, "")
	})
	return m, err
}

// ResendAll sends again, now, every dead message f chooses (its State
// must be dead or empty; its cursor and limit are ignored), and returns
// how many.
func (s *Store) ResendAll(ctx context.Context, f ListFilter) (int64, error) {
	if f.State != "" && f.State != StateDead {
		return 0, &FilterError{fmt.Sprintf("state: only dead messages are resent in bulk, not %q", f.State)}
	}
	f.State, f.AfterID = StateDead, 0
	where, args, err := f.where()
	if err != nil {
		return 0, err
	}
	args = append(args, ts(s.Now()))
	now := "$" + strconv.Itoa(len(args))
	res, err := s.db.ExecContext(ctx, `UPDATE notify_messages SET state = 'pending', attempts = 0, not_before = `+now+`,
		lease_until = NULL, updated_at = `+now+` `+where, args...)
	if err != nil {
		return 0, fmt.Errorf("resend dead messages: %w", s.db.MapError(err))
	}
	n, _ := res.RowsAffected()
	if n > 0 {
		if err := s.db.Notify(ctx, store.TopicMessages, ""); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Counts returns how many messages are in each state.
func (s *Store) Counts(ctx context.Context) (map[State]int64, error) {
	out := map[State]int64{}
	err := store.Each(ctx, s.db, "count messages", `SELECT state, COUNT(*) FROM notify_messages GROUP BY state`, nil,
		func(rows *sql.Rows) error {
			var st State
			var n int64
			if err := rows.Scan(&st, &n); err != nil {
				return err
			}
			out[st] = n
			return nil
		})
	return out, s.db.MapError(err)
}

// NextDue returns when the next message waiting on an enabled channel is
// due, or a claim runs out; ok is false when nothing waits.
func (s *Store) NextDue(ctx context.Context) (next time.Time, ok bool, err error) {
	for _, q := range []string{
		`SELECT m.not_before FROM notify_messages m JOIN notify_channels c ON c.id = m.channel_id
			WHERE m.state = 'pending' AND c.enabled ORDER BY m.not_before LIMIT 1`,
		`SELECT lease_until FROM notify_messages WHERE state = 'sending' ORDER BY lease_until LIMIT 1`,
	} {
		var t time.Time
		err := s.db.QueryRowContext(ctx, q).Scan(&t)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return time.Time{}, false, fmt.Errorf("next due message: %w", s.db.MapError(err))
		}
		if !ok || t.Before(next) {
			next, ok = t.UTC(), true
		}
	}
	return next, ok, nil
}
