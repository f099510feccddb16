package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Advisory lock keys of PostgreSQL, one per thing they keep apart. They
// are taken through LockKey, so that Vigie databases in other schemas of
// the same PostgreSQL database keep locks of their own.
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

// LockKey is the advisory lock key of key for this database: its high 32
// bits stay key's ("vigi", so that Vigie's locks are told apart in
// pg_locks), its low 32 bits are mixed with the schema, as two servers
// share a lock only when they share the schema.
func (db *DB) LockKey(key int64) int64 {
	return key ^ int64(db.scope)
}

// LockTx takes the transaction-level advisory lock key on PostgreSQL; it
// is released at commit or rollback. On SQLite a write transaction already
// holds the database's only write lock, so it does nothing.
func (db *DB) LockTx(ctx context.Context, tx *sql.Tx, key int64) error {
	if db.Engine != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, db.LockKey(key)); err != nil {
		return fmt.Errorf("lock %x: %w", key, err)
	}
	return nil
}
