package support

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigie/vigie/internal/store"
)

// The limits of texts, in characters.
const (
	MaxSubject = 200
	MaxBody    = 20000
)

// NewTicket is what a customer sends to open a ticket.
type NewTicket struct {
	Customer string
	// Asset is one of the customer's assets, or "" for none.
	Asset   string
	Subject string
	Body    string
	Files   []Upload
	By      Actor
}

// checkText trims a text and refuses it empty or longer than max.
func checkText(field, v string, max int) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", invalid(field, "required")
	case utf8.RuneCountInString(v) > max:
		return "", invalid(field, "at most %d characters", max)
	case !utf8.ValidString(v):
		return "", invalid(field, "not valid UTF-8")
	}
	return v, nil
}

// checkMessage checks a message's text and files.
func checkMessage(body string, uploads []Upload) (string, []prepared, error) {
	body, err := checkText("body", body, MaxBody)
	if err != nil {
		return "", nil, err
	}
	files, err := prepare(uploads)
	return body, files, err
}

// opening is a new ticket checked, with what its transaction writes
// beside it.
type opening struct {
	t        Ticket
	body     string
	files    []prepared
	known    Known
	touching []int64
	plan     mailPlan
}

// checkOpening checks a new ticket and finds what it is linked to, what
// the form showed and who is mailed.
func (s *Store) checkOpening(ctx context.Context, nt NewTicket) (opening, error) {
	var o opening
	subject, err := checkText("subject", nt.Subject, MaxSubject)
	if err != nil {
		return o, err
	}
	if o.body, o.files, err = checkMessage(nt.Body, nt.Files); err != nil {
		return o, err
	}
	if o.known, err = s.Known(ctx, nt.Customer, nt.Asset); err != nil {
		return o, err // an asset not theirs among them
	}
	if nt.Asset != "" {
		incs, err := s.touching(ctx, nt.Asset)
		if err != nil {
			return o, err
		}
		for _, inc := range incs {
			o.touching = append(o.touching, inc.ID)
		}
	}
	now := s.now()
	o.t = Ticket{Customer: nt.Customer, Asset: nt.Asset, Subject: subject, Status: Open, Priority: Normal,
		OpenedBy: nt.By.label(), CreatedAt: now, UpdatedAt: now}
	o.plan, err = s.planMail(ctx, o.t, false)
	return o, err
}

// Open opens a ticket for a customer with its first message. A ticket on
// an asset an open incident touches is linked to it at once (and the
// incident's first customer contact recorded); one sent although the form
// showed a known incident or maintenance on the asset is counted.
func (s *Store) Open(ctx context.Context, nt NewTicket) (Thread, error) {
	o, err := s.checkOpening(ctx, nt)
	if err != nil {
		return Thread{}, err
	}
	undo, err := s.writeFiles(o.files)
	if err != nil {
		return Thread{}, err
	}
	t, now := o.t, o.t.CreatedAt
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO tickets (customer_id, asset, subject, status, priority, assignee, opened_by,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8) RETURNING id`, t.Customer, t.Asset, t.Subject,
			t.Status, t.Priority, t.OpenedBy, t.CreatedAt, t.UpdatedAt).Scan(&t.ID)
		if err != nil {
			return fmt.Errorf("open ticket: %w", err)
		}
		m, err := s.addMessage(ctx, tx, t.ID, nt.By, false, o.body, o.files, now)
		if err != nil {
			return err
		}
		for _, id := range o.touching {
			if err := s.link(ctx, tx, t, id, LinkedAtOpen, now); err != nil {
				return err
			}
		}
		if !o.known.Empty() {
			if err := recordDeflection(ctx, tx, t.Customer, t.Asset, o.known, SentAnyway, now); err != nil {
				return err
			}
		}
		return s.mailMessage(ctx, tx, o.plan, t, m, true)
	})
	if err != nil {
		undo()
		return Thread{}, err
	}
	return s.CustomerThread(ctx, t.Customer, t.ID)
}

// addMessage writes a message and its attachments in tx.
func (s *Store) addMessage(ctx context.Context, tx *sql.Tx, ticket int64, by Actor, internal bool, body string,
	files []prepared, at time.Time) (Message, error) {
	m := Message{TicketID: ticket, At: at, AuthorKind: by.Kind, Author: by.label(), Internal: internal, Body: body}
	err := tx.QueryRowContext(ctx, `INSERT INTO ticket_messages (ticket_id, at, author_kind, author, internal, body)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, m.TicketID, m.At, m.AuthorKind, m.Author, m.Internal, m.Body).Scan(&m.ID)
	if err != nil {
		return Message{}, fmt.Errorf("add message to ticket %d: %w", ticket, err)
	}
	if m.Attachments, err = insertAttachments(ctx, tx, ticket, m.ID, at, files); err != nil {
		return Message{}, err
	}
	return m, nil
}

// touch records a ticket's new status and the time of its change in tx.
func touch(ctx context.Context, tx *sql.Tx, t *Ticket, at time.Time) error {
	t.UpdatedAt = at
	_, err := tx.ExecContext(ctx, `UPDATE tickets SET status = $2, priority = $3, assignee = $4, updated_at = $5
		WHERE id = $1`, t.ID, t.Status, t.Priority, t.Assignee, t.UpdatedAt)
	if err != nil {
		return fmt.Errorf("update ticket %d: %w", t.ID, err)
	}
	return nil
}

// CustomerReply adds a customer's message to their ticket id: a waiting or
// resolved ticket opens again; a closed one takes no more messages.
// Another customer's ticket is not found.
func (s *Store) CustomerReply(ctx context.Context, customer string, id int64, by Actor, body string, uploads []Upload) (Message, error) {
	if customer == "" {
		return Message{}, store.NotFound("ticket", id)
	}
	return s.reply(ctx, id, customer, by, body, uploads, func(t *Ticket) error {
		switch t.Status {
		case Closed:
			return invalid("status", "this ticket is closed; open a new one")
		case Waiting, Resolved:
			t.Status = Open
		}
		return nil
	})
}

// StaffReply adds a staff member's answer to ticket id, which the
// customer's contacts are told of by mail. The ticket moves to status to;
// without one, an open ticket waits on the customer.
func (s *Store) StaffReply(ctx context.Context, id int64, by Actor, body string, uploads []Upload, to Status) (Message, error) {
	return s.reply(ctx, id, "", by, body, uploads, func(t *Ticket) error {
		if t.Status == Closed {
			return invalid("status", "this ticket is closed")
		}
		switch {
		case to == "" && t.Status == Open:
			t.Status = Waiting
		case to != "" && to != t.Status && !t.Status.CanMove(to):
			return invalid("status", "cannot move from %s to %s", t.Status, to)
		case to != "":
			t.Status = to
		}
		return nil
	})
}

// reply adds a message from by to ticket id (of customer, or any for
// staff), moving its status as move says, and mails the other side.
func (s *Store) reply(ctx context.Context, id int64, customer string, by Actor, body string, uploads []Upload,
	move func(t *Ticket) error) (Message, error) {
	body, files, err := checkMessage(body, uploads)
	if err != nil {
		return Message{}, err
	}
	pre, err := ticketIn(ctx, s.db, id, customer, "")
	if err != nil {
		return Message{}, err
	}
	plan, err := s.planMail(ctx, pre, by.Kind != ByCustomer)
	if err != nil {
		return Message{}, err
	}
	var m Message
	err = s.withTicket(ctx, id, customer, files, func(tx *sql.Tx, t *Ticket, now time.Time) error {
		if err := move(t); err != nil {
			return err
		}
		if m, err = s.addMessage(ctx, tx, t.ID, by, false, body, files, now); err != nil {
			return err
		}
		if err := touch(ctx, tx, t, now); err != nil {
			return err
		}
		return s.mailMessage(ctx, tx, plan, *t, m, false)
	})
	return m, err
}

// Note adds a staff note to ticket id: internal, never shown to the
// customer nor mailed.
func (s *Store) Note(ctx context.Context, id int64, by Actor, body string, uploads []Upload) (Message, error) {
	body, files, err := checkMessage(body, uploads)
	if err != nil {
		return Message{}, err
	}
	var m Message
	err = s.withTicket(ctx, id, "", files, func(tx *sql.Tx, t *Ticket, now time.Time) error {
		if m, err = s.addMessage(ctx, tx, t.ID, by, true, body, files, now); err != nil {
			return err
		}
		return touch(ctx, tx, t, now)
	})
	return m, err
}

// withTicket runs fn in a transaction holding ticket id (of customer, or
// any for "") with the files stored first, and removed again when fn
// fails.
func (s *Store) withTicket(ctx context.Context, id int64, customer string, files []prepared,
	fn func(tx *sql.Tx, t *Ticket, now time.Time) error) error {
	undo, err := s.writeFiles(files)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		t, err := ticketIn(ctx, tx, id, customer, s.db.Engine.LockRows())
		if err != nil {
			return err
		}
		return fn(tx, &t, now)
	})
	if err != nil {
		undo()
	}
	return err
}
