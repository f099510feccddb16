package detect

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// Store keeps what detection produces in the database: signals, the last
// hard state of each check, and counters per minute, hour and day.
type Store struct {
	db *store.DB
	// SignalRetention is how long Retain keeps signals
	// (DefaultSignalRetention when zero).
	SignalRetention time.Duration

	idsMu sync.Mutex
	ids   map[string]int64 // check key → check_ids.id, committed rows only
}

// NewStore returns a Store on db, which must be migrated.
func NewStore(db *store.DB) *Store {
	return &Store{db: db, ids: make(map[string]int64)}
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// queryEach runs a query and calls fn on each row (store.Each).
func queryEach(ctx context.Context, q querier, what, query string, args []any, fn func(rows *sql.Rows) error) error {
	return store.Each(ctx, q, what, query, args, fn)
}

// maxParams bounds the parameters of one multi-row statement, well under
// SQLite's 32766 and PostgreSQL's 65535.
const maxParams = 8000

// insertChunks runs head followed by the placeholders of up to
// maxParams/cols rows and tail, for every chunk of n rows; args fills the
// arguments of rows [from, to).
func insertChunks(ctx context.Context, tx *sql.Tx, e store.Engine, head, tail string, cols, n int,
	args func(dst []any, from, to int) []any,
) error {
	per := maxParams / cols
	buf := make([]any, 0, min(n, per)*cols)
	for from := 0; from < n; from += per {
		to := min(from+per, n)
		q := head + e.Placeholders(to-from, cols) + tail
		if _, err := tx.ExecContext(ctx, q, args(buf[:0], from, to)...); err != nil {
			return err
		}
	}
	return nil
}

// parseState reads a state written by State.String.
func parseState(s string) State {
	switch s {
	case "up":
		return Up
	case "down":
		return Down
	default:
		return Unknown
	}
}
