package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestMigrateIsIdempotentAndMapsErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		applied, err := db.Migrate(ctx, nil)
		if err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v, want nothing", applied)
		}
		cur, latest, err := db.SchemaVersion(ctx)
		if err != nil || cur != latest || cur < 1 {
			t.Fatalf("version = %d/%d, %v", cur, latest, err)
		}
		ins := `INSERT INTO customers (id, name, email, language, timezone) VALUES ($1, 'n', 'e@x.org', 'fr', 'Europe/Paris')`
		if _, err := db.ExecContext(ctx, ins, "C1"); err != nil {
			t.Fatal(err)
		}
		_, err = db.ExecContext(ctx, ins, "C1")
		if !errors.Is(db.MapError(err), store.ErrConflict) {
			t.Fatalf("duplicate insert: %v, want ErrConflict", err)
		}
		_, err = db.ExecContext(ctx, `INSERT INTO assets (name, kind, owner) VALUES ('a', 'vm', 'nobody')`)
		if !errors.Is(db.MapError(err), store.ErrConflict) {
			t.Fatalf("dangling owner: %v, want ErrConflict", err)
		}
		var name string
		err = db.QueryRowContext(ctx, `SELECT name FROM customers WHERE id = $1`, "missing").Scan(&name)
		if !errors.Is(db.MapError(err), store.ErrNotFound) {
			t.Fatalf("missing row: %v, want ErrNotFound", err)
		}
	})
}

func TestNewerSchemaIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, latest, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, latest+5)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Migrate(ctx, nil)
		if !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("migrate over a newer schema: %v, want ErrSchemaTooNew", err)
		}
		if !strings.Contains(err.Error(), "upgrade vigie") {
			t.Fatalf("message %q does not say what to do", err)
		}
	})
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	_, err := store.Open(context.Background(), "mysql://x")
	if err == nil || !strings.Contains(err.Error(), "want sqlite:PATH or postgres://URL") {
		t.Fatalf("err = %v", err)
	}
}

func TestPlaceholders(t *testing.T) {
	if got := store.Postgres.Placeholders(2, 3); got != "($1,$2,$3),($4,$5,$6)" {
		t.Fatalf("got %s", got)
	}
	if got := store.SQLite.Placeholders(2, 2); got != "(?,?),(?,?)" {
		t.Fatalf("got %s", got)
	}
	if got := store.Postgres.List(2); got != "($1,$2)" {
		t.Fatalf("got %s", got)
	}
}

// A mapped driver error reads only its class: the driver's text (table,
// constraint, SQLSTATE) stays in the chain for the logs and errors.As.
func TestMappedErrorsHideTheDriverText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ins := `INSERT INTO customers (id, name, email, language, timezone) VALUES ($1, 'n', 'e@x.org', 'fr', 'Europe/Paris')`
		if _, err := db.ExecContext(ctx, ins, "C1"); err != nil {
			t.Fatal(err)
		}
		_, dup := db.ExecContext(ctx, ins, "C1")
		var name string
		missing := db.QueryRowContext(ctx, `SELECT name FROM customers WHERE id = $1`, "nobody").Scan(&name)
		for _, c := range []struct {
			driver error
			class  error
			want   string
		}{{dup, store.ErrConflict, "conflict"}, {missing, store.ErrNotFound, "not found"}} {
			mapped := db.MapError(c.driver)
			if mapped.Error() != c.want || !errors.Is(mapped, c.class) || !errors.Is(mapped, c.driver) {
				t.Errorf("MapError(%v) = %q, want %q matching %v and the driver error", c.driver, mapped, c.want, c.class)
			}
		}
	})
}

func TestOpenSQLiteRefusesPathsInPlainWords(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path  string
		class error
		want  string
	}{
		{dir, store.ErrNotDatabaseFile, "database sqlite:" + dir + ": is a directory, not a database file"},
		{filepath.Join(dir, "nope", "v.db"), store.ErrNoFolder,
			"database sqlite:" + filepath.Join(dir, "nope", "v.db") + ": folder does not exist: " + filepath.Join(dir, "nope")},
		{filepath.Join(file, "v.db"), nil, "database sqlite:" + filepath.Join(file, "v.db") + ": " + file + " is a file, not a folder"},
	}
	for _, c := range cases {
		db, err := store.Open(context.Background(), "sqlite:"+c.path)
		if err == nil {
			_ = db.Close()
			t.Errorf("%s opened", c.path)
			continue
		}
		if err.Error() != c.want || c.class != nil && !errors.Is(err, c.class) {
			t.Errorf("open %s: %q, want %q", c.path, err, c.want)
		}
	}
}
