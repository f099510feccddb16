package incident

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// WindowInvalidError is a maintenance window refused for its fields.
type WindowInvalidError struct {
	Fields []FieldError
}

func (e *WindowInvalidError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	return "invalid maintenance window: " + strings.Join(msgs, "; ")
}

// MaintenanceStore keeps maintenance windows. A cancelled window is kept,
// for calendars to learn of the cancellation (ListAll), until retention
// deletes it; to everything else it is gone.
type MaintenanceStore struct {
	db *store.DB
	// Now is the clock of the windows' UpdatedAt.
	Now func() time.Time
	// outbox, when set, is told of every change of a window inside the
	// transaction that writes it.
	outbox Outbox
}

// NewMaintenanceStore returns the maintenance window store over db.
func NewMaintenanceStore(db *store.DB) *MaintenanceStore {
	return &MaintenanceStore{db: db, Now: time.Now}
}

// CancelledRetention is how long a cancelled window is kept after its
// cancellation, as long as the public page's history.
const CancelledRetention = 90 * 24 * time.Hour

const windowColumns = `id, title, assets, start_local, end_local, zone, weekly, verify_seconds, title_en, description,
	description_en, sequence, cancelled, updated_at, created_at`

// windowID reads a window's id; one that is not a number names no window.
func windowID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 {
		return 0, store.NotFound("maintenance window", id)
	}
	return n, nil
}

func checkWindow(w *Window) (assets string, err error) {
	if fields := w.Validate(); len(fields) > 0 {
		return "", &WindowInvalidError{Fields: fields}
	}
	b, err := json.Marshal(w.Assets)
	if err != nil {
		return "", fmt.Errorf("encode maintenance window: %w", err)
	}
	return string(b), nil
}

// Create validates and stores a new window, setting its ID, Sequence (0)
// and UpdatedAt; by is who declared it. Verify is kept to the second.
func (s *MaintenanceStore) Create(ctx context.Context, w *Window, by string) error {
	assets, err := checkWindow(w)
	if err != nil {
		return err
	}
	now := ts(s.Now())
	var id int64
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO maintenance_windows (title, assets, start_local, end_local, zone,
			weekly, verify_seconds, title_en, description, description_en, sequence, cancelled, updated_at, created_by,
			created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $12) RETURNING id`,
			w.Title, assets, w.Start, w.End, w.Zone, w.Weekly, int64(w.Verify/time.Second), w.TitleEN, w.Description,
			w.DescriptionEN, false, now, by).Scan(&id)
		if err != nil {
			return fmt.Errorf("create maintenance window: %w", err)
		}
		return enqueue(ctx, tx, s.outbox, Trigger{Type: TriggerMaintenance, MaintenanceID: id, Sequence: 0, At: now})
	})
	if err != nil {
		return err
	}
	w.ID = strconv.FormatInt(id, 10)
	w.Sequence, w.Cancelled, w.UpdatedAt, w.CreatedAt = 0, false, now, now
	return nil
}

// Update validates a window and replaces the live one with its ID. A change
// adds one to its Sequence and moves its UpdatedAt; a window given as it is
// stays as it is. w's Sequence, Cancelled, UpdatedAt and CreatedAt are
// read-only: they are set from the stored window.
func (s *MaintenanceStore) Update(ctx context.Context, w *Window) error {
	id, err := windowID(w.ID)
	if err != nil {
		return err
	}
	assets, err := checkWindow(w)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		list, err := s.query(ctx, tx, `SELECT `+windowColumns+` FROM maintenance_windows
			WHERE id = $1 AND NOT cancelled`+s.db.Engine.LockRows(), id)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return store.NotFound("maintenance window", w.ID)
		}
		cur := list[0]
		w.Sequence, w.Cancelled, w.UpdatedAt, w.CreatedAt = cur.Sequence, false, cur.UpdatedAt, cur.CreatedAt
		if sameWindow(&cur, w) {
			return nil
		}
		now := ts(s.Now())
		_, err = tx.ExecContext(ctx, `UPDATE maintenance_windows SET title = $2, assets = $3, start_local = $4,
			end_local = $5, zone = $6, weekly = $7, verify_seconds = $8, title_en = $9, description = $10,
			description_en = $11, sequence = sequence + 1, updated_at = $12 WHERE id = $1`,
			id, w.Title, assets, w.Start, w.End, w.Zone, w.Weekly, int64(w.Verify/time.Second), w.TitleEN,
			w.Description, w.DescriptionEN, now)
		if err != nil {
			return fmt.Errorf("update maintenance window %d: %w", id, err)
		}
		w.Sequence, w.UpdatedAt = cur.Sequence+1, now
		return enqueue(ctx, tx, s.outbox, Trigger{Type: TriggerMaintenance, MaintenanceID: id, Sequence: w.Sequence, At: now})
	})
}

// sameWindow reports whether w, as it would be stored, is stored already
// as cur.
func sameWindow(cur, w *Window) bool {
	return cur.Title == w.Title && slices.Equal(cur.Assets, w.Assets) && cur.Start == w.Start && cur.End == w.End &&
		cur.Zone == w.Zone && cur.Weekly == w.Weekly && cur.Verify == w.Verify.Truncate(time.Second) &&
		cur.TitleEN == w.TitleEN && cur.Description == w.Description && cur.DescriptionEN == w.DescriptionEN
}

// Delete cancels a live window: it is kept, cancelled, with its Sequence
// one more, for calendars to learn of it, and mutes nothing any more.
// Cancelling a window twice is ErrNotFound.
func (s *MaintenanceStore) Delete(ctx context.Context, id string) error {
	n, err := windowID(id)
	if err != nil {
		return err
	}
	now := ts(s.Now())
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var seq int
		err := tx.QueryRowContext(ctx, `UPDATE maintenance_windows SET cancelled = $2, sequence = sequence + 1,
			updated_at = $3 WHERE id = $1 AND NOT cancelled RETURNING sequence`, n, true, now).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return store.NotFound("maintenance window", id)
		}
		if err != nil {
			return fmt.Errorf("cancel maintenance window %d: %w", n, err)
		}
		return enqueue(ctx, tx, s.outbox, Trigger{Type: TriggerMaintenance, MaintenanceID: n, Sequence: seq, At: now})
	})
}

// Retain deletes the windows cancelled before before and returns how many.
func (s *MaintenanceStore) Retain(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM maintenance_windows WHERE cancelled AND updated_at < $1`, ts(before))
	if err != nil {
		return 0, fmt.Errorf("delete cancelled maintenance windows: %w", s.db.MapError(err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Get returns one live window.
func (s *MaintenanceStore) Get(ctx context.Context, id string) (Window, error) {
	n, err := windowID(id)
	if err != nil {
		return Window{}, err
	}
	list, err := s.query(ctx, s.db, `SELECT `+windowColumns+` FROM maintenance_windows WHERE id = $1 AND NOT cancelled`, n)
	if err != nil {
		return Window{}, err
	}
	if len(list) == 0 {
		return Window{}, store.NotFound("maintenance window", id)
	}
	return list[0], nil
}

// List returns every live window, oldest first.
func (s *MaintenanceStore) List(ctx context.Context) ([]Window, error) {
	return s.query(ctx, s.db, `SELECT `+windowColumns+` FROM maintenance_windows WHERE NOT cancelled ORDER BY id`)
}

// ListAll returns every window kept, cancelled ones included, oldest
// first: what a calendar shows.
func (s *MaintenanceStore) ListAll(ctx context.Context) ([]Window, error) {
	return s.query(ctx, s.db, `SELECT `+windowColumns+` FROM maintenance_windows ORDER BY id`)
}

// Mutes returns the suppression of every live window, with their scope
// extended to dependents through g.
func (s *MaintenanceStore) Mutes(ctx context.Context, g Ancestry) (Mutes, error) {
	list, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	return Maintenances{Windows: list, Graph: g}, nil
}

func (s *MaintenanceStore) query(ctx context.Context, db store.Querier, q string, args ...any) ([]Window, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list maintenance windows: %w", err)
	}
	defer func() { _ = rows.Close() }()
	list := []Window{}
	for rows.Next() {
		w, err := scanWindow(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list maintenance windows: %w", err)
	}
	return list, nil
}

func scanWindow(rows *sql.Rows) (Window, error) {
	var (
		w       Window
		id      int64
		assets  string
		seconds int64
		updated sql.NullTime
		created sql.NullTime
	)
	if err := rows.Scan(&id, &w.Title, &assets, &w.Start, &w.End, &w.Zone, &w.Weekly, &seconds, &w.TitleEN,
		&w.Description, &w.DescriptionEN, &w.Sequence, &w.Cancelled, &updated, &created); err != nil {
		return Window{}, fmt.Errorf("scan maintenance window: %w", err)
	}
	w.UpdatedAt, w.CreatedAt = updated.Time.UTC(), created.Time.UTC()
	if err := json.Unmarshal([]byte(assets), &w.Assets); err != nil {
		return Window{}, fmt.Errorf("maintenance window %d assets: %w", id, err)
	}
	w.ID = strconv.FormatInt(id, 10)
	w.Verify = time.Duration(seconds) * time.Second
	return w, nil
}
