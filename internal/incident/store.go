package incident

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// Store keeps incidents and their timelines.
type Store struct {
	db *store.DB
	// outbox, when set, is told of every event and public update inside
	// the transaction that writes it.
	outbox Outbox
}

// NewStore returns the incident store over db.
func NewStore(db *store.DB) *Store { return &Store{db: db} }

const incidentColumns = `id, title, status, severity, cause, root_assets, reason, impact, peak, auto, hold,
	merged_into, lead, comms, impact_started_at, detected_at, acknowledged_at, mitigated_at, resolved_at,
	first_customer_contact_at, customer_reported_first, detected_by, settled_at`

func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func nullTS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// dedupKey is the key of an open incident: its sorted roots.
func dedupKey(inc *Incident) any {
	if inc.Status == Resolved || inc.Status == Merged {
		return nil
	}
	return strings.Join(inc.RootAssets, ",")
}

// Create stores a new incident with its first timeline entries and
// returns its id. A root that already has an open incident is ErrConflict.
// An incident not opened by correlation (Auto false) is settled when it
// opens: SettledAt, when nil, becomes its DetectedAt.
func (s *Store) Create(ctx context.Context, inc *Incident, first Event, more ...Event) (int64, error) {
	if !inc.Auto && inc.SettledAt == nil {
		at := inc.DetectedAt
		inc.SettledAt = &at
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		roots, impact, peak, err := encodeIncident(inc)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO incidents (title, status, severity, cause, root_assets, dedup_key, reason,
			impact, peak, auto, hold, lead, comms, impact_started_at, detected_at, customer_reported_first, detected_by,
			settled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
			inc.Title, inc.Status, inc.Severity, inc.Cause, roots, dedupKey(inc), inc.Reason, impact, peak, inc.Auto, inc.Hold,
			inc.Lead, inc.Comms, ts(inc.ImpactStartedAt), ts(inc.DetectedAt), inc.CustomerReportedFirst, string(inc.DetectedBy),
			nullTS(inc.SettledAt)).Scan(&inc.ID)
		if err != nil {
			return fmt.Errorf("create incident: %w", err)
		}
		for _, ev := range append([]Event{first}, more...) {
			ev.IncidentID = inc.ID
			if err := s.addEvent(ctx, tx, &ev); err != nil {
				return err
			}
		}
		return nil
	})
	return inc.ID, err
}

// Update writes every field of an incident and appends the events to its
// timeline, in one transaction. A first customer contact is never erased:
// a copy read before a ticket recorded one keeps it.
func (s *Store) Update(ctx context.Context, inc *Incident, events ...Event) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error { return s.updateIncident(ctx, tx, inc, events...) })
}

// updateIncident is Update inside tx; the events get their ids.
func (s *Store) updateIncident(ctx context.Context, tx *sql.Tx, inc *Incident, events ...Event) error {
	roots, impact, peak, err := encodeIncident(inc)
	if err != nil {
		return err
	}
	var merged any
	if inc.MergedInto != 0 {
		merged = inc.MergedInto
	}
	res, err := tx.ExecContext(ctx, `UPDATE incidents SET title = $2, status = $3, severity = $4, cause = $5,
		root_assets = $6, dedup_key = $7, reason = $8, impact = $9, peak = $10, auto = $11, hold = $12,
		merged_into = $13, lead = $14, comms = $15, impact_started_at = $16, detected_at = $17,
		acknowledged_at = $18, mitigated_at = $19, resolved_at = $20,
		first_customer_contact_at = COALESCE($21, first_customer_contact_at),
		customer_reported_first = $22, settled_at = $23 WHERE id = $1`,
		inc.ID, inc.Title, inc.Status, inc.Severity, inc.Cause, roots, dedupKey(inc), inc.Reason, impact, peak,
		inc.Auto, inc.Hold, merged, inc.Lead, inc.Comms, ts(inc.ImpactStartedAt), ts(inc.DetectedAt),
		nullTS(inc.AcknowledgedAt), nullTS(inc.MitigatedAt), nullTS(inc.ResolvedAt),
		nullTS(inc.FirstCustomerContactAt), inc.CustomerReportedFirst, nullTS(inc.SettledAt))
	if err != nil {
		return fmt.Errorf("update incident %d: %w", inc.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.NotFound("incident", inc.ID)
	}
	for i := range events {
		events[i].IncidentID = inc.ID
		if err := s.addEvent(ctx, tx, &events[i]); err != nil {
			return err
		}
	}
	return nil
}

// AddEvent appends an entry to an incident's timeline.
func (s *Store) AddEvent(ctx context.Context, e *Event) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error { return s.addEvent(ctx, tx, e) })
}

// addEvent writes an event in tx and hands its trigger to the outbox, in
// the same transaction; events recording notifications trigger none.
func (s *Store) addEvent(ctx context.Context, tx *sql.Tx, e *Event) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO incident_events (incident_id, at, type, public, author, text)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, e.IncidentID, ts(e.At), e.Type, e.Public, e.Author, e.Text).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("add event to incident %d: %w", e.IncidentID, err)
	}
	if e.Type == EventNotification {
		return nil
	}
	return enqueue(ctx, tx, s.outbox, Trigger{Type: string(e.Type), IncidentID: e.IncidentID, EventID: e.ID, At: ts(e.At)})
}

func encodeIncident(inc *Incident) (roots, impact, peak string, err error) {
	if inc.Impact.Customers == nil {
		inc.Impact.Customers = []string{}
	}
	if inc.Peak.Customers == nil {
		inc.Peak.Customers = []string{}
	}
	r, err1 := json.Marshal(inc.RootAssets)
	i, err2 := json.Marshal(inc.Impact)
	p, err3 := json.Marshal(inc.Peak)
	if err := errors.Join(err1, err2, err3); err != nil {
		return "", "", "", fmt.Errorf("encode incident: %w", err)
	}
	return string(r), string(i), string(p), nil
}

// Get returns one incident.
func (s *Store) Get(ctx context.Context, id int64) (Incident, error) {
	list, err := s.query(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE id = $1`, id)
	if err != nil {
		return Incident{}, err
	}
	if len(list) == 0 {
		return Incident{}, store.NotFound("incident", id)
	}
	return list[0], nil
}

// List returns incidents by status: "open" (neither resolved nor merged),
// "resolved", or "all"; newest first, at most limit.
func (s *Store) List(ctx context.Context, status string, limit int) ([]Incident, error) {
	where := ``
	switch status {
	case "open", "":
		where = ` WHERE status NOT IN ('resolved', 'merged')`
	case "resolved":
		where = ` WHERE status = 'resolved'`
	case "all":
	default:
		return nil, fmt.Errorf("status: want open, resolved or all, got %q", status)
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return s.query(ctx, fmt.Sprintf(`SELECT `+incidentColumns+` FROM incidents`+where+` ORDER BY id DESC LIMIT %d`, limit))
}

const eventColumns = `id, incident_id, at, type, public, author, text`

// Events returns the timeline of an incident, oldest first.
func (s *Store) Events(ctx context.Context, id int64) ([]Event, error) {
	out := []Event{}
	err := store.Each(ctx, s.db, fmt.Sprintf("events of incident %d", id), `SELECT `+eventColumns+` FROM incident_events
		WHERE incident_id = $1 ORDER BY at, id`, []any{id}, func(rows *sql.Rows) error {
		e, err := scanEvent(rows)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func scanEvent(rows *sql.Rows) (Event, error) {
	var e Event
	if err := rows.Scan(&e.ID, &e.IncidentID, &e.At, &e.Type, &e.Public, &e.Author, &e.Text); err != nil {
		return Event{}, err
	}
	e.At = e.At.UTC()
	return e, nil
}

func (s *Store) query(ctx context.Context, q string, args ...any) ([]Incident, error) {
	return queryIncidents(ctx, s.db, q, args...)
}

// queryIncidents runs q, a SELECT of incidentColumns, on db or a
// transaction.
func queryIncidents(ctx context.Context, db store.Querier, q string, args ...any) ([]Incident, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []Incident{}
	for rows.Next() {
		var inc Incident
		var roots, impact, peak string
		var merged sql.NullInt64
		var ack, mit, res, contact, settled sql.NullTime
		err := rows.Scan(&inc.ID, &inc.Title, &inc.Status, &inc.Severity, &inc.Cause, &roots, &inc.Reason, &impact, &peak,
			&inc.Auto, &inc.Hold, &merged, &inc.Lead, &inc.Comms, &inc.ImpactStartedAt, &inc.DetectedAt, &ack, &mit, &res,
			&contact, &inc.CustomerReportedFirst, &inc.DetectedBy, &settled)
		if err != nil {
			return nil, fmt.Errorf("list incidents: %w", err)
		}
		inc.MergedInto = merged.Int64
		inc.ImpactStartedAt, inc.DetectedAt = inc.ImpactStartedAt.UTC(), inc.DetectedAt.UTC()
		inc.AcknowledgedAt, inc.MitigatedAt, inc.ResolvedAt, inc.FirstCustomerContactAt = ptr(ack), ptr(mit), ptr(res), ptr(contact)
		inc.SettledAt = ptr(settled)
		if err := errors.Join(json.Unmarshal([]byte(roots), &inc.RootAssets), json.Unmarshal([]byte(impact), &inc.Impact),
			json.Unmarshal([]byte(peak), &inc.Peak)); err != nil {
			return nil, fmt.Errorf("incident %d: %w", inc.ID, err)
		}
		out = append(out, inc)
	}
	return out, rows.Err()
}

func ptr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// OpenWithRoot returns the most recent open incident that has asset among
// its roots, ErrNotFound when there is none.
func (s *Store) OpenWithRoot(ctx context.Context, asset string) (Incident, error) {
	quoted, err := json.Marshal(asset)
	if err != nil {
		return Incident{}, fmt.Errorf("open incident with root %s: %w", asset, err)
	}
	pattern := `%` + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(string(quoted)) + `%`
	list, err := s.query(ctx, `SELECT `+incidentColumns+` FROM incidents
		WHERE status NOT IN ('resolved', 'merged') AND root_assets LIKE $1 ESCAPE '\' ORDER BY id DESC LIMIT 20`, pattern)
	if err != nil {
		return Incident{}, err
	}
	for _, inc := range list {
		if slices.Contains(inc.RootAssets, asset) {
			return inc, nil
		}
	}
	return Incident{}, store.NotFound("open incident with root", asset)
}

// OpenBySeverity counts the open incidents of each severity.
func (s *Store) OpenBySeverity(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := store.Each(ctx, s.db, "count open incidents",
		`SELECT severity, COUNT(*) FROM incidents WHERE status NOT IN ('resolved', 'merged') GROUP BY severity`, nil,
		func(rows *sql.Rows) error {
			var sev string
			var n int
			if err := rows.Scan(&sev, &n); err != nil {
				return err
			}
			out[sev] = n
			return nil
		})
	return out, err
}

// Severities lists every severity, worst first.
func Severities() []string { return []string{string(Critical), string(Major), string(Minor)} }
