package incident

import (
	"context"
	"database/sql"
)

// AddEventTx appends an entry to an incident's timeline inside tx, the
// transaction of what it records (a notification's outcome with the
// outbox's row).
func (s *Store) AddEventTx(ctx context.Context, tx *sql.Tx, e *Event) error {
	return s.addEvent(ctx, tx, e)
}
