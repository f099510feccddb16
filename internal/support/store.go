package support

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
)

// DefaultWindow is how long before an incident's detection a ticket on
// an asset it touches may have been opened and still be linked to it.
const DefaultWindow = 2 * time.Hour

// Options are what a Store is built on.
type Options struct {
	Incidents   *incident.Store
	Maintenance *incident.MaintenanceStore
	// Inventory gives the graph (which incident touches which asset) and
	// the customers (their language and zone).
	Inventory *inventory.Service
	// Auth gives the contacts and staff users mails go to, and checks
	// assignees.
	Auth *auth.Service
	// Mailer queues the e-mails of the thread (optional: none are sent).
	Mailer Mailer
	// Texts are the messages in French and English.
	Texts *i18n.Bundle
	// Attachments is the directory files are stored in, outside any web
	// root; "" refuses attachments.
	Attachments string
	// Window is how long before an incident's detection a ticket may have
	// been opened and be linked to it (default DefaultWindow).
	Window time.Duration
	// PublicURL is the server's address, for the links of mails.
	PublicURL string
	Now       func() time.Time
	Logger    *slog.Logger
}

// Store keeps tickets, their threads, attachments and links.
type Store struct {
	db *store.DB
	o  Options
}

// NewStore returns the ticket store over db.
func NewStore(db *store.DB, o Options) *Store {
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Store{db: db, o: o}
}

// now is the store's clock, to the microsecond both engines keep.
func (s *Store) now() time.Time { return ts(s.o.Now()) }

func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

const ticketColumns = `id, customer_id, asset, subject, status, priority, assignee, opened_by, created_at, updated_at`

func scanTicket(scan func(dest ...any) error) (Ticket, error) {
	var t Ticket
	err := scan(&t.ID, &t.Customer, &t.Asset, &t.Subject, &t.Status, &t.Priority, &t.Assignee, &t.OpenedBy,
		&t.CreatedAt, &t.UpdatedAt)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	t.Incidents = []int64{}
	return t, err
}

// ticketIn reads one ticket in q; customer "" is any customer's (staff),
// otherwise another customer's ticket is not found, as a missing one is.
func ticketIn(ctx context.Context, q store.RowQuerier, id int64, customer string, lock string) (Ticket, error) {
	query := `SELECT ` + ticketColumns + ` FROM tickets WHERE id = $1`
	args := []any{id}
	if customer != "" {
		query += ` AND customer_id = $2`
		args = append(args, customer)
	}
	t, err := scanTicket(q.QueryRowContext(ctx, query+lock, args...).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, store.NotFound("ticket", id)
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("read ticket %d: %w", id, err)
	}
	return t, nil
}

// Ticket returns one ticket, with its links, for staff.
func (s *Store) Ticket(ctx context.Context, id int64) (Ticket, error) {
	return s.ticketWithLinks(ctx, id, "")
}

func (s *Store) ticketWithLinks(ctx context.Context, id int64, customer string) (Ticket, error) {
	t, err := ticketIn(ctx, s.db, id, customer, "")
	if err != nil {
		return Ticket{}, err
	}
	links, err := s.links(ctx, id)
	if err != nil {
		return Ticket{}, err
	}
	for _, l := range links {
		t.Incidents = append(t.Incidents, l.IncidentID)
	}
	return t, nil
}

// Thread returns a ticket with every message, staff's notes included, for
// staff.
func (s *Store) Thread(ctx context.Context, id int64) (Thread, error) {
	return s.thread(ctx, id, "")
}

// CustomerThread returns the ticket id of customer with the messages the
// customer may see: never staff's notes. Another customer's ticket is not
// found, exactly as one that does not exist.
func (s *Store) CustomerThread(ctx context.Context, customer string, id int64) (Thread, error) {
	if customer == "" {
		return Thread{}, store.NotFound("ticket", id)
	}
	return s.thread(ctx, id, customer)
}

func (s *Store) thread(ctx context.Context, id int64, customer string) (Thread, error) {
	t, err := s.ticketWithLinks(ctx, id, customer)
	if err != nil {
		return Thread{}, err
	}
	th := Thread{Ticket: t, Messages: []Message{}}
	cond := ``
	if customer != "" {
		cond = ` AND NOT internal`
	}
	byID := map[int64]int{}
	err = store.Each(ctx, s.db, "read thread", `SELECT id, ticket_id, at, author_kind, author, internal, body
		FROM ticket_messages WHERE ticket_id = $1`+cond+` ORDER BY id`, []any{id}, func(rows *sql.Rows) error {
		var m Message
		if err := rows.Scan(&m.ID, &m.TicketID, &m.At, &m.AuthorKind, &m.Author, &m.Internal, &m.Body); err != nil {
			return err
		}
		m.At, m.Attachments = m.At.UTC(), []Attachment{}
		byID[m.ID] = len(th.Messages)
		th.Messages = append(th.Messages, m)
		return nil
	})
	if err != nil {
		return Thread{}, err
	}
	err = eachAttachment(ctx, s.db, `WHERE ticket_id = $1 ORDER BY created_at, id`, []any{id}, func(a Attachment) {
		// Attachments of notes a customer may not see have no message here.
		if i, ok := byID[a.MessageID]; ok {
			th.Messages[i].Attachments = append(th.Messages[i].Attachments, a)
		}
	})
	if err != nil {
		return Thread{}, err
	}
	if th.Links, err = s.links(ctx, id); err != nil {
		return Thread{}, err
	}
	return th, nil
}

// links returns the incidents a ticket is linked to, oldest link first.
func (s *Store) links(ctx context.Context, id int64) ([]Link, error) {
	out := []Link{}
	err := store.Each(ctx, s.db, "read ticket links", `SELECT incident_id, how, linked_at FROM ticket_incidents
		WHERE ticket_id = $1 ORDER BY linked_at, incident_id`, []any{id}, func(rows *sql.Rows) error {
		var l Link
		if err := rows.Scan(&l.IncidentID, &l.How, &l.LinkedAt); err != nil {
			return err
		}
		l.LinkedAt = l.LinkedAt.UTC()
		out = append(out, l)
		return nil
	})
	return out, err
}
