//go:build unix

package store_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/vigie/vigie/internal/store"
)

// openUmask sets the process umask to 0 for the test, so that a file left
// to the driver's or the umask's mode would come out readable by all.
func openUmask(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}

func wantMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %#o, want %#o", filepath.Base(path), got, want)
	}
}

func openMigrated(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background(), nil); err != nil {
		_ = db.Close()
		t.Fatal(err)
	}
	return db
}

func TestSQLiteFilesAreOwnerOnly(t *testing.T) {
	openUmask(t)
	path := filepath.Join(t.TempDir(), "vigie.db")
	dsn := "sqlite:" + path

	db := openMigrated(t, dsn)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		wantMode(t, p, 0o600)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// An existing database left readable by all is tightened at open,
	// and its new -wal and -shm follow it.
	if err := os.Chmod(path, 0o664); err != nil {
		t.Fatal(err)
	}
	db = openMigrated(t, dsn)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		wantMode(t, p, 0o600)
	}

	backup := filepath.Join(filepath.Dir(path), "backup.db")
	if _, err := store.Backup(context.Background(), db, backup); err != nil {
		t.Fatal(err)
	}
	wantMode(t, backup, 0o600)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// A restore puts an owner-only file in place, even over a database
	// that was readable by all, from a snapshot that was too.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(backup, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Restore(context.Background(), backup, dsn, store.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	wantMode(t, path, 0o600)
}

func TestStraySidecarsAreTightened(t *testing.T) {
	openUmask(t)
	path := filepath.Join(t.TempDir(), "vigie.db")
	if err := os.WriteFile(path+"-shm", nil, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path+"-shm", 0o666); err != nil {
		t.Fatal(err)
	}
	db := openMigrated(t, "sqlite:"+path)
	defer db.Close()
	wantMode(t, path+"-shm", 0o600)
}
