package support

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
)

// Change is a staff change to a ticket; nil fields stay as they are.
type Change struct {
	Status   *Status
	Priority *Priority
	// Assignee is a staff member's e-mail; "" takes the ticket from
	// whoever had it.
	Assignee *string
}

// Change applies a staff change to ticket id and records it in the thread
// as a staff note. Refused changes are *InvalidError and change nothing.
func (s *Store) Change(ctx context.Context, id int64, by Actor, c Change) (Ticket, error) {
	if c.Assignee != nil {
		a, err := s.checkAssignee(ctx, *c.Assignee)
		if err != nil {
			return Ticket{}, err
		}
		c.Assignee = &a
	}
	var out Ticket
	err := s.withTicket(ctx, id, "", nil, func(tx *sql.Tx, t *Ticket, now time.Time) error {
		var notes []string
		if c.Status != nil && *c.Status != t.Status {
			if !t.Status.CanMove(*c.Status) {
				return invalid("status", "cannot move from %s to %s", t.Status, *c.Status)
			}
			notes = append(notes, fmt.Sprintf("status: %s → %s", t.Status, *c.Status))
			t.Status = *c.Status
		}
		if c.Priority != nil && *c.Priority != t.Priority {
			notes = append(notes, fmt.Sprintf("priority: %s → %s", t.Priority, *c.Priority))
			t.Priority = *c.Priority
		}
		if c.Assignee != nil && *c.Assignee != t.Assignee {
			notes = append(notes, "assignee: "+orNone(t.Assignee)+" → "+orNone(*c.Assignee))
			t.Assignee = *c.Assignee
		}
		out = *t
		if len(notes) == 0 {
			return nil
		}
		if _, err := s.addMessage(ctx, tx, t.ID, by, true, strings.Join(notes, "; "), nil, now); err != nil {
			return err
		}
		if err := touch(ctx, tx, t, now); err != nil {
			return err
		}
		out = *t
		return nil
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Ticket(ctx, out.ID)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// checkAssignee returns the e-mail of a staff member who may take tickets,
// or an *InvalidError; "" is no one.
func (s *Store) checkAssignee(ctx context.Context, email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", nil
	}
	if s.o.Auth == nil {
		return "", errors.New("assign: no staff users to check against")
	}
	u, err := s.o.Auth.User(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return "", invalid("assignee", "no staff user %q", email)
	}
	if err != nil {
		return "", fmt.Errorf("assign %s: %w", email, err)
	}
	if u.Disabled || !auth.RoleAllows(u.Role, auth.PermTicketsWrite) {
		return "", invalid("assignee", "%s cannot take tickets (disabled, or role %s)", email, u.Role)
	}
	return u.Email, nil
}

// ResolveLinked resolves together the open and waiting tickets linked to
// incident id, each with a staff note, and returns them.
func (s *Store) ResolveLinked(ctx context.Context, incidentID int64, by Actor) ([]Ticket, error) {
	if _, err := s.o.Incidents.Get(ctx, incidentID); err != nil {
		return nil, err
	}
	live, err := s.List(ctx, Filter{Incident: incidentID, Status: []Status{Open, Waiting}, Limit: MaxList})
	if err != nil {
		return nil, err
	}
	out := []Ticket{}
	resolved := Resolved
	for _, l := range live {
		err := s.withTicket(ctx, l.ID, "", nil, func(tx *sql.Tx, t *Ticket, now time.Time) error {
			if !t.Status.Live() {
				return nil // a reply or a change moved it meanwhile
			}
			note := fmt.Sprintf("status: %s → %s, with incident %d", t.Status, resolved, incidentID)
			t.Status = resolved
			if _, err := s.addMessage(ctx, tx, t.ID, by, true, note, nil, now); err != nil {
				return err
			}
			if err := touch(ctx, tx, t, now); err != nil {
				return err
			}
			t.Incidents = l.Incidents
			out = append(out, *t)
			return nil
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
