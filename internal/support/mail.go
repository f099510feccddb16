package support

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
)

// mailPlan is who a message of a ticket is mailed to, found before the
// transaction that writes the message queues the mails.
type mailPlan struct {
	audience notify.Audience
	to       []notify.Recipient
	customer inventory.Customer
}

// planMail finds who hears of a new message on t: the customer's contacts
// who wrote on it (or the customer's own address) when toCustomer, else
// the assignee (or every staff member who may answer tickets).
func (s *Store) planMail(ctx context.Context, t Ticket, toCustomer bool) (mailPlan, error) {
	c, err := s.o.Inventory.Customer(ctx, t.Customer)
	if err != nil {
		return mailPlan{}, fmt.Errorf("mail of ticket %d: %w", t.ID, err)
	}
	p := mailPlan{customer: c}
	if s.o.Mailer == nil {
		return p, nil
	}
	if toCustomer {
		p.audience = notify.AudienceCustomers
		p.to, err = s.contactsOf(ctx, t, c)
	} else {
		p.audience = notify.AudienceStaff
		p.to, err = s.staffFor(ctx, t)
	}
	return p, err
}

// contactsOf returns the contacts of c who opened or wrote on t, still
// theirs and enabled; the customer's own address when there are none.
func (s *Store) contactsOf(ctx context.Context, t Ticket, c inventory.Customer) ([]notify.Recipient, error) {
	authors := []string{t.OpenedBy}
	err := store.Each(ctx, s.db, "ticket authors", `SELECT DISTINCT author FROM ticket_messages
		WHERE ticket_id = $1 AND author_kind = $2`, []any{t.ID, string(ByCustomer)}, func(rows *sql.Rows) error {
		var a string
		if err := rows.Scan(&a); err != nil {
			return err
		}
		authors = append(authors, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []notify.Recipient
	for _, a := range authors {
		if !strings.Contains(a, "@") || s.o.Auth == nil {
			continue
		}
		ct, err := s.o.Auth.ContactByEmail(ctx, a)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("contact %s: %w", a, err)
		}
		if ct.Customer != t.Customer || ct.Disabled || slices.ContainsFunc(out, func(r notify.Recipient) bool { return r.ID == ct.Email }) {
			continue
		}
		out = append(out, notify.Recipient{Kind: "contact", ID: ct.Email, Address: ct.Email, Name: ct.Name,
			Lang: langOf(ct.Lang), Zone: zoneOf(ct.Zone)})
	}
	if len(out) == 0 {
		if r, ok := notify.CustomerRecipient(c); ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// staffFor returns the assignee of t when they may still answer tickets,
// otherwise every enabled staff member who may.
func (s *Store) staffFor(ctx context.Context, t Ticket) ([]notify.Recipient, error) {
	if s.o.Auth == nil {
		return nil, nil
	}
	users, err := s.o.Auth.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("staff of ticket %d: %w", t.ID, err)
	}
	var all, assignee []notify.Recipient
	for _, u := range users {
		if u.Disabled || !auth.RoleAllows(u.Role, auth.PermTicketsWrite) {
			continue
		}
		r := notify.Recipient{Kind: "staff", ID: u.Email, Address: u.Email, Lang: "fr", Zone: zoneOf(u.Timezone)}
		all = append(all, r)
		if u.Email == t.Assignee {
			assignee = append(assignee, r)
		}
	}
	if len(assignee) > 0 {
		return assignee, nil
	}
	return all, nil
}

func langOf(l string) string {
	if l == "en" {
		return "en"
	}
	return "fr"
}

func zoneOf(z string) string {
	if z == "" {
		return "Europe/Paris"
	}
	return z
}

// send queues d to every recipient of p in tx, each with its own key; no
// e-mail channel for the audience is logged, not an error: the message
// stands in the thread.
func (s *Store) send(ctx context.Context, tx *sql.Tx, p mailPlan, key string, d notify.Direct) error {
	for _, to := range p.to {
		d.Key = key + "/" + to.ID
		if _, err := s.o.Mailer.EnqueueDirect(ctx, tx, p.audience, to, d); err != nil {
			if errors.Is(err, notify.ErrNoMailChannel) {
				s.o.Logger.InfoContext(ctx, "support: no e-mail channel; the message is not mailed", "audience", p.audience)
				return nil
			}
			return fmt.Errorf("mail %s: %w", key, err)
		}
	}
	if len(p.to) == 0 {
		return nil
	}
	// Wake the delivery workers at the commit: EnqueueDirect leaves them
	// to find the mail at their next poll, up to half a minute later.
	return s.db.NotifyTx(ctx, tx, store.TopicMessages, "")
}

// both renders message id in French and English.
func (s *Store) both(id string, data map[string]any) notify.Text {
	return notify.Text{FR: s.o.Texts.T("fr", id, data), EN: s.o.Texts.T("en", id, data)}
}

// ticketLink is the customer's page of ticket id.
func (s *Store) ticketLink(id int64) string {
	return strings.TrimRight(s.o.PublicURL, "/") + "/account/tickets/" + strconv.FormatInt(id, 10)
}

// mailMessage queues the mails of message m on t, as p planned.
func (s *Store) mailMessage(ctx context.Context, tx *sql.Tx, p mailPlan, t Ticket, m Message, opened bool) error {
	if len(p.to) == 0 {
		return nil
	}
	data := map[string]any{"ID": t.ID, "Subject": t.Subject, "Body": m.Body, "Asset": t.Asset,
		"Customer": p.customer.Name + " (" + p.customer.ID + ")", "Author": m.Author}
	d := notify.Direct{Thread: "ticket-" + strconv.FormatInt(t.ID, 10), Body: s.both("SupportMailReplied", data)}
	switch {
	case p.audience == notify.AudienceCustomers:
		d.Subject, d.Body = s.both("SupportMailSubject", data), s.both("SupportMailAnswered", data)
		d.Link, d.LinkLabel = s.ticketLink(t.ID), s.both("SupportMailLink", nil)
	case opened:
		d.Subject, d.Body = s.both("SupportMailStaffSubject", data), s.both("SupportMailOpened", data)
	default:
		d.Subject = s.both("SupportMailStaffSubject", data)
	}
	return s.send(ctx, tx, p, fmt.Sprintf("ticket/%d/message/%d", t.ID, m.ID), d)
}

// when is an instant as a customer reads it: "7 déc. 2026 à 03:12 (CET)".
func (s *Store) when(lang, zone string, t time.Time) string {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	l := t.In(loc)
	date := fmt.Sprintf("%d %s %d", l.Day(), s.o.Texts.T(lang, fmt.Sprintf("PageMonthShort%d", l.Month()), nil), l.Year())
	return s.o.Texts.T(lang, "NotifyDateTime", map[string]any{"Date": date, "Time": l.Format("15:04"), "Zone": l.Format("MST")})
}

// Mailer queues a mail that is not about an incident, in the caller's
// transaction (notify.Store's EnqueueDirect), on the e-mail channel
// serving the audience; notify.ErrNoMailChannel when there is none.
type Mailer interface {
	EnqueueDirect(ctx context.Context, tx *sql.Tx, audience notify.Audience, to notify.Recipient, d notify.Direct) (int64, error)
}
