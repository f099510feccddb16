package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrBadSnapshot is wrapped by the errors of VerifySnapshot: the file is not
// a sound SQLite database at the schema version this binary knows.
var ErrBadSnapshot = errors.New("bad snapshot")

// Snapshot describes a verified copy of a SQLite database.
type Snapshot struct {
	// Path is the snapshot file.
	Path string
	// Size is its size in bytes.
	Size int64
	// SchemaVersion is its goose schema version, the latest this binary knows.
	SchemaVersion int64
	// Tables is how many tables it has, goose's included.
	Tables int
	// Rows counts the rows of a few main tables, in the order of countedTables.
	Rows []TableRows
}

// TableRows is the number of rows of one table.
type TableRows struct {
	Table string
	Rows  int64
}

// countedTables are the tables whose rows a Snapshot counts: enough to see
// at a glance that a backup holds the host, without scanning everything.
var countedTables = []string{"customers", "assets", "checks", "users", "incidents", "signals"}

// VerifySnapshot checks that path is a SQLite database that passes
// PRAGMA integrity_check and is at the latest schema version this binary
// knows, and describes it. It opens the file read-only and immutable, so
// that it writes nothing, not even a journal beside it. Errors name the
// file and wrap ErrBadSnapshot when the file itself is at fault.
func VerifySnapshot(ctx context.Context, path string) (Snapshot, error) {
	return verifySnapshot(ctx, path, path)
}

// verifySnapshot verifies the file at path, naming it name in errors: a
// restore verifies its private copy of the file the operator named.
func verifySnapshot(ctx context.Context, path, name string) (Snapshot, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Snapshot{}, fmt.Errorf("snapshot %s: %w", name, pathCause(err))
	}
	if !fi.Mode().IsRegular() {
		return Snapshot{}, fmt.Errorf("%w %s: not a regular file", ErrBadSnapshot, name)
	}
	db, err := openSnapshot(path, name)
	if err != nil {
		return Snapshot{}, err
	}
	defer func() { _ = db.Close() }()
	snap := Snapshot{Path: name, Size: fi.Size()}
	if err := integrityCheck(ctx, db); err != nil {
		return Snapshot{}, fmt.Errorf("%w %s: %w", ErrBadSnapshot, name, err)
	}
	if snap.SchemaVersion, err = snapshotVersion(ctx, db); err != nil {
		return Snapshot{}, fmt.Errorf("%w %s: %w", ErrBadSnapshot, name, err)
	}
	if err := db.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).Scan(&snap.Tables); err != nil {
		return Snapshot{}, fmt.Errorf("%w %s: count tables: %w", ErrBadSnapshot, name, err)
	}
	for _, table := range countedTables {
		r := TableRows{Table: table}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&r.Rows); err != nil {
			return Snapshot{}, fmt.Errorf("%w %s: count %s: %w", ErrBadSnapshot, name, table, err)
		}
		snap.Rows = append(snap.Rows, r)
	}
	return snap, nil
}

// openSnapshot opens a SQLite file read-only and immutable: SQLite then
// takes no lock, reads no -wal beside it and creates no file.
func openSnapshot(path, name string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	// A URI filename: escape what would end the path or start an escape.
	uri := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(abs))
	sqlDB, err := sql.Open("sqlite", "file:"+uri+"?mode=ro&immutable=1&_time_format=sqlite")
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	sqlDB.SetMaxOpenConns(1)
	return &DB{DB: sqlDB, Engine: SQLite, Where: "sqlite:" + name}, nil
}

// integrityCheck runs PRAGMA integrity_check, reporting its first findings.
func integrityCheck(ctx context.Context, db *DB) error {
	var problems []string
	err := Each(ctx, db, "integrity check", `PRAGMA integrity_check(5)`, nil, func(rows *sql.Rows) error {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		problems = append(problems, line)
		return nil
	})
	if err != nil {
		return err
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return fmt.Errorf("integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}

// snapshotVersion reads the schema version of a snapshot and checks that it
// is the latest this binary knows.
func snapshotVersion(ctx context.Context, db *DB) (int64, error) {
	// Goose creates its table when missing, which a read-only file refuses
	// after retrying: look first.
	var n int
	if err := db.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read schema: %w", err)
	}
	if n == 0 {
		return 0, errors.New("no schema version table, not a Vigie database")
	}
	current, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	switch {
	case current < latest:
		return 0, fmt.Errorf("schema version %d, this binary expects %d (migrate a copy with vigie migrate --db sqlite:FILE first)",
			current, latest)
	case current > latest:
		return 0, fmt.Errorf("schema version %d, this binary knows up to %d (use a newer vigie)",
			current, latest)
	}
	return current, nil
}
