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

// isPostgresUnavailable reports the errors of a server going away or too
// busy, rather than of the request: a connection exception, too many
// connections, or the server shutting down, crashed or starting up (what
// a query in flight gets when PostgreSQL restarts or fails over).
func isPostgresUnavailable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "53300", "57P01", "57P02", "57P03":
		return true
	}
	return len(pe.Code) == 5 && pe.Code[:2] == "08"
}
