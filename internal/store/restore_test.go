package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// liveWithBackup returns the address of a database holding 10 alert_dedup
// rows and a verified backup of it taken at that point, in its own
// directory; then 5 more rows are added to the database.
func liveWithBackup(t *testing.T) (dsn, backup string) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	addDedup(t, db, 0, 10)
	backup = filepath.Join(t.TempDir(), "backup.db")
	if _, err := store.Backup(context.Background(), db, backup); err != nil {
		t.Fatal(err)
	}
	addDedup(t, db, 10, 5)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return db.Where, backup
}

// dirState is the names and contents of the files of a directory.
func dirState(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		state[e.Name()] = b
	}
	return state
}

func sameState(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

// editCopy copies the file src to a new file, lets edit change the copy
// through SQL, and returns its path.
func editCopy(t *testing.T, src string, edit func(db *store.DB) error) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "edited.db")
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), "sqlite:"+dst)
	if err != nil {
		t.Fatal(err)
	}
	if err := edit(db); err != nil {
		t.Fatal(err)
	}
	// Back to a single file, as a backup is.
	if _, err := db.Exec(`PRAGMA journal_mode=DELETE`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// writeCopy writes a copy of src changed by change, and returns its path.
func writeCopy(t *testing.T, src string, change func([]byte) []byte) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "changed.db")
	if err := os.WriteFile(dst, change(b), 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestRestoreRefusesABadSnapshot feeds restore snapshots that must not be
// put in place: each is refused with an error naming the file, and the
// database's directory is left exactly as it was.
func TestRestoreRefusesABadSnapshot(t *testing.T) {
	dsn, good := liveWithBackup(t)
	path := strings.TrimPrefix(dsn, "sqlite:")
	// A server ran there: the lock file exists. Sidecar files a restore
	// would remove or move show that it did not.
	release, err := store.LockServer(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+"-shm", []byte("index"), 0o600); err != nil {
		t.Fatal(err)
	}
	latest := func() int64 {
		db := storetest.Open(t, store.SQLite)
		_, v, _ := db.SchemaVersion(context.Background())
		return v
	}()
	tests := []struct {
		name string
		file func() string
		want string
	}{
		{"missing", func() string { return filepath.Join(t.TempDir(), "nope.db") }, "no such file"},
		{"not a database", func() string {
			return writeCopy(t, good, func(b []byte) []byte { return bytes.Repeat([]byte("not sqlite "), 500) })
		}, "not a database"},
		{"truncated", func() string {
			return writeCopy(t, good, func(b []byte) []byte { return b[:len(b)/2] })
		}, "malformed"},
		{"corrupt pages", func() string {
			return writeCopy(t, good, func(b []byte) []byte {
				for i := 4096; i < len(b); i += 4096 {
					copy(b[i+8:i+200], bytes.Repeat([]byte{0xa5}, 192))
				}
				return b
			})
		}, "malformed"},
		{"not vigie", func() string {
			return editCopy(t, good, func(db *store.DB) error {
				_, err := db.Exec(`DROP TABLE goose_db_version`)
				return err
			})
		}, "not a Vigie database"},
		{"older schema", func() string {
			return editCopy(t, good, func(db *store.DB) error {
				_, err := db.Exec(`DELETE FROM goose_db_version WHERE version_id = $1`, latest)
				return err
			})
		}, "vigie migrate"},
		{"newer schema", func() string {
			return editCopy(t, good, func(db *store.DB) error {
				_, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, latest+1)
				return err
			})
		}, "use a newer vigie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := tt.file()
			before := dirState(t, filepath.Dir(path))
			_, err := store.Restore(context.Background(), from, dsn, store.RestoreOptions{KeepPrevious: true})
			if err == nil {
				t.Fatal("Restore accepted it")
			}
			msg := err.Error()
			if !strings.Contains(msg, "snapshot "+from+": ") || !strings.Contains(msg, tt.want) ||
				!strings.Contains(msg, "nothing was changed") {
				t.Errorf("error %q lacks the file, %q or that nothing changed", msg, tt.want)
			}
			if tt.name != "missing" && !errors.Is(err, store.ErrBadSnapshot) {
				t.Errorf("error %v does not wrap ErrBadSnapshot", err)
			}
			if _, verr := store.VerifySnapshot(context.Background(), from); verr == nil {
				t.Errorf("VerifySnapshot accepts what Restore refused")
			}
			if after := dirState(t, filepath.Dir(path)); !sameState(before, after) {
				t.Errorf("the database directory changed")
			}
		})
	}
	if n := countDedup(t, dsn); n != 15 {
		t.Fatalf("database has %d rows after refused restores, want 15", n)
	}
}

func TestRestoreRefusesWhileAServerRuns(t *testing.T) {
	dsn, backup := liveWithBackup(t)
	release, err := store.LockServer(dsn)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(strings.TrimPrefix(dsn, "sqlite:"))
	before := dirState(t, dir)
	_, err = store.Restore(context.Background(), backup, dsn, store.RestoreOptions{KeepPrevious: true})
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("Restore under a server = %v, want ErrLocked", err)
	}
	if !sameState(before, dirState(t, dir)) {
		t.Fatal("the database directory changed")
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Restore(context.Background(), backup, dsn, store.RestoreOptions{}); err != nil {
		t.Fatalf("Restore once the server stopped: %v", err)
	}
	if n := countDedup(t, dsn); n != 10 {
		t.Fatalf("restored database has %d rows, want the backup's 10", n)
	}
}

// TestRestorePutsTheSnapshotInPlace restores twice: keeping the previous
// database with its -wal, then not keeping it.
func TestRestorePutsTheSnapshotInPlace(t *testing.T) {
	dsn, backup := liveWithBackup(t)
	path := strings.TrimPrefix(dsn, "sqlite:")
	dir := filepath.Dir(path)
	previous, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for suffix, text := range map[string]string{"-wal": "log", "-shm": "index", "-journal": "journal"} {
		if err := os.WriteFile(path+suffix, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 3, 14, 10, 15, 0, 0, time.FixedZone("CET", 3600))
	r, err := store.Restore(context.Background(), backup, dsn, store.RestoreOptions{KeepPrevious: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	kept := path + ".before-restore-20260314T091500Z"
	if r.Previous != kept || r.Snapshot.Path != backup || r.Snapshot.Rows == nil {
		t.Fatalf("Restore = %+v, want previous kept as %s", r, kept)
	}
	want := map[string]string{"vigie.db": "", "vigie.db.lock": "",
		filepath.Base(kept): string(previous), filepath.Base(kept) + "-wal": "log", filepath.Base(kept) + "-journal": "journal"}
	state := dirState(t, dir)
	for name, content := range want {
		if got, ok := state[name]; !ok || (content != "" && string(got) != content) {
			t.Errorf("after restore, %s is missing or wrong", name)
		}
	}
	if len(state) != len(want) {
		names := make([]string, 0, len(state))
		for name := range state {
			names = append(names, name)
		}
		slices.Sort(names)
		t.Errorf("after restore the directory holds %v, want only %d files", names, len(want))
	}
	if b, _ := os.ReadFile(backup); !bytes.Equal(b, state["vigie.db"]) {
		t.Error("the database is not a copy of the snapshot")
	}
	if n := countDedup(t, dsn); n != 10 {
		t.Fatalf("restored database has %d rows, want 10", n)
	}
	r, err = store.Restore(context.Background(), backup, dsn, store.RestoreOptions{Now: now.Add(time.Hour)})
	if err != nil || r.Previous != "" {
		t.Fatalf("Restore without keeping = %+v, %v", r, err)
	}
	if got := len(dirState(t, dir)); got != len(want) {
		t.Fatalf("restore without keeping left %d files, want %d", got, len(want))
	}
}

// TestVerifySnapshotWritesNothing verifies a database file as an operator
// may copy it, in WAL mode: it is accepted, and no -wal, -shm or -journal
// file appears beside it.
func TestVerifySnapshotWritesNothing(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	addDedup(t, db, 0, 3)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(db.Where, "sqlite:")
	if header := dirState(t, filepath.Dir(path))["vigie.db"]; len(header) < 20 || header[18] != 2 {
		t.Fatalf("the test database is not in WAL mode")
	}
	before := dirState(t, filepath.Dir(path))
	snap, err := store.VerifySnapshot(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Path != path || len(snap.Rows) == 0 || snap.Rows[0].Table != "customers" {
		t.Fatalf("VerifySnapshot = %+v", snap)
	}
	if !sameState(before, dirState(t, filepath.Dir(path))) {
		t.Fatal("verifying changed the directory")
	}
}
