package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"

	"github.com/vigie/vigie/internal/store"
)

// database is a fresh, empty database made for one measurement.
type database struct {
	engine store.Engine
	dsn    string
	path   string // the SQLite file
	schema string // the PostgreSQL schema
}

// freshDB returns a new empty database: a SQLite file in the workspace, or a
// schema of its own on the PostgreSQL server, dropped by w.drop or w.close.
func (w *workspace) freshDB(ctx context.Context, e store.Engine, name string) (*database, error) {
	if e == store.SQLite {
		dir, err := os.MkdirTemp(w.dir, name+"-")
		if err != nil {
			return nil, fmt.Errorf("sqlite database: %w", err)
		}
		path := filepath.Join(dir, "vigie.db")
		return &database{engine: e, dsn: "sqlite:" + path, path: path}, nil
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "vigie_bench_" + hex.EncodeToString(b[:])
	admin, err := openAdmin(ctx, w.cfg.postgres)
	if err != nil {
		return nil, err
	}
	defer func() { _ = admin.Close() }()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return nil, fmt.Errorf("create schema %s: %w", schema, err)
	}
	w.schemas = append(w.schemas, schema)
	u, err := url.Parse(w.cfg.postgres)
	if err != nil {
		return nil, fmt.Errorf("postgres url: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return &database{engine: e, dsn: u.String(), schema: schema}, nil
}

// drop removes the database now, to keep the disk of a long run small.
func (w *workspace) drop(ctx context.Context, db *database) error {
	if db.engine == store.SQLite {
		return os.RemoveAll(filepath.Dir(db.path))
	}
	w.schemas = slices.DeleteFunc(w.schemas, func(s string) bool { return s == db.schema })
	return dropSchema(ctx, w.cfg.postgres, db.schema)
}

func openAdmin(ctx context.Context, dsn string) (*sql.DB, error) {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return admin, nil
}

func dropSchema(ctx context.Context, dsn, schema string) error {
	admin, err := openAdmin(ctx, dsn)
	if err != nil {
		return err
	}
	defer func() { _ = admin.Close() }()
	if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		return fmt.Errorf("drop schema %s: %w", schema, err)
	}
	return nil
}

// settle asks PostgreSQL for a checkpoint, so that each measure starts
// without the dirty pages the previous one left. Failing to is only logged:
// it takes a superuser.
func (w *workspace) settle(ctx context.Context, e store.Engine) {
	if e != store.Postgres {
		return
	}
	admin, err := openAdmin(ctx, w.cfg.postgres)
	if err == nil {
		_, err = admin.ExecContext(ctx, "CHECKPOINT")
		_ = admin.Close()
	}
	if err != nil {
		logf("checkpoint: %v", err)
	}
}

// rowCounts is the number of rows of each inventory table.
type rowCounts struct {
	Customers int64 `json:"customers"`
	Assets    int64 `json:"assets"`
	Deps      int64 `json:"asset_deps"`
	Labels    int64 `json:"asset_labels"`
}

func (r rowCounts) String() string {
	return fmt.Sprintf("%d customers, %d assets, %d asset_deps, %d asset_labels", r.Customers, r.Assets, r.Deps, r.Labels)
}

// stats returns the rows of each table and the size of the database on disk.
func (db *database) stats(ctx context.Context) (rowCounts, int64, error) {
	var rc rowCounts
	conn, err := store.Open(ctx, db.dsn)
	if err != nil {
		return rc, 0, err
	}
	defer func() { _ = conn.Close() }()
	for _, c := range []struct {
		table string
		n     *int64
	}{{"customers", &rc.Customers}, {"assets", &rc.Assets}, {"asset_deps", &rc.Deps}, {"asset_labels", &rc.Labels}} {
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+c.table).Scan(c.n); err != nil {
			return rc, 0, fmt.Errorf("count %s: %w", c.table, err)
		}
	}
	size, err := db.size(ctx, conn)
	return rc, size, err
}

// size is the bytes the database takes: the SQLite file and its WAL, or the
// tables of the schema with their indexes and TOAST.
func (db *database) size(ctx context.Context, conn *store.DB) (int64, error) {
	if db.engine == store.SQLite {
		var total int64
		for _, f := range []string{db.path, db.path + "-wal"} {
			if fi, err := os.Stat(f); err == nil {
				total += fi.Size()
			}
		}
		return total, nil
	}
	var total int64
	err := conn.QueryRowContext(ctx, `SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0)::bigint
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind = 'r'`, db.schema).Scan(&total)
	if err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return total, nil
}
