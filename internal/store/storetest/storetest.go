// Package storetest opens fresh, migrated databases on every engine for tests:
// a SQLite file in a temporary directory and a PostgreSQL schema of its own,
// so that runs never collide.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie/vigie/internal/store"
)

// PostgresURL is the server used by tests, overridable with VIGIE_TEST_POSTGRES.
func PostgresURL() string {
	if u := os.Getenv("VIGIE_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Engines lists the engines every store test runs on.
var Engines = []store.Engine{store.SQLite, store.Postgres}

// Each runs fn once per engine, as a subtest named after the engine, with a
// fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

// Open returns a fresh migrated database of the given engine, removed when the
// test ends. PostgreSQL being unreachable skips the test, or fails it when
// CI=true.
func Open(t testing.TB, e store.Engine) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), DSN(t, e))
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatalf("migrate %s: %v", e, err)
	}
	return db
}

// DSN returns the address of a new empty database of the given engine
// (a SQLite file, or a PostgreSQL schema dropped at cleanup).
func DSN(t testing.TB, e store.Engine) string {
	t.Helper()
	if e == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "vigie.db")
	}
	base := PostgresURL()
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.PingContext(context.Background())
	}
	if err != nil {
		if admin != nil {
			_ = admin.Close()
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s is required when CI=true: %v", base, err)
		}
		t.Skipf("PostgreSQL unavailable at %s: %v", base, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "vigie_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		_ = admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", base, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// RefuseWrites makes every insert or update of table whose new row
// matches when (an SQL condition on NEW, "" for all rows) fail, as a
// database refusing a write would, until lift is called or the test ends.
func RefuseWrites(t testing.TB, db *store.DB, table, when string) (lift func()) {
	t.Helper()
	if when == "" {
		when = "1 = 1"
	}
	ctx := context.Background()
	name := "refuse_" + table
	var create, drop []string
	if db.Engine == store.SQLite {
		for _, op := range []string{"insert", "update"} {
			create = append(create, `CREATE TRIGGER `+name+`_`+op+` BEFORE `+op+` ON `+table+
				` FOR EACH ROW WHEN `+when+` BEGIN SELECT RAISE(ABORT, 'write refused by the test'); END`)
			drop = append(drop, `DROP TRIGGER IF EXISTS `+name+`_`+op)
		}
	} else {
		create = []string{
			`CREATE OR REPLACE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS
				$$ BEGIN RAISE EXCEPTION 'write refused by the test'; END $$`,
			`CREATE TRIGGER ` + name + ` BEFORE INSERT OR UPDATE ON ` + table +
				` FOR EACH ROW WHEN (` + when + `) EXECUTE FUNCTION refuse_write()`,
		}
		drop = []string{`DROP TRIGGER IF EXISTS ` + name + ` ON ` + table}
	}
	for _, q := range create {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("refuse writes to %s: %v", table, err)
		}
	}
	lifted := false
	lift = func() {
		if lifted {
			return
		}
		lifted = true
		for _, q := range drop {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Errorf("lift refusal of %s: %v", table, err)
			}
		}
	}
	t.Cleanup(lift)
	return lift
}
