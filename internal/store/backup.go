package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrNotSQLite is wrapped by the refusals of Backup and Restore on
// PostgreSQL, whose own tools do the job.
var ErrNotSQLite = errors.New("vigie backup and restore handle SQLite only")

// Backup writes a consistent snapshot of a live SQLite database to out with
// VACUUM INTO, which reads one transaction's view while writers go on, then
// verifies it with VerifySnapshot. An existing out is refused, and out
// appears only once verified: the copy is written beside it under a
// temporary name first. On PostgreSQL it refuses with the pg_dump and
// pg_restore commands to use instead.
func Backup(ctx context.Context, db *DB, out string) (Snapshot, error) {
	if db.Engine != SQLite {
		return Snapshot{}, postgresRefusal("backup", db.Where)
	}
	// A snapshot must verify, so a database behind or ahead of this binary
	// is refused before anything is written.
	current, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("backup %s: %w", db.Where, err)
	}
	if current != latest {
		return Snapshot{}, fmt.Errorf("backup %s: it is at schema version %d, this binary knows %d: "+
			"back it up with the vigie that uses it, or run vigie migrate first", db.Where, current, latest)
	}
	if _, err := os.Lstat(out); err == nil {
		return Snapshot{}, fmt.Errorf("backup to %s: the file exists; choose another name or remove it", out)
	} else if !errors.Is(err, os.ErrNotExist) {
		return Snapshot{}, fmt.Errorf("backup to %s: %w", out, err)
	}
	// VACUUM INTO accepts an empty file, so a unique one can be reserved.
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".partial-*")
	if err != nil {
		return Snapshot{}, fmt.Errorf("backup to %s: %w", out, err)
	}
	tmpPath := tmp.Name()
	err = tmp.Chmod(privateMode) // CreateTemp's mode already, said where it matters
	_ = tmp.Close()
	if err != nil {
		_ = os.Remove(tmpPath)
		return Snapshot{}, fmt.Errorf("backup to %s: %w", out, err)
	}
	defer func() { _ = os.Remove(tmpPath) }() // gone once linked to out, or on failure
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, tmpPath); err != nil {
		return Snapshot{}, fmt.Errorf("backup %s to %s: %w", db.Where, out, err)
	}
	if err := syncFile(tmpPath); err != nil {
		return Snapshot{}, fmt.Errorf("backup to %s: %w", out, err)
	}
	snap, err := verifySnapshot(ctx, tmpPath, out)
	if err != nil {
		return Snapshot{}, fmt.Errorf("backup %s to %s: the copy does not verify: %w", db.Where, out, err)
	}
	if err := linkNew(tmpPath, out); err != nil {
		return Snapshot{}, fmt.Errorf("backup to %s: %w", out, err)
	}
	return snap, nil
}

// linkNew gives the file at from the name to, refusing to replace an
// existing file, and makes the name durable.
func linkNew(from, to string) error {
	err := os.Link(from, to)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("the file appeared meanwhile; choose another name or remove it: %w", err)
	}
	if err != nil {
		// Some file systems have no hard links: rename after one more look.
		if _, serr := os.Lstat(to); !errors.Is(serr, os.ErrNotExist) {
			return fmt.Errorf("the file appeared meanwhile; choose another name or remove it")
		}
		if err := os.Rename(from, to); err != nil {
			return err
		}
	}
	return syncDir(filepath.Dir(to))
}

// syncFile flushes a file's contents to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

// syncDir flushes a directory, so that a new or renamed entry survives a
// crash. Systems that cannot sync a directory are not an error.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	if err := f.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
