package support

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
)

// vigie is the author of the messages Vigie writes itself.
var vigie = Actor{Kind: BySystem, Name: "Vigie"}

// toTell is a live ticket linked to a resolved incident, not told of this
// resolution yet, with who hears of it.
type toTell struct {
	t    Ticket
	plan mailPlan
}

// tellResolved returns what tells the live tickets linked to a resolved
// incident that it is: a message from Vigie in the customer's language,
// mailed to their contacts, once per resolution. An incident that never
// settled is not told: customers never heard of it.
func (s *Store) tellResolved(ctx context.Context, inc incident.Incident) (func(tx *sql.Tx) error, error) {
	if inc.ResolvedAt == nil || !inc.Settled() {
		return nil, nil
	}
	resolved := ts(*inc.ResolvedAt)
	var list []toTell
	err := store.Each(ctx, s.db, "tickets of a resolved incident", `SELECT `+ticketColumns+`, told_at FROM tickets
		JOIN ticket_incidents ON ticket_id = id WHERE incident_id = $1 AND status IN ($2, $3) ORDER BY id`,
		[]any{inc.ID, string(Open), string(Waiting)}, func(rows *sql.Rows) error {
			var told sql.NullTime
			t, err := scanTicket(func(dest ...any) error { return rows.Scan(append(dest, &told)...) })
			if err == nil && (!told.Valid || !told.Time.Equal(resolved)) {
				list = append(list, toTell{t: t})
			}
			return err
		})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	for i := range list {
		if list[i].plan, err = s.planMail(ctx, list[i].t, true); err != nil {
			return nil, err
		}
	}
	return func(tx *sql.Tx) error {
		now := s.now()
		for _, tt := range list {
			if err := s.tellOne(ctx, tx, tt, inc.ID, resolved, now); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// tellOne writes Vigie's message on one ticket, mails it and marks the
// link told, in tx.
func (s *Store) tellOne(ctx context.Context, tx *sql.Tx, tt toTell, incidentID int64, resolved, now time.Time) error {
	t, err := ticketIn(ctx, tx, tt.t.ID, "", s.db.Engine.LockRows())
	if errors.Is(err, store.ErrNotFound) || err == nil && !t.Status.Live() {
		return nil // removed, closed or resolved meanwhile: nothing to tell
	}
	if err != nil {
		return err
	}
	c := tt.plan.customer
	zone := zoneOf(c.Timezone)
	data := func(lang string) map[string]any {
		return map[string]any{"Incident": incidentID, "At": s.when(lang, zone, resolved), "ID": tt.t.ID, "Subject": tt.t.Subject}
	}
	lang := langOf(c.Language)
	m, err := s.addMessage(ctx, tx, t.ID, vigie, false, s.o.Texts.T(lang, "SupportResolvedMessage", data(lang)), nil, now)
	if err != nil {
		return err
	}
	if err := touch(ctx, tx, &t, now); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE ticket_incidents SET told_at = $3 WHERE ticket_id = $1 AND incident_id = $2`,
		t.ID, incidentID, resolved)
	if err != nil {
		return fmt.Errorf("ticket %d told of incident %d: %w", t.ID, incidentID, err)
	}
	if len(tt.plan.to) == 0 {
		return nil
	}
	d := notify.Direct{Thread: "ticket-" + strconv.FormatInt(t.ID, 10), Link: s.ticketLink(t.ID),
		LinkLabel: s.both("SupportMailLink", nil)}
	d.Subject = s.both("SupportMailResolvedSubject", data("fr"))
	d.Body.FR = s.o.Texts.T("fr", "SupportResolvedMessage", data("fr"))
	d.Body.EN = s.o.Texts.T("en", "SupportResolvedMessage", data("en"))
	return s.send(ctx, tx, tt.plan, fmt.Sprintf("ticket/%d/message/%d", t.ID, m.ID), d)
}
