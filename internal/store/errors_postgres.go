package store

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// isPostgresConflict reports a unique_violation or foreign_key_violation.
func isPostgresConflict(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	return pe.Code == "23505" || pe.Code == "23503"
}
