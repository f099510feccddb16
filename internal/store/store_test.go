package store_test

import (
	"context"
	"errors"
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
