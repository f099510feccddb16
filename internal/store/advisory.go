package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Advisory lock keys of PostgreSQL, one per thing they keep apart.
const (
	// LockSignalLog is held by every transaction that appends to the
	// signal log, so that ids commit in the order they are given and a
	// consumer reading "after id N" never skips a row committed late.
	LockSignalLog int64 = 0x76696769_65736967
	// LockProbeResults does the same for the queue of remote results.
	LockProbeResults int64 = 0x76696769_65726573
	// LockLeader is held, at session level on a connection of its own, by
	// the one server that runs the singleton work.
	LockLeader int64 = 0x76696769_656c6561
	// LockEngine keeps two incident engines from taking the signal log at
	// once while leadership changes hands.
	LockEngine int64 = 0x76696769_65696e63
)

// SchemaKey is the SQL expression of the advisory lock key given as $1,
// made proper to the current schema. Advisory locks belong to the whole
// database: installations in different schemas of one database (search_path
// in the address) must not hold each other's session locks.
const SchemaKey = `($1::bigint # hashtextextended(current_schema(), 0))`

// LockTx takes the transaction-level advisory lock key on PostgreSQL; it
// is released at commit or rollback. On SQLite a write transaction already
// holds the database's only write lock, so it does nothing.
func (db *DB) LockTx(ctx context.Context, tx *sql.Tx, key int64) error {
	if db.Engine != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+SchemaKey+`)`, key); err != nil {
		return fmt.Errorf("lock %x: %w", key, err)
	}
	return nil
}
