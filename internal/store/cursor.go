package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Execer is what both *sql.DB and *sql.Tx offer for writing.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// RowQuerier is what both *sql.DB and *sql.Tx offer for reading one row.
type RowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Cursor returns where the consumer name stands in its log: the id of the
// last row it took, 0 before the first.
func Cursor(ctx context.Context, q RowQuerier, name string) (int64, error) {
	var pos int64
	err := q.QueryRowContext(ctx, `SELECT position FROM log_cursors WHERE name = $1`, name).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cursor %s: %w", name, err)
	}
	return pos, nil
}

// SetCursor moves the consumer name to pos, in the caller's transaction.
func SetCursor(ctx context.Context, x Execer, name string, pos int64) error {
	_, err := x.ExecContext(ctx, `INSERT INTO log_cursors (name, position) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET position = excluded.position`, name, pos)
	if err != nil {
		return fmt.Errorf("cursor %s: %w", name, err)
	}
	return nil
}
