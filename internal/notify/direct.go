package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/vigie/vigie/internal/store"
)

// TopicDirect is a mail to one person that is not about an incident or a
// window: an invitation, a sign-in link, a reply to a support ticket. It
// ignores opt-outs and is never merged with other messages.
const TopicDirect Topic = "direct"

// ErrNoMailChannel is returned by EnqueueDirect when no enabled e-mail
// channel serves the audience.
var ErrNoMailChannel = errors.New("no enabled e-mail channel serves this audience: add one with `vigie channel add`")

// Direct is what a direct mail says, in both languages; the recipient's
// language picks one.
type Direct struct {
	// Key is the idempotency key: a second EnqueueDirect with the same key
	// queues nothing more ("" makes one up).
	Key           string
	Subject, Body Text
	// Link is the one button of the mail, LinkLabel its label.
	Link      string
	LinkLabel Text
	// Thread groups the mails of one conversation (a ticket): each one
	// answers the first in the recipient's mail reader.
	Thread string
}

// EnqueueDirect queues d for to in tx, on the first enabled e-mail channel
// (by id) that serves audience. The mail leaves at once, whatever the
// recipient was sent before.
func (s *Store) EnqueueDirect(ctx context.Context, tx *sql.Tx, audience Audience, to Recipient, d Direct) (int64, error) {
	if to.Address == "" || to.ID == "" {
		return 0, errors.New("direct mail: the recipient needs an id and an address")
	}
	if d.Subject.FR == "" && d.Subject.EN == "" {
		return 0, errors.New("direct mail: a subject is needed")
	}
	channels, err := s.channels(ctx, tx, `WHERE kind = $1 AND enabled ORDER BY id`, string(KindEmail))
	if err != nil {
		return 0, fmt.Errorf("direct mail: %w", err)
	}
	i := slices.IndexFunc(channels, func(ch Channel) bool { return slices.Contains(ch.Audiences, audience) })
	if i < 0 {
		return 0, ErrNoMailChannel
	}
	if d.Key == "" {
		d.Key = newKey()
	}
	now := ts(s.Now())
	m := &Message{Key: d.Key, Channel: channels[i].ID, Recipient: to, Topic: TopicDirect, Thread: d.Thread,
		Items: []Item{{Topic: TopicDirect, Event: "direct", At: now, Title: d.Subject, Body: d.Body,
			Link: d.Link, LinkLabel: d.LinkLabel}},
		NotBefore: now, State: StatePending}
	var id int64
	switch err := tx.QueryRowContext(ctx, `SELECT id FROM notify_messages WHERE key = $1`, d.Key).Scan(&id); {
	case err == nil:
		return id, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("direct mail %s: %w", d.Key, err)
	}
	if id, err = s.insert(ctx, tx, m, now); err != nil {
		return 0, err
	}
	// Wake the delivery workers at commit: without it the mail would wait
	// for their next look at an idle outbox, up to half a minute.
	if err := s.db.NotifyTx(ctx, tx, store.TopicMessages, ""); err != nil {
		return 0, fmt.Errorf("direct mail %s: %w", d.Key, err)
	}
	return id, nil
}

// direct fills v with a direct mail: its subject as the title, its body,
// and its one link.
func (w *words) direct(m *Message, v *view) {
	it := &m.Items[0]
	v.Subject = it.Title.In(w.lang)
	e := entry{Title: v.Subject, Updates: []update{{Body: it.Body.In(w.lang)}}}
	if it.Link != "" {
		label := it.LinkLabel.In(w.lang)
		if label == "" {
			label = it.Link
		}
		e.Links = []link{{Label: label, Lead: w.t("NotifyLabel", "Label", label), URL: it.Link}}
	}
	v.Entries = []entry{e}
}
