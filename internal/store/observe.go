package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// ObserveQueries has fn told of every query, statement and transaction run
// through the DB's own methods, with how long it took: the database's
// latency as the server sees it.
func (db *DB) ObserveQueries(fn func(op string, d time.Duration, err error)) {
	db.observe.Store(&fn)
}

// ObserveAppends has fn told of the signals appended to the log by this
// process, by producer, once committed.
func (db *DB) ObserveAppends(fn func(source string, n int)) {
	db.appends.Store(&fn)
}

// Appended reports committed appends to the log: it counts them by
// source and wakes this process's consumers of the log.
func (db *DB) Appended(sources []string) {
	if len(sources) == 0 {
		return
	}
	if fn := db.appends.Load(); fn != nil {
		counts := map[string]int{}
		for _, s := range sources {
			counts[s]++
		}
		for s, n := range counts {
			(*fn)(s, n)
		}
	}
	db.Wake(TopicSignals, "")
}

func (db *DB) observed(op string, start time.Time, err error) {
	if fn := db.observe.Load(); fn != nil {
		(*fn)(op, time.Since(start), err)
	}
}

// QueryContext runs a query, observed.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	start := time.Now()
	rows, err := db.DB.QueryContext(ctx, query, args...)
	db.observed("query", start, err)
	return rows, err
}

// ExecContext runs a statement, observed.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	start := time.Now()
	res, err := db.DB.ExecContext(ctx, query, args...)
	db.observed("exec", start, err)
	return res, err
}

// QueryRowContext runs a query of one row, observed up to its first row.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	start := time.Now()
	row := db.DB.QueryRowContext(ctx, query, args...)
	db.observed("query", start, row.Err())
	return row
}

// IsUnavailable reports whether err means the database cannot be reached
// or is too busy right now, rather than that the request is wrong: the
// caller may answer 503 and be retried.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &connErr), errors.As(err, &netErr):
		return true
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) || isPostgresUnavailable(err) {
		return true
	}
	return isSQLiteBusy(err)
}
