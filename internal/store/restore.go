package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// RestoreOptions tunes Restore.
type RestoreOptions struct {
	// KeepPrevious keeps the database being replaced, with its -wal and
	// -journal files, as PATH.before-restore-TIMESTAMP.
	KeepPrevious bool
	// Now dates the kept database; time.Now when zero.
	Now time.Time
}

// Restored describes what Restore did.
type Restored struct {
	// Snapshot is the verified snapshot put in place.
	Snapshot Snapshot
	// Previous is where the replaced database was kept; "" when it was not
	// kept or there was none.
	Previous string
}

// sidecars are the files SQLite keeps beside a database: a hot -journal or
// -wal left by the replaced database would be replayed into the restored
// one, and -shm indexes a -wal.
var sidecars = []string{"-wal", "-journal", "-shm"}

// Restore replaces the SQLite database of dsn with the snapshot at from.
// It holds the server lock throughout, so it refuses while a server runs
// and no server can start meanwhile. It copies the snapshot beside the
// database, verifies the copy as VerifySnapshot does, and renames it over
// the database once the old -wal, -journal and -shm files are out of the
// way; until then nothing is changed. On PostgreSQL it refuses with the
// pg_restore command to use instead.
func Restore(ctx context.Context, from, dsn string, opts RestoreOptions) (Restored, error) {
	path, err := sqlitePath(dsn)
	if err != nil {
		return Restored{}, fmt.Errorf("restore: %w", err)
	}
	if path == "" {
		return Restored{}, postgresRefusal("restore", RedactDSN(dsn))
	}
	where := "sqlite:" + path
	if _, err := os.Stat(from); err != nil {
		return Restored{}, fmt.Errorf("restore %s: snapshot %s: %w; nothing was changed", where, from, pathCause(err))
	}
	release, err := LockServer(dsn)
	if le := (*lockedError)(nil); errors.As(err, &le) {
		return Restored{}, fmt.Errorf("restore %s: a vigie serve is using it (lock %s held); stop it first: %w",
			where, le.lockPath, ErrLocked)
	}
	if err != nil {
		return Restored{}, fmt.Errorf("restore %s: %w", where, err)
	}
	defer func() { _ = release() }()

	tmp, err := copyBeside(from, path)
	if err != nil {
		return Restored{}, fmt.Errorf("restore %s from %s: %w", where, from, err)
	}
	defer func() { _ = os.Remove(tmp) }() // gone once renamed, or on failure
	snap, err := verifySnapshot(ctx, tmp, from)
	if err != nil {
		return Restored{}, fmt.Errorf("restore %s: %w; nothing was changed", where, err)
	}
	r := Restored{Snapshot: snap}
	if r.Previous, err = putInPlace(tmp, path, opts); err != nil {
		return Restored{}, fmt.Errorf("restore %s: %w", where, err)
	}
	return r, nil
}

// putInPlace renames the verified copy tmp over the database at path, and
// returns where the previous database was kept, if it was.
func putInPlace(tmp, path string, opts RestoreOptions) (kept string, err error) {
	prev, err := os.Stat(path)
	switch {
	case err == nil:
		matchFile(tmp, prev)
	case !errors.Is(err, os.ErrNotExist):
		return "", err
	}
	if prev != nil && opts.KeepPrevious {
		now := opts.Now
		if now.IsZero() {
			now = time.Now()
		}
		kept = path + ".before-restore-" + now.UTC().Format("20060102T150405Z")
		if err := keepPrevious(path, kept); err != nil {
			return "", fmt.Errorf("keep the previous database: %w", err)
		}
	}
	for _, s := range sidecars {
		if err := os.Remove(path + s); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	return kept, syncDir(filepath.Dir(path))
}

// pathCause drops the operation and path an *fs.PathError repeats.
func pathCause(err error) error {
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// copyBeside copies the file from into a new temporary file in the
// directory of path, flushed to disk, and returns its name.
func copyBeside(from, path string) (string, error) {
	src, err := os.Open(from)
	if err != nil {
		return "", err
	}
	defer func() { _ = src.Close() }()
	dst, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".restore-*")
	if err != nil {
		return "", err
	}
	if err := dst.Chmod(privateMode); err != nil {
		_ = dst.Close()
		_ = os.Remove(dst.Name())
		return "", err
	}
	_, err = io.Copy(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(dst.Name())
		return "", fmt.Errorf("copy to %s: %w", filepath.Dir(path), err)
	}
	return dst.Name(), nil
}

// keepPrevious gives the database at path the name kept too, with its -wal
// and -journal, which hold committed data when it was not closed cleanly.
// The database keeps its name until the restored one replaces it.
func keepPrevious(path, kept string) error {
	if err := os.Link(path, kept); err != nil {
		if errors.Is(err, os.ErrExist) {
			return err
		}
		// No hard links here: a copy does as well, only slower.
		if err := copyFile(path, kept); err != nil {
			return err
		}
	}
	for _, s := range []string{"-wal", "-journal"} {
		if err := os.Rename(path+s, kept+s); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return syncDir(filepath.Dir(kept))
}

// copyFile copies from to a new file to, flushed to disk.
func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer func() { _ = src.Close() }()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return err
}
