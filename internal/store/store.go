// Package store opens Vigie's database (embedded SQLite or PostgreSQL),
// applies its migrations and maps driver errors to shared sentinels.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// ErrNotFound is returned when a requested row does not exist, whatever the engine.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write breaks a uniqueness or reference constraint.
var ErrConflict = errors.New("conflict")

// Engine names the SQL engine behind a DB.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DefaultDSN is the database used when neither --db nor VIGIE_DB is given.
const DefaultDSN = "sqlite:vigie.db"

// DB is an open database with the engine it runs on.
type DB struct {
	*sql.DB
	Engine Engine
	// Where is a printable description of the database, without credentials.
	Where string

	// scope tells apart the Vigie databases sharing one PostgreSQL
	// database in schemas of their own: it keys their locks and
	// notifications (0 on SQLite).
	scope uint32

	wakes hub
	// afterCommit holds, per open transaction, the wake-ups NotifyTx
	// queued on SQLite, given to this process's subscribers once it
	// commits.
	afterCommit sync.Map // *sql.Tx → *[]string (topic:payload pairs)
	observe     atomic.Pointer[func(op string, d time.Duration, err error)]
	appends     atomic.Pointer[func(source string, n int)]
}

// Open opens the database named by dsn: "sqlite:PATH" or a postgres:// URL.
// It does not migrate; call Migrate or CheckSchema next.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		dsn = DefaultDSN
	}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	default:
		return nil, fmt.Errorf("database %q: want sqlite:PATH or postgres://URL", RedactDSN(dsn))
	}
}

// ErrNotDatabaseFile is wrapped by the error for a SQLite path that names a
// directory, which the driver would only call "unable to open".
var ErrNotDatabaseFile = errors.New("not a database file")

// ErrNoFolder is wrapped by the error for a SQLite path whose folder does
// not exist: the database file is created, its folder never.
var ErrNoFolder = errors.New("folder does not exist")

// checkSQLitePath refuses, in plain words, the paths the driver would fail
// on with its own codes: a directory, or a file in a missing folder.
func checkSQLitePath(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("database sqlite:%s: is a directory, %w", path, ErrNotDatabaseFile)
	}
	dir := filepath.Dir(path)
	if dir == "." {
		return nil
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("database sqlite:%s: %w: %s", path, ErrNoFolder, dir)
	case err != nil:
		return fmt.Errorf("database sqlite:%s: %w", path, err)
	case !fi.IsDir():
		return fmt.Errorf("database sqlite:%s: %s is a file, not a folder", path, dir)
	}
	return nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("database sqlite: empty path")
	}
	if err := checkSQLitePath(path); err != nil {
		return nil, err
	}
	if err := makePrivate(path); err != nil {
		return nil, fmt.Errorf("database sqlite:%s: %w", path, err)
	}
	// Settings are given in the DSN so that the driver applies them to every
	// new connection of the pool, not only to the first one.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-65536)") // 64 MiB of page cache: imports touch large indexes
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	sqlDB, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("database sqlite:%s: %w", path, err)
	}
	// One writer at a time is SQLite's rule; a small pool keeps readers
	// concurrent without piling up writers waiting on the busy timeout.
	sqlDB.SetMaxOpenConns(4)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{DB: sqlDB, Engine: SQLite, Where: "sqlite:" + path}
	// Switching a new file to WAL takes a lock that the busy timeout does
	// not wait for: processes starting together on one file retry briefly.
	err = db.PingContext(ctx)
	for try := 0; err != nil && isSQLiteBusy(err) && try < 50; try++ {
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(10+try*5) * time.Millisecond):
		}
		err = db.PingContext(ctx)
	}
	if err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("database %s: %w", db.Where, err)
	}
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	sqlDB, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", RedactDSN(dsn), err)
	}
	sqlDB.SetMaxOpenConns(16)
	// Keep the connections open between bursts (database/sql keeps 2 by
	// default): reconnecting for each one cost more than the work itself
	// while 5,000 notifications went out.
	sqlDB.SetMaxIdleConns(16)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{DB: sqlDB, Engine: Postgres, Where: RedactDSN(dsn)}
	var schema string
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(current_schema(), '')`).Scan(&schema); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("database %s: %w", db.Where, err)
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(schema))
	db.scope = h.Sum32()
	return db, nil
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise. Errors from fn are returned mapped by MapError.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	start := time.Now()
	defer func() { db.observed("tx", start, err) }()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", db.MapError(err))
	}
	wakes := &[]string{}
	db.afterCommit.Store(tx, wakes)
	defer db.afterCommit.Delete(tx)
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return db.MapError(err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", db.MapError(err))
	}
	for _, w := range *wakes {
		topic, payload, _ := strings.Cut(w, ":")
		db.Wake(topic, payload)
	}
	return nil
}

// MapError turns driver errors into ErrNotFound or ErrConflict where they
// mean that. The result reads only "not found" or "conflict", never the
// driver's text, and keeps the driver error in its chain for errors.As.
func (db *DB) MapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &mappedError{class: ErrNotFound, driver: err}
	}
	if isConflict(err) {
		return &mappedError{class: ErrConflict, driver: err}
	}
	return err
}

func isConflict(err error) bool {
	return isSQLiteConflict(err) || isPostgresConflict(err)
}

// Placeholders returns "($1,$2,...),(...)" for rows rows of cols columns,
// numbering from 1, for multi-row inserts. On SQLite it writes plain "?":
// SQLite takes "$n" as a named parameter, and looking names up makes a
// statement with thousands of them cost time quadratic in their number.
func (e Engine) Placeholders(rows, cols int) string {
	var b strings.Builder
	b.Grow(rows * cols * 5)
	n := 1
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			if e == SQLite {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(n))
			}
			n++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// List returns "($1,...,$n)" (or "(?,...)" on SQLite) for an IN list.
func (e Engine) List(n int) string { return e.Placeholders(1, n) }

// LockRows returns what ends a SELECT in a transaction so that the rows it
// reads stay the transaction's until it ends: FOR UPDATE on PostgreSQL;
// nothing on SQLite, whose transactions begin IMMEDIATE and so already
// hold the database's one write lock.
func (e Engine) LockRows() string {
	if e == Postgres {
		return " FOR UPDATE"
	}
	return ""
}
