package support

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
)

// TopicSupport is the wake-up of the follower: support triggers written.
const TopicSupport = "support"

// followed are the incident changes the follower acts on: an incident
// opening, settling, widening, re-targeting, merging or moving on.
var followed = map[string]bool{
	string(incident.EventOpened): true, string(incident.EventSettled): true,
	string(incident.EventScopeChanged): true, string(incident.EventRetargeted): true,
	string(incident.EventMerged): true, string(incident.EventStatus): true,
}

// Triggers is support's outbox: each incident change the follower acts on
// becomes a row, written in the transaction of the change.
type Triggers struct{ db *store.DB }

// NewTriggers returns support's outbox over db; hand it to the incident
// store (with the notifications', through incident.Outboxes).
func NewTriggers(db *store.DB) *Triggers { return &Triggers{db: db} }

// Enqueue writes t inside tx when the follower acts on its type.
func (tr *Triggers) Enqueue(ctx context.Context, tx *sql.Tx, t incident.Trigger) error {
	if !followed[t.Type] || t.IncidentID == 0 {
		return nil
	}
	at := t.At
	if at.IsZero() {
		at = time.Now()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO support_triggers (incident_id, type, at, done) VALUES ($1, $2, $3, $4)`,
		t.IncidentID, t.Type, ts(at), false)
	if err != nil {
		return fmt.Errorf("support trigger %s of incident %d: %w", t.Type, t.IncidentID, err)
	}
	return tr.db.NotifyTx(ctx, tx, TopicSupport, "")
}

// Follow acts on at most limit pending triggers, oldest first, each in
// its own transaction with its mark, and returns how many it took: tickets
// on an incident's scope are linked to it, the links of a merged incident
// follow it, and the open tickets of a resolved incident are told.
func (s *Store) Follow(ctx context.Context, limit int) (int, error) {
	type pending struct{ id, incident int64 }
	var list []pending
	err := store.Each(ctx, s.db, "support triggers", `SELECT id, incident_id FROM support_triggers WHERE NOT done
		ORDER BY id LIMIT $1`, []any{limit}, func(rows *sql.Rows) error {
		var p pending
		if err := rows.Scan(&p.id, &p.incident); err != nil {
			return err
		}
		list = append(list, p)
		return nil
	})
	if err != nil {
		return 0, err
	}
	for i, p := range list {
		if err := s.followOne(ctx, p.id, p.incident); err != nil {
			return i, fmt.Errorf("support trigger %d of incident %d: %w", p.id, p.incident, err)
		}
	}
	return len(list), nil
}

// followOne acts on one trigger: what it does is read from the incident as
// it is now, so that triggers taken late or twice do no harm.
func (s *Store) followOne(ctx context.Context, id, incidentID int64) error {
	inc, err := s.o.Incidents.Get(ctx, incidentID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var act func(tx *sql.Tx) error
	switch {
	case err != nil:
	case inc.Status == incident.Merged && inc.MergedInto != 0:
		act = func(tx *sql.Tx) error { return s.moveLinks(ctx, tx, inc.ID, inc.MergedInto) }
	case inc.Status == incident.Resolved:
		act, err = s.tellResolved(ctx, inc)
	case inc.Status != incident.Merged:
		act, err = s.linkScope(ctx, inc)
	}
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if act != nil {
			if err := act(tx); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE support_triggers SET done = $2 WHERE id = $1`, id, true)
		if err != nil {
			return fmt.Errorf("mark done: %w", err)
		}
		return nil
	})
}

// link links ticket t to an incident in tx, once, and records t's opening
// as a customer contact of the incident.
func (s *Store) link(ctx context.Context, tx *sql.Tx, t Ticket, incidentID int64, how string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO ticket_incidents (ticket_id, incident_id, how, linked_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (ticket_id, incident_id) DO NOTHING`, t.ID, incidentID, how, at)
	if err != nil {
		return fmt.Errorf("link ticket %d to incident %d: %w", t.ID, incidentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	note := fmt.Sprintf("support ticket %d of customer %s on %s, opened %s: a customer contact", t.ID, t.Customer, t.Asset,
		t.CreatedAt.UTC().Format(time.RFC3339))
	if _, err := s.o.Incidents.RecordCustomerContact(ctx, tx, incidentID, t.CreatedAt, note); err != nil {
		return err
	}
	return nil
}

// linkScope finds the live tickets on an asset in the scope of an open
// incident, opened at most the window before its detection, and returns
// what links them.
func (s *Store) linkScope(ctx context.Context, inc incident.Incident) (func(tx *sql.Tx) error, error) {
	var found []Ticket
	err := store.Each(ctx, s.db, "tickets in scope", `SELECT `+ticketColumns+` FROM tickets
		WHERE status IN ($1, $2) AND asset <> '' AND created_at >= $3 ORDER BY id`,
		[]any{string(Open), string(Waiting), ts(inc.DetectedAt.Add(-s.o.Window))}, func(rows *sql.Rows) error {
			t, err := scanTicket(rows.Scan)
			if err != nil {
				return err
			}
			found = append(found, t)
			return nil
		})
	if err != nil || len(found) == 0 {
		return nil, err
	}
	// The scope once, for every ticket: a platform root reaches every site.
	scope := inc.RootAssets
	if g := s.o.Inventory.Graph(); g != nil {
		scope = g.Scope(inc.RootAssets)
	}
	return func(tx *sql.Tx) error {
		now := s.now()
		for _, t := range found {
			if _, in := slices.BinarySearch(scope, t.Asset); in || slices.Contains(inc.RootAssets, t.Asset) {
				if err := s.link(ctx, tx, t, inc.ID, LinkedByIncident, now); err != nil {
					return err
				}
			}
		}
		return nil
	}, nil
}

// moveLinks links the tickets of an incident merged into another to that
// one too.
func (s *Store) moveLinks(ctx context.Context, tx *sql.Tx, from, into int64) error {
	var list []Ticket
	err := store.Each(ctx, tx, "tickets of a merged incident", `SELECT `+ticketColumns+` FROM tickets
		WHERE id IN (SELECT ticket_id FROM ticket_incidents WHERE incident_id = $1) ORDER BY id`, []any{from},
		func(rows *sql.Rows) error {
			t, err := scanTicket(rows.Scan)
			list = append(list, t)
			return err
		})
	if err != nil {
		return err
	}
	now := s.now()
	for _, t := range list {
		if err := s.link(ctx, tx, t, into, LinkedByIncident, now); err != nil {
			return err
		}
	}
	return nil
}
