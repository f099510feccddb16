package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

// ErrSchemaTooNew is returned when the database was migrated by a newer Vigie.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// ErrSchemaOutdated is returned when migrations are pending and the caller asked not to apply them.
var ErrSchemaOutdated = errors.New("database schema is older than this binary: run vigie migrate")

// migrationLockID is the PostgreSQL advisory lock taken while migrating, so
// that two replicas starting together never migrate at once.
const migrationLockID = 0x76696769_65000001

func (db *DB) provider(ctx context.Context, logger *slog.Logger) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.Engine))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.Engine == Postgres {
		dialect = goose.DialectPostgres
		// The lock is per schema: replicas sharing a schema take turns,
		// while databases in other schemas (tests, other hosts) do not wait.
		var schema string
		if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		h := fnv.New64a()
		_, _ = h.Write([]byte(schema))
		id := int64(migrationLockID ^ (h.Sum64() & 0xffffff))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 600))
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	p, err := goose.NewProvider(dialect, db.DB, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// SchemaVersion returns the version the database is at and the latest
// version this binary knows.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := db.provider(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("read schema version: %w", err)
	}
	for _, s := range p.ListSources() {
		latest = max(latest, s.Version)
	}
	return current, latest, nil
}

// Migrate brings the schema up to date and returns the versions applied.
// A database whose schema is newer than the binary is refused unchanged.
func (db *DB) Migrate(ctx context.Context, logger *slog.Logger) ([]int64, error) {
	current, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if current > latest {
		return nil, fmt.Errorf("%s is at schema version %d, this binary knows up to %d: %w (upgrade vigie)",
			db.Where, current, latest, ErrSchemaTooNew)
	}
	p, err := db.provider(ctx, logger)
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	// SQLite has no migration lock: when another process migrated the same
	// file meanwhile, this one fails on its first statement. Seeing the
	// version move on, it starts again from where the other stopped.
	for try := 0; err != nil && db.Engine == SQLite && try < 5; try++ {
		now, _, verr := db.SchemaVersion(ctx)
		if verr != nil || now <= current {
			break
		}
		current = now
		results, err = p.Up(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("migrate %s: %w", db.Where, err)
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// MigrateDownTo undoes the migrations after version, newest first: tests
// of a migration take a database back to just before it.
func (db *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := db.provider(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		return fmt.Errorf("migrate down to %d: %w", version, err)
	}
	return nil
}
