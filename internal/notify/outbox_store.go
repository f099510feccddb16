package notify

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// RecordFunc is told, in the transaction that records it, of a message
// reaching its final outcome ("sent" or "dead"): the application writes
// the incident timeline's entry with it. An error rolls the outcome back.
type RecordFunc func(ctx context.Context, tx *sql.Tx, m *Message, outcome string) error

// ErrNotClaimed is returned by Sent and Failed for a message no longer
// claimed: its lease ran out and another worker took it, or staff resent
// it. The outcome is not recorded; the other delivery's will be.
var ErrNotClaimed = errors.New("message no longer claimed")

const messageColumns = `id, key, channel_id, recipient, topic, thread, incident_id, items, unsubscribe, state,
	attempts, not_before, last_error, remote_id, created_at, sent_at`

// newKey returns a random idempotency key, for messages given none.
func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Enqueue adds m to the outbox inside the caller's transaction, setting
// its ID and Key (random when empty). A message whose Key is stored
// already is left as it is: running the same work twice sends nothing
// twice. When a message to the same recipient on the same channel waits,
// not yet tried, and would leave within window of m's time, m's items are
// added to it (merged is true): it keeps its key and time, and becomes a
// summary without a thread if it now spans several incidents or windows.
// Otherwise m is stored to leave at its NotBefore, but no sooner than
// window after the last message sent or being sent to that recipient on
// that channel: one message per recipient per window.
func (s *Store) Enqueue(ctx context.Context, tx *sql.Tx, m *Message, window time.Duration) (id int64, merged bool, err error) {
	if m.Channel == "" || m.Recipient.ID == "" || len(m.Items) == 0 {
		return 0, false, errors.New("enqueue: a message needs a channel, a recipient id and items")
	}
	if m.Key == "" {
		m.Key = newKey()
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM notify_messages WHERE key = $1`, m.Key).Scan(&id)
	switch {
	case err == nil:
		m.ID = id
		return id, false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, false, fmt.Errorf("enqueue %s: %w", m.Key, err)
	}
	now := ts(s.Now())
	due := ts(m.NotBefore)
	if m.NotBefore.IsZero() {
		due = now
	}
	last, err := s.lastDelivery(ctx, tx, m.Channel, m.Recipient.ID)
	if err != nil {
		return 0, false, err
	}
	if !last.IsZero() && last.Add(window).After(due) {
		due = ts(last.Add(window))
	}
	target, err := s.mergeTarget(ctx, tx, m.Channel, m.Recipient.ID)
	if err != nil {
		return 0, false, err
	}
	if target != nil && !target.NotBefore.After(due) && !due.After(target.NotBefore.Add(window)) {
		if err := s.merge(ctx, tx, target, m, now); err != nil {
			return 0, false, err
		}
		m.ID = target.ID
		return target.ID, true, nil
	}
	m.NotBefore, m.State, m.Attempts, m.CreatedAt = due, StatePending, 0, now
	id, err = s.insert(ctx, tx, m, now)
	return id, false, err
}

// lastDelivery returns when the last message to a recipient on a channel
// left or was tried (zero when none was).
func (s *Store) lastDelivery(ctx context.Context, tx *sql.Tx, channel, recipient string) (time.Time, error) {
	var last time.Time
	for _, q := range []string{
		`SELECT sent_at FROM notify_messages WHERE channel_id = $1 AND recipient_id = $2 AND state = 'sent'
			ORDER BY sent_at DESC LIMIT 1`,
		`SELECT updated_at FROM notify_messages WHERE channel_id = $1 AND recipient_id = $2
			AND (state = 'sending' OR (state = 'pending' AND attempts > 0)) ORDER BY updated_at DESC LIMIT 1`,
	} {
		var t time.Time
		err := tx.QueryRowContext(ctx, q, channel, recipient).Scan(&t)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return time.Time{}, fmt.Errorf("last message to %s on %s: %w", recipient, channel, err)
		}
		if t.After(last) {
			last = t
		}
	}
	return last, nil
}

// mergeTarget returns the message to a recipient on a channel that waits
// untried (never sent, never failed), locked, or nil.
//
// The earliest is chosen here rather than by ORDER BY and LIMIT: with
// them, SQLite walks the due index (state, not_before) in order through
// every pending message of every recipient, which made planning an
// incident for thousands of customers quadratic; without them it takes
// the recipient's index, and a recipient has few messages waiting.
func (s *Store) mergeTarget(ctx context.Context, tx *sql.Tx, channel, recipient string) (*Message, error) {
	list, err := s.messages(ctx, tx, `WHERE channel_id = $1 AND recipient_id = $2 AND state = 'pending' AND attempts = 0
		AND sent_at IS NULL AND last_error = '' AND topic <> 'direct'`+s.db.Engine.LockRows(), channel, recipient)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	first := &list[0]
	for i := range list[1:] {
		m := &list[i+1]
		if m.NotBefore.Before(first.NotBefore) || (m.NotBefore.Equal(first.NotBefore) && m.ID < first.ID) {
			first = m
		}
	}
	return first, nil
}

// merge adds to target the items of m it does not hold yet.
func (s *Store) merge(ctx context.Context, tx *sql.Tx, target, m *Message, now time.Time) error {
	for _, it := range m.Items {
		if !holds(target.Items, &it) {
			target.Items = append(target.Items, it)
		}
	}
	if target.Thread != m.Thread || target.Summary() {
		target.Thread = ""
	}
	items, err := json.Marshal(target.Items)
	if err != nil {
		return fmt.Errorf("encode items: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE notify_messages SET items = $2, thread = $3, updated_at = $4
		WHERE id = $1 AND state = 'pending' AND attempts = 0`, target.ID, string(items), target.Thread, now)
	if err != nil {
		return fmt.Errorf("merge into message %d: %w", target.ID, err)
	}
	return nil
}

// holds reports whether items tells it already.
func holds(items []Item, it *Item) bool {
	for i := range items {
		o := &items[i]
		if o.Topic == it.Topic && o.Event == it.Event && o.IncidentID == it.IncidentID &&
			o.MaintenanceID == it.MaintenanceID && o.At.Equal(it.At) {
			return true
		}
	}
	return false
}

func (s *Store) insert(ctx context.Context, tx *sql.Tx, m *Message, now time.Time) (int64, error) {
	recipient, err := json.Marshal(m.Recipient)
	if err != nil {
		return 0, fmt.Errorf("encode recipient: %w", err)
	}
	items, err := json.Marshal(m.Items)
	if err != nil {
		return 0, fmt.Errorf("encode items: %w", err)
	}
	var incident any
	if m.IncidentID != 0 {
		incident = m.IncidentID
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO notify_messages (key, channel_id, recipient_kind, recipient_id,
		recipient, topic, thread, incident_id, items, unsubscribe, state, attempts, not_before, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0, $11, $12, $12)
		ON CONFLICT (key) DO NOTHING RETURNING id`,
		m.Key, m.Channel, m.Recipient.Kind, m.Recipient.ID, string(recipient), m.Topic, m.Thread, incident,
		string(items), m.Unsubscribe, m.NotBefore, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		// Another transaction stored the key meanwhile: the same message.
		err = tx.QueryRowContext(ctx, `SELECT id FROM notify_messages WHERE key = $1`, m.Key).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", m.Key, err)
	}
	m.ID = id
	return id, nil
}

// messages reads messages.
func (s *Store) messages(ctx context.Context, q store.Querier, where string, args ...any) ([]Message, error) {
	var out []Message
	err := store.Each(ctx, q, "read messages", `SELECT `+messageColumns+` FROM notify_messages `+where, args,
		func(rows *sql.Rows) error {
			var m Message
			var recipient, items string
			var incident sql.NullInt64
			var sent sql.NullTime
			if err := rows.Scan(&m.ID, &m.Key, &m.Channel, &recipient, &m.Topic, &m.Thread, &incident, &items,
				&m.Unsubscribe, &m.State, &m.Attempts, &m.NotBefore, &m.LastError, &m.RemoteID, &m.CreatedAt,
				&sent); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(recipient), &m.Recipient); err != nil {
				return fmt.Errorf("message %d recipient: %w", m.ID, err)
			}
			if err := json.Unmarshal([]byte(items), &m.Items); err != nil {
				return fmt.Errorf("message %d items: %w", m.ID, err)
			}
			m.IncidentID = incident.Int64
			m.NotBefore, m.CreatedAt = m.NotBefore.UTC(), m.CreatedAt.UTC()
			if sent.Valid {
				t := sent.Time.UTC()
				m.SentAt = &t
			}
			out = append(out, m)
			return nil
		})
	if err != nil {
		return nil, s.db.MapError(err)
	}
	return out, nil
}

// message reads one message.
func (s *Store) message(ctx context.Context, q store.Querier, id int64) (Message, error) {
	list, err := s.messages(ctx, q, `WHERE id = $1`, id)
	if err != nil {
		return Message{}, err
	}
	if len(list) == 0 {
		return Message{}, store.NotFound("notification", id)
	}
	return list[0], nil
}
