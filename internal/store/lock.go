package store

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// ErrLocked is wrapped by the error LockServer returns when another process
// holds the server lock of a SQLite database.
var ErrLocked = errors.New("database locked by another process")

// lockedError says which database is in use and which lock file shows it.
type lockedError struct {
	where, lockPath string
}

func (e *lockedError) Error() string {
	return fmt.Sprintf("database %s is in use by another vigie serve (lock %s held); "+
		"run one server per SQLite file, or use PostgreSQL for several", e.where, e.lockPath)
}

func (e *lockedError) Unwrap() error { return ErrLocked }

// LockServer takes the lock that lets one server at a time run on a SQLite
// database: an exclusive flock on PATH.lock, created if needed, which the
// system releases when the process ends however it ends. When another
// process holds it, the error wraps ErrLocked and says what to do. For
// PostgreSQL, whose replicas coordinate in the database, it takes nothing
// and returns a release that does nothing. Release is safe to call more
// than once.
func LockServer(dsn string) (release func() error, err error) {
	path, err := sqlitePath(dsn)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return func() error { return nil }, nil
	}
	lockPath := path + ".lock"
	// Read-only is enough for flock, and lets a service user lock a file
	// an administrator created.
	f, err := os.OpenFile(lockPath, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock database sqlite:%s: %w", path, err)
	}
	if err := tryLock(f); err != nil {
		_ = f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, &lockedError{where: "sqlite:" + path, lockPath: lockPath}
		}
		return nil, fmt.Errorf("lock database sqlite:%s: %s: %w", path, lockPath, err)
	}
	var once sync.Once
	return func() error {
		var err error
		// Closing the only descriptor releases the flock; the file stays,
		// since removing it would let two processes lock different files.
		once.Do(func() { err = f.Close() })
		if err != nil {
			return fmt.Errorf("unlock database sqlite:%s: %w", path, err)
		}
		return nil
	}, nil
}

// sqlitePath returns the file of a sqlite:PATH address, or "" for a
// PostgreSQL one.
func sqlitePath(dsn string) (string, error) {
	if dsn == "" {
		dsn = DefaultDSN
	}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return "", errors.New("database sqlite: empty path")
		}
		return path, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return "", nil
	default:
		return "", fmt.Errorf("database %q: want sqlite:PATH or postgres://URL", RedactDSN(dsn))
	}
}
