package incident

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
)

// maxMessageLen bounds each language of a public update, in characters.
const maxMessageLen = 5000

// idsPerQuery bounds the ids of one IN list: under the 999 parameters of
// older SQLite builds, so that batches of any size work on either engine.
const idsPerQuery = 900

// componentStatuses are the statuses staff may give a component, as in
// Atlassian Statuspage.
var componentStatuses = []string{"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}

const updateColumns = `id, incident_id, at, status, message_fr, message_en, author, replaces_event, updated_at`

// AddPublicUpdate adds a staff-written entry to an incident's public
// timeline and sets u's ID, At and UpdatedAt (to now). When u.Status is not
// the incident's, the incident moves to it as Edit moves it, in the same
// transaction, and u replaces that status change: the public timeline
// shows one entry, not the engine's default text and then staff's. Refused
// updates are *EditError (or not found) and change nothing.
func (s *Store) AddPublicUpdate(ctx context.Context, u *PublicUpdate, now time.Time) error {
	v := *u
	v.MessageFR, v.MessageEN = strings.TrimSpace(v.MessageFR), strings.TrimSpace(v.MessageEN)
	if err := checkUpdate(&v); err != nil {
		return err
	}
	now = ts(now)
	v.At, v.UpdatedAt = now, now
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		inc, err := lockIncident(ctx, tx, s.db.Engine, v.IncidentID)
		if err != nil {
			return err
		}
		if inc.Status == Merged {
			return mergedError(&inc)
		}
		if v.Status != inc.Status {
			if v.ReplacesEvent != 0 {
				return &EditError{Field: "replaces_event", Message: "an update that changes the status replaces its own status change: give no replaces_event"}
			}
			if v.ReplacesEvent, err = s.moveForUpdate(ctx, tx, &inc, v.Status, v.Author, now); err != nil {
				return err
			}
		} else if v.ReplacesEvent != 0 {
			if err := checkReplaced(ctx, tx, &v); err != nil {
				return err
			}
		}
		var replaces any
		if v.ReplacesEvent != 0 {
			replaces = v.ReplacesEvent
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO incident_updates (incident_id, at, status, message_fr, message_en,
			author, replaces_event, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			v.IncidentID, v.At, v.Status, v.MessageFR, v.MessageEN, v.Author, replaces, v.UpdatedAt).Scan(&v.ID)
		if err != nil {
			return fmt.Errorf("add public update to incident %d: %w", v.IncidentID, err)
		}
		return enqueue(ctx, tx, s.outbox, Trigger{Type: TriggerPublicUpdate, IncidentID: v.IncidentID, UpdateID: v.ID,
			EventID: v.ReplacesEvent, At: v.At})
	})
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// moveForUpdate moves inc to status to for a public update, as Edit would
// (the move allowed, its timestamps, staff taking the incident), and
// returns the id of the status-changed event, public since the update
// gives its text.
func (s *Store) moveForUpdate(ctx context.Context, tx *sql.Tx, inc *Incident, to Status, author string, now time.Time) (int64, error) {
	ev, err := staffMove(inc, to, author, now)
	if err != nil {
		return 0, err
	}
	ev.Public = true
	events := []Event{ev}
	if acknowledgeBy(inc, now) {
		events = append(events, Event{At: now, Type: EventNote, Author: author, Text: "acknowledged"})
	}
	if err := s.updateIncident(ctx, tx, inc, events...); err != nil {
		return 0, err
	}
	return events[0].ID, nil
}

// checkUpdate checks the values of a new public update, before any
// incident is read.
func checkUpdate(u *PublicUpdate) error {
	switch u.Status {
	case Investigating, Identified, Monitoring, Resolved:
	default:
		return &EditError{Field: "status", Message: fmt.Sprintf("want investigating, identified, monitoring or resolved, got %q", u.Status)}
	}
	if u.ReplacesEvent < 0 {
		return &EditError{Field: "replaces_event", Message: "want the id of an event of the incident"}
	}
	return checkMessages(u.MessageFR, u.MessageEN)
}

// checkMessages checks the texts of a public update: one language at
// least, each of bounded length.
func checkMessages(fr, en string) error {
	if fr == "" && en == "" {
		return &EditError{Field: "message_fr", Message: "required: the message in French, English or both"}
	}
	for _, m := range []struct{ field, text string }{{"message_fr", fr}, {"message_en", en}} {
		if utf8.RuneCountInString(m.text) > maxMessageLen {
			return &EditError{Field: m.field, Message: fmt.Sprintf("at most %d characters", maxMessageLen)}
		}
	}
	return nil
}

// checkReplaced checks that the event u replaces is an opened or
// status-changed event of u's incident that no other update replaces yet.
func checkReplaced(ctx context.Context, tx *sql.Tx, u *PublicUpdate) error {
	var owner int64
	var typ EventType
	err := tx.QueryRowContext(ctx, `SELECT incident_id, type FROM incident_events WHERE id = $1`, u.ReplacesEvent).Scan(&owner, &typ)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && owner != u.IncidentID:
		return &EditError{Field: "replaces_event", Message: fmt.Sprintf("incident %d has no event %d", u.IncidentID, u.ReplacesEvent)}
	case err != nil:
		return fmt.Errorf("event %d: %w", u.ReplacesEvent, err)
	case typ != EventOpened && typ != EventStatus:
		return &EditError{Field: "replaces_event", Message: fmt.Sprintf("event %d is %s: only opened and status-changed events have a public text to replace", u.ReplacesEvent, typ)}
	}
	var other int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM incident_updates WHERE incident_id = $1 AND replaces_event = $2`,
		u.IncidentID, u.ReplacesEvent).Scan(&other)
	switch {
	case err == nil:
		return &EditError{Field: "replaces_event", Message: fmt.Sprintf("event %d is already replaced by update %d: edit that one", u.ReplacesEvent, other)}
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("updates replacing event %d: %w", u.ReplacesEvent, err)
	}
	return nil
}

// lockIncident reads an incident in tx, keeping others from changing it
// until tx ends.
func lockIncident(ctx context.Context, tx *sql.Tx, e store.Engine, id int64) (Incident, error) {
	list, err := queryIncidents(ctx, tx, `SELECT `+incidentColumns+` FROM incidents WHERE id = $1`+e.LockRows(), id)
	if err != nil {
		return Incident{}, err
	}
	if len(list) == 0 {
		return Incident{}, store.NotFound("incident", id)
	}
	return list[0], nil
}

func mergedError(inc *Incident) error {
	return &EditError{Field: "incident_id", Message: fmt.Sprintf("incident %d was merged into incident %d: write on that one", inc.ID, inc.MergedInto)}
}

// EditPublicUpdate replaces the texts of a public update of an incident;
// its status stays. UpdatedAt moves to now when a text changed.
func (s *Store) EditPublicUpdate(ctx context.Context, incidentID, updateID int64, fr, en string, now time.Time) (PublicUpdate, error) {
	fr, en = strings.TrimSpace(fr), strings.TrimSpace(en)
	if err := checkMessages(fr, en); err != nil {
		return PublicUpdate{}, err
	}
	var u PublicUpdate
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		list, err := queryUpdates(ctx, tx, `SELECT `+updateColumns+` FROM incident_updates
			WHERE id = $1 AND incident_id = $2`+s.db.Engine.LockRows(), updateID, incidentID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return store.NotFoundOf("public update", updateID, fmt.Sprintf("incident %d", incidentID))
		}
		u = list[0]
		if u.MessageFR == fr && u.MessageEN == en {
			return nil
		}
		u.MessageFR, u.MessageEN, u.UpdatedAt = fr, en, ts(now)
		_, err = tx.ExecContext(ctx, `UPDATE incident_updates SET message_fr = $2, message_en = $3, updated_at = $4 WHERE id = $1`,
			u.ID, u.MessageFR, u.MessageEN, u.UpdatedAt)
		if err != nil {
			return fmt.Errorf("edit public update %d: %w", updateID, err)
		}
		return enqueue(ctx, tx, s.outbox, Trigger{Type: TriggerPublicUpdate, IncidentID: u.IncidentID, UpdateID: u.ID,
			EventID: u.ReplacesEvent, At: u.UpdatedAt})
	})
	if err != nil {
		return PublicUpdate{}, err
	}
	return u, nil
}

// PublicUpdates returns the public updates of the incidents ids, oldest
// first, by incident; an incident without any has no entry.
func (s *Store) PublicUpdates(ctx context.Context, ids []int64) (map[int64][]PublicUpdate, error) {
	out := map[int64][]PublicUpdate{}
	err := eachOfIDs(ctx, s.db, "public updates", `SELECT `+updateColumns+` FROM incident_updates
		WHERE incident_id IN %s ORDER BY incident_id, at, id`, ids, func(rows *sql.Rows) error {
		u, err := scanUpdate(rows)
		if err != nil {
			return err
		}
		out[u.IncidentID] = append(out[u.IncidentID], u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EventsOf returns the timelines of the incidents ids, oldest first, by
// incident.
func (s *Store) EventsOf(ctx context.Context, ids []int64) (map[int64][]Event, error) {
	out := map[int64][]Event{}
	err := eachOfIDs(ctx, s.db, "events", `SELECT `+eventColumns+` FROM incident_events
		WHERE incident_id IN %s ORDER BY incident_id, at, id`, ids, func(rows *sql.Rows) error {
		e, err := scanEvent(rows)
		if err != nil {
			return err
		}
		out[e.IncidentID] = append(out[e.IncidentID], e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetComponentStatus sets the public status of a component during an
// incident, over the one computed from its scope; "" or "auto" gives the
// computed one back. A change is noted, for staff only, on the timeline.
func (s *Store) SetComponentStatus(ctx context.Context, incidentID int64, component, status string, author string, now time.Time) error {
	if component == "" || component != inventory.ComponentID(component) || len(component) > maxTextLen {
		return &EditError{Field: "component", Message: fmt.Sprintf("want a component id such as shared-hosting, got %q", component)}
	}
	if status == "auto" {
		status = ""
	}
	if status != "" && !slices.Contains(componentStatuses, status) {
		return &EditError{Field: "status", Message: fmt.Sprintf("want %s, or auto for the computed one, got %q",
			strings.Join(componentStatuses, ", "), status)}
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		inc, err := lockIncident(ctx, tx, s.db.Engine, incidentID)
		if err != nil {
			return err
		}
		if inc.Status == Merged {
			return mergedError(&inc)
		}
		var cur string
		err = tx.QueryRowContext(ctx, `SELECT status FROM incident_components WHERE incident_id = $1 AND component = $2`,
			incidentID, component).Scan(&cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("component %s of incident %d: %w", component, incidentID, err)
		}
		if cur == status {
			return nil
		}
		if status == "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM incident_components WHERE incident_id = $1 AND component = $2`, incidentID, component)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO incident_components (incident_id, component, status) VALUES ($1, $2, $3)
				ON CONFLICT (incident_id, component) DO UPDATE SET status = excluded.status`, incidentID, component, status)
		}
		if err != nil {
			return fmt.Errorf("set component %s of incident %d: %w", component, incidentID, err)
		}
		return s.addEvent(ctx, tx, &Event{IncidentID: incidentID, At: now, Type: EventNote, Author: author,
			Text: fmt.Sprintf("component %s set to %s by staff", component, cmp.Or(status, "auto"))})
	})
}

// ComponentOverrides returns the component statuses staff set during the
// incidents ids, by incident, components in order of id.
func (s *Store) ComponentOverrides(ctx context.Context, ids []int64) (map[int64][]ComponentOverride, error) {
	out := map[int64][]ComponentOverride{}
	err := eachOfIDs(ctx, s.db, "component overrides", `SELECT incident_id, component, status FROM incident_components
		WHERE incident_id IN %s ORDER BY incident_id, component`, ids, func(rows *sql.Rows) error {
		var o ComponentOverride
		if err := rows.Scan(&o.IncidentID, &o.Component, &o.Status); err != nil {
			return err
		}
		out[o.IncidentID] = append(out[o.IncidentID], o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PublicSince returns the incidents a public page may show: those settled
// and not merged, of any cause, that are open or were resolved at or after
// since; newest first. An incident still in its settle window is known to
// staff alone: it shows once settled. Each half of the condition reads its
// own index.
func (s *Store) PublicSince(ctx context.Context, since time.Time) ([]Incident, error) {
	list, err := s.query(ctx, `SELECT `+incidentColumns+` FROM incidents
		WHERE status IN ('investigating', 'identified', 'monitoring') AND settled_at IS NOT NULL
		UNION ALL SELECT `+incidentColumns+` FROM incidents
		WHERE status = 'resolved' AND resolved_at >= $1 AND settled_at IS NOT NULL
		ORDER BY id DESC`, ts(since))
	if err != nil {
		return nil, fmt.Errorf("public incidents since %s: %w", since.Format(time.RFC3339), err)
	}
	return list, nil
}

// eachOfIDs runs query once per chunk of the distinct ids, its %s replaced
// by the chunk's IN list, and calls fn on every row.
func eachOfIDs(ctx context.Context, db *store.DB, what, query string, ids []int64, fn func(rows *sql.Rows) error) error {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	for chunk := range slices.Chunk(ids, idsPerQuery) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if err := store.Each(ctx, db, what, fmt.Sprintf(query, db.Engine.List(len(chunk))), args, fn); err != nil {
			return err
		}
	}
	return nil
}

func queryUpdates(ctx context.Context, q store.Querier, query string, args ...any) ([]PublicUpdate, error) {
	var out []PublicUpdate
	err := store.Each(ctx, q, "public updates", query, args, func(rows *sql.Rows) error {
		u, err := scanUpdate(rows)
		if err != nil {
			return err
		}
		out = append(out, u)
		return nil
	})
	return out, err
}

func scanUpdate(rows *sql.Rows) (PublicUpdate, error) {
	var u PublicUpdate
	var replaces sql.NullInt64
	if err := rows.Scan(&u.ID, &u.IncidentID, &u.At, &u.Status, &u.MessageFR, &u.MessageEN, &u.Author, &replaces,
		&u.UpdatedAt); err != nil {
		return PublicUpdate{}, err
	}
	u.ReplacesEvent = replaces.Int64
	u.At, u.UpdatedAt = u.At.UTC(), u.UpdatedAt.UTC()
	return u, nil
}

// ComponentStatuses are the statuses staff may give a component during an
// incident (besides auto, the computed one).
func ComponentStatuses() []string { return slices.Clone(componentStatuses) }
