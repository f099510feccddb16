package incident

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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

// MaintenanceStore keeps maintenance windows.
type MaintenanceStore struct {
	db *store.DB
}

// NewMaintenanceStore returns the maintenance window store over db.
func NewMaintenanceStore(db *store.DB) *MaintenanceStore { return &MaintenanceStore{db: db} }

const windowColumns = `id, title, assets, start_local, end_local, zone, weekly, verify_seconds`

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

// Create validates and stores a new window, setting its ID; by is who
// declared it. Verify is kept to the second.
func (s *MaintenanceStore) Create(ctx context.Context, w *Window, by string) error {
	assets, err := checkWindow(w)
	if err != nil {
		return err
	}
	var id int64
	err = s.db.QueryRowContext(ctx, `INSERT INTO maintenance_windows (title, assets, start_local, end_local, zone,
		weekly, verify_seconds, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		w.Title, assets, w.Start, w.End, w.Zone, w.Weekly, int64(w.Verify/time.Second), by, ts(time.Now())).Scan(&id)
	if err != nil {
		return fmt.Errorf("create maintenance window: %w", s.db.MapError(err))
	}
	w.ID = strconv.FormatInt(id, 10)
	return nil
}

// Update validates a window and replaces the stored one with its ID.
func (s *MaintenanceStore) Update(ctx context.Context, w *Window) error {
	id, err := windowID(w.ID)
	if err != nil {
		return err
	}
	assets, err := checkWindow(w)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE maintenance_windows SET title = $2, assets = $3, start_local = $4,
		end_local = $5, zone = $6, weekly = $7, verify_seconds = $8 WHERE id = $1`,
		id, w.Title, assets, w.Start, w.End, w.Zone, w.Weekly, int64(w.Verify/time.Second))
	if err != nil {
		return fmt.Errorf("update maintenance window %d: %w", id, s.db.MapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.NotFound("maintenance window", w.ID)
	}
	return nil
}

// Delete removes a window.
func (s *MaintenanceStore) Delete(ctx context.Context, id string) error {
	n, err := windowID(id)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM maintenance_windows WHERE id = $1`, n)
	if err != nil {
		return fmt.Errorf("delete maintenance window %d: %w", n, s.db.MapError(err))
	}
	if affected, _ := res.RowsAffected(); affected == 0 {
		return store.NotFound("maintenance window", id)
	}
	return nil
}

// Get returns one window.
func (s *MaintenanceStore) Get(ctx context.Context, id string) (Window, error) {
	n, err := windowID(id)
	if err != nil {
		return Window{}, err
	}
	list, err := s.query(ctx, `SELECT `+windowColumns+` FROM maintenance_windows WHERE id = $1`, n)
	if err != nil {
		return Window{}, err
	}
	if len(list) == 0 {
		return Window{}, store.NotFound("maintenance window", id)
	}
	return list[0], nil
}

// List returns every window, oldest first.
func (s *MaintenanceStore) List(ctx context.Context) ([]Window, error) {
	return s.query(ctx, `SELECT `+windowColumns+` FROM maintenance_windows ORDER BY id`)
}

// Mutes returns the suppression of every stored window, with their scope
// extended to dependents through g.
func (s *MaintenanceStore) Mutes(ctx context.Context, g Ancestry) (Mutes, error) {
	list, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	return Maintenances{Windows: list, Graph: g}, nil
}

func (s *MaintenanceStore) query(ctx context.Context, q string, args ...any) ([]Window, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
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
	)
	if err := rows.Scan(&id, &w.Title, &assets, &w.Start, &w.End, &w.Zone, &w.Weekly, &seconds); err != nil {
		return Window{}, fmt.Errorf("scan maintenance window: %w", err)
	}
	if err := json.Unmarshal([]byte(assets), &w.Assets); err != nil {
		return Window{}, fmt.Errorf("maintenance window %d assets: %w", id, err)
	}
	w.ID = strconv.FormatInt(id, 10)
	w.Verify = time.Duration(seconds) * time.Second
	return w, nil
}
