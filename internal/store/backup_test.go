package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// addDedup inserts n alert_dedup rows numbered from first: a small table
// with no references, good to count what a snapshot holds.
func addDedup(t *testing.T, db *store.DB, first, n int) {
	t.Helper()
	at := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	for i := first; i < first+n; i++ {
		if _, err := db.ExecContext(context.Background(),
			`INSERT INTO alert_dedup (fingerprint, firing, starts_at, seen_at) VALUES ($1, $2, $3, $3)`,
			fmt.Sprintf("f%06d", i), false, at); err != nil {
			t.Fatal(err)
		}
	}
}

// countDedup counts the alert_dedup rows of the database at dsn.
func countDedup(t *testing.T, dsn string) int {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM alert_dedup`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBackupOfALiveDatabase takes a snapshot while a writer commits rows one
// by one: the snapshot verifies, opens as an up-to-date Vigie database, and
// holds every row committed before it began.
func TestBackupOfALiveDatabase(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	var committed atomic.Int64
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		at := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
		for i := int64(1); i <= 100_000; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, err := db.ExecContext(ctx,
				`INSERT INTO alert_dedup (fingerprint, firing, starts_at, seen_at) VALUES ($1, $2, $3, $3)`,
				fmt.Sprintf("f%06d", i), true, at); err != nil {
				done <- err
				return
			}
			committed.Store(i)
		}
		done <- nil
	}()
	for deadline := time.Now().Add(10 * time.Second); committed.Load() < 200; {
		if time.Now().After(deadline) {
			t.Fatalf("the writer committed %d rows in 10 s", committed.Load())
		}
		time.Sleep(time.Millisecond)
	}
	before := committed.Load()
	out := filepath.Join(t.TempDir(), "backup.db")
	snap, err := store.Backup(ctx, db, out)
	close(stop)
	if werr := <-done; werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	_, latest, _ := db.SchemaVersion(ctx)
	if snap.Path != out || snap.SchemaVersion != latest || snap.Size == 0 || snap.Tables < 20 {
		t.Fatalf("snapshot %+v, want %s at version %d", snap, out, latest)
	}
	copyDB, err := store.Open(ctx, "sqlite:"+out)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if applied, err := copyDB.Migrate(ctx, nil); err != nil || len(applied) != 0 {
		t.Fatalf("snapshot Migrate = %v, %v; want up to date", applied, err)
	}
	var present, total int64
	err = copyDB.QueryRowContext(ctx, `SELECT COUNT(*) FILTER (WHERE fingerprint <= $1), COUNT(*) FROM alert_dedup`,
		fmt.Sprintf("f%06d", before)).Scan(&present, &total)
	if err != nil {
		t.Fatal(err)
	}
	if present != before || total < before {
		t.Fatalf("snapshot holds %d of the %d rows committed before it (%d in all)", present, before, total)
	}
}

func TestBackupRefusesAnExistingFile(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	dir := t.TempDir()
	out := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(out, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := store.Backup(context.Background(), db, out)
	if err == nil || !strings.Contains(err.Error(), out+": the file exists") {
		t.Fatalf("Backup over a file = %v", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "keep me" {
		t.Fatalf("the existing file was changed: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left files behind: %v", entries)
	}
}

// TestPostgresBackupAndRestoreAreRefused checks the refusal says which
// commands to run instead, with an address libpq accepts.
func TestPostgresBackupAndRestoreAreRefused(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	dsn := storetest.DSN(t, store.Postgres)
	_, berr := store.Backup(context.Background(), db, filepath.Join(t.TempDir(), "x.db"))
	_, rerr := store.Restore(context.Background(), filepath.Join(t.TempDir(), "x.db"), dsn, store.RestoreOptions{})
	for _, err := range []error{berr, rerr} {
		if !errors.Is(err, store.ErrNotSQLite) {
			t.Fatalf("error %v, want ErrNotSQLite", err)
		}
		for _, want := range []string{"pg_dump --format=custom --schema=vigie_test_", "--file=vigie.dump \"postgres://",
			"pg_restore --clean --if-exists --dbname=\"postgres://"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("refusal lacks %q:\n%v", want, err)
			}
		}
		for _, line := range strings.Split(err.Error(), "\n")[1:] {
			if strings.Contains(line, "search_path") {
				t.Errorf("command passes search_path, which libpq refuses: %s", line)
			}
		}
	}
}

func TestBackupRefusesAnOutdatedSchema(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.DSN(t, store.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := filepath.Join(t.TempDir(), "backup.db")
	if _, err := store.Backup(ctx, db, out); err == nil || !strings.Contains(err.Error(), "run vigie migrate first") {
		t.Fatalf("Backup of an unmigrated database = %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Backup wrote %s: %v", out, err)
	}
}
