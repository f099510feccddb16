package support

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/store"
)

// Unassigned is the Filter.Assignee listing the tickets no one took.
const Unassigned = "none"

// MaxList is the most tickets one listing returns.
const MaxList = 500

// Filter selects tickets for staff; zero fields select everything.
type Filter struct {
	// Status keeps the tickets in one of these statuses.
	Status []Status
	// Assignee keeps one staff member's tickets, or with Unassigned the
	// tickets no one took.
	Assignee string
	Customer string
	// Asset keeps the tickets about this asset.
	Asset string
	// Incident keeps the tickets linked to this incident.
	Incident int64
	// Before is the cursor: only tickets with a smaller id.
	Before int64
	// Limit is at most this many (default 100, at most MaxList).
	Limit int
	// ByActivity lists the last changed first (updated_at, then id)
	// instead of the newest first; Offset then skips that many, for pages.
	ByActivity bool
	Offset     int
}

// List returns tickets for staff, newest first.
func (s *Store) List(ctx context.Context, f Filter) ([]Ticket, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(f.Status) > 0 {
		in := make([]string, len(f.Status))
		for i, st := range f.Status {
			in[i] = arg(string(st))
		}
		where = append(where, `status IN (`+strings.Join(in, ", ")+`)`)
	}
	switch f.Assignee {
	case "":
	case Unassigned:
		where = append(where, `assignee = ''`)
	default:
		where = append(where, `assignee = `+arg(strings.ToLower(f.Assignee)))
	}
	if f.Customer != "" {
		where = append(where, `customer_id = `+arg(f.Customer))
	}
	if f.Asset != "" {
		where = append(where, `asset = `+arg(f.Asset))
	}
	if f.Incident != 0 {
		where = append(where, `id IN (SELECT ticket_id FROM ticket_incidents WHERE incident_id = `+arg(f.Incident)+`)`)
	}
	if f.Before > 0 {
		where = append(where, `id < `+arg(f.Before))
	}
	if f.ByActivity {
		return s.list(ctx, where, args, `updated_at DESC, id DESC`, f.Limit, max(f.Offset, 0))
	}
	return s.listWhere(ctx, where, args, f.Limit)
}

// CustomerTickets returns a customer's tickets, newest first: only theirs.
func (s *Store) CustomerTickets(ctx context.Context, customer string, limit int) ([]Ticket, error) {
	if customer == "" {
		return []Ticket{}, nil
	}
	return s.listWhere(ctx, []string{`customer_id = $1`}, []any{customer}, limit)
}

func (s *Store) listWhere(ctx context.Context, where []string, args []any, limit int) ([]Ticket, error) {
	return s.list(ctx, where, args, `id DESC`, limit, 0)
}

// list returns the tickets matching where in order, limit of them after
// skipping offset, with their linked incidents.
func (s *Store) list(ctx context.Context, where []string, args []any, order string, limit, offset int) ([]Ticket, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, MaxList)
	q := `SELECT ` + ticketColumns + ` FROM tickets`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(limit)
	if offset > 0 {
		q += ` OFFSET ` + strconv.Itoa(offset)
	}
	out := []Ticket{}
	index := map[int64]int{}
	err := store.Each(ctx, s.db, "list tickets", q, args, func(rows *sql.Rows) error {
		t, err := scanTicket(rows.Scan)
		if err != nil {
			return err
		}
		index[t.ID] = len(out)
		out = append(out, t)
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]any, 0, len(out))
	for _, t := range out {
		ids = append(ids, t.ID)
	}
	err = store.Each(ctx, s.db, "list ticket links", `SELECT ticket_id, incident_id FROM ticket_incidents WHERE ticket_id IN `+
		s.db.Engine.List(len(ids))+` ORDER BY linked_at, incident_id`, ids, func(rows *sql.Rows) error {
		var tid, iid int64
		if err := rows.Scan(&tid, &iid); err != nil {
			return err
		}
		out[index[tid]].Incidents = append(out[index[tid]].Incidents, iid)
		return nil
	})
	return out, err
}
