package store_test

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"slices"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestEnginesShareMigrationVersionsAndTables keeps the two migration folders
// in step: the same numbered files, and the same tables and columns at the end.
func TestEnginesShareMigrationVersionsAndTables(t *testing.T) {
	names := map[store.Engine][]string{}
	for _, e := range storetest.Engines {
		entries, err := fs.ReadDir(os.DirFS("migrations"), string(e))
		if err != nil {
			t.Fatal(err)
		}
		for _, entry := range entries {
			names[e] = append(names[e], entry.Name())
		}
	}
	if !slices.Equal(names[store.SQLite], names[store.Postgres]) {
		t.Fatalf("migration files differ:\nsqlite   %v\npostgres %v", names[store.SQLite], names[store.Postgres])
	}
	columns := map[store.Engine][]string{}
	for _, e := range storetest.Engines {
		db := storetest.Open(t, e)
		q := `SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1`
		if e == store.Postgres {
			q = `SELECT table_name || '.' || column_name FROM information_schema.columns
				WHERE table_schema = current_schema() ORDER BY 1`
		}
		err := store.Each(context.Background(), db, "columns", q, nil, func(rows *sql.Rows) error {
			var c string
			if err := rows.Scan(&c); err != nil {
				return err
			}
			columns[e] = append(columns[e], c)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(columns[store.SQLite])
	slices.Sort(columns[store.Postgres])
	if len(columns[store.SQLite]) < 10 || !slices.Equal(columns[store.SQLite], columns[store.Postgres]) {
		t.Fatalf("schemas differ:\nsqlite   %v\npostgres %v", columns[store.SQLite], columns[store.Postgres])
	}
}

// TestConcurrentMigrationsTakeTurns starts several processes' worth of
// migrations on one fresh database at once: the lock makes them take turns,
// so each succeeds and the schema is applied once.
func TestConcurrentMigrationsTakeTurns(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.DSN(t, e)
			ctx := context.Background()
			errs := make(chan error, 4)
			for range 4 {
				go func() {
					db, err := store.Open(ctx, dsn)
					if err != nil {
						errs <- err
						return
					}
					defer db.Close()
					_, err = db.Migrate(ctx, nil)
					errs <- err
				}()
			}
			for range 4 {
				if err := <-errs; err != nil {
					t.Fatalf("concurrent migrate: %v", err)
				}
			}
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var applied int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied); err != nil {
				t.Fatal(err)
			}
			// Versions may have gaps (branches take numbers ahead of
			// merging): count the migrations, not the latest version.
			files, err := fs.Glob(os.DirFS("migrations"), string(e)+"/*.sql")
			if err != nil {
				t.Fatal(err)
			}
			if applied != len(files) {
				t.Fatalf("%d migration rows, want %d (each applied once)", applied, len(files))
			}
		})
	}
}
