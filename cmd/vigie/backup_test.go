package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// countUsers counts the users of the database at dsn.
func countUsers(t *testing.T, dsn string) int {
	t.Helper()
	d, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBackupThenRestore(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	out := filepath.Join(t.TempDir(), "vigie-backup.db")
	if r := vigie(t, dsn, "", "user", "add", "--email", "a@example.org"); r.code != 0 {
		t.Fatalf("user add: %+v", r)
	}
	r := vigie(t, dsn, "", "backup", "--out", out)
	if r.code != 0 || !strings.Contains(r.stdout, "wrote "+out) || !strings.Contains(r.stdout, "integrity ok") ||
		!strings.Contains(r.stdout, "users 1") {
		t.Fatalf("backup: %+v", r)
	}
	if r := vigie(t, dsn, "", "user", "add", "--email", "b@example.org"); r.code != 0 {
		t.Fatalf("user add: %+v", r)
	}
	r = vigie(t, dsn, "", "restore", "--from", out)
	if r.code != 0 || !strings.Contains(r.stdout, "restored from "+out) ||
		!strings.Contains(r.stdout, "previous database kept as "+strings.TrimPrefix(dsn, "sqlite:")+".before-restore-") {
		t.Fatalf("restore: %+v", r)
	}
	if n := countUsers(t, dsn); n != 1 {
		t.Fatalf("%d users after restore, want the backup's 1", n)
	}
	kept, _ := filepath.Glob(strings.TrimPrefix(dsn, "sqlite:") + ".before-restore-*")
	if len(kept) != 1 || countUsers(t, "sqlite:"+kept[0]) != 2 {
		t.Fatalf("kept databases %v, want one with 2 users", kept)
	}
}

func TestBackupAndRestoreRefusals(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	dir := t.TempDir()
	exists := filepath.Join(dir, "exists.db")
	if err := os.WriteFile(exists, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.db")
	if r := vigie(t, dsn, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	if r := vigie(t, dsn, "", "backup", "--out", good); r.code != 0 {
		t.Fatalf("backup: %+v", r)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"backup without --out", []string{"backup"}, 2, "--out is required"},
		{"backup with an argument", []string{"backup", "--out", "x.db", "y.db"}, 2, `unexpected argument "y.db"`},
		{"backup over a file", []string{"backup", "--out", exists}, 1, exists + ": the file exists"},
		{"backup of a missing file", []string{"backup", "--db", "sqlite:" + filepath.Join(dir, "typo.db"), "--out", "x.db"}, 1, "typo.db: no such file"},
		{"restore without --from", []string{"restore"}, 2, "--from is required"},
		{"restore of a bad file", []string{"restore", "--from", exists}, 1, "bad snapshot " + exists},
		{"restore to postgres", []string{"restore", "--from", good, "--db", storetest.PostgresURL()}, 1, "pg_restore --clean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vigie(t, dsn, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
		})
	}
	t.Run("restore while a server runs", func(t *testing.T) {
		release, err := store.LockServer(dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = release() }()
		r := vigie(t, dsn, "", "restore", "--from", good)
		if r.code != 1 || !strings.Contains(r.stderr, "a vigie serve is using it") {
			t.Fatalf("restore under a server: %+v", r)
		}
	})
}

func TestBackupOnPostgresSaysUsePgDump(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	r := vigie(t, dsn, "", "backup", "--out", filepath.Join(t.TempDir(), "x.db"))
	if r.code != 1 || !strings.Contains(r.stderr, "pg_dump --format=custom") || !strings.Contains(r.stderr, "pg_restore") {
		t.Fatalf("backup on PostgreSQL: %+v", r)
	}
}
