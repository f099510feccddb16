package store_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestLockServerAllowsOneHolder relies on flock being per open file
// description: a second LockServer in the same process opens the lock file
// again, so it conflicts exactly as another process would.
func TestLockServerAllowsOneHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigie.db")
	dsn := "sqlite:" + path
	release, err := store.LockServer(dsn)
	if err != nil {
		t.Fatalf("first lock: %v", err)
	}
	_, err = store.LockServer(dsn)
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second lock = %v, want ErrLocked", err)
	}
	for _, want := range []string{dsn + " is in use by another vigie serve", path + ".lock held", "one server per SQLite file", "PostgreSQL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if err := release(); err != nil {
		t.Fatalf("release: %v", err)
	}
	if err := release(); err != nil {
		t.Fatalf("second release: %v", err)
	}
	again, err := store.LockServer(dsn)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	if err := again(); err != nil {
		t.Fatal(err)
	}
}

func TestLockServerOtherDatabases(t *testing.T) {
	dir := t.TempDir()
	a, err := store.LockServer("sqlite:" + filepath.Join(dir, "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a() })
	b, err := store.LockServer("sqlite:" + filepath.Join(dir, "b.db"))
	if err != nil {
		t.Fatalf("another file is not locked by the first: %v", err)
	}
	t.Cleanup(func() { _ = b() })
	// PostgreSQL replicas share one database: its lock is a no-op, twice.
	for range 2 {
		release, err := store.LockServer(storetest.PostgresURL())
		if err != nil {
			t.Fatalf("postgres lock: %v", err)
		}
		if err := release(); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []string{"sqlite:", "mysql://x"} {
		if _, err := store.LockServer(bad); err == nil || errors.Is(err, store.ErrLocked) {
			t.Errorf("LockServer(%q) = %v, want an address error", bad, err)
		}
	}
}
