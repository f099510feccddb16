package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// privateMode is the mode of every database file Vigie writes: the
// database holds password and token hashes, and only the server's user
// needs it.
const privateMode fs.FileMode = 0o600

// makePrivate creates the SQLite database at path with mode 0600 when it
// is missing, before the driver would create it with the umask's mode, and
// takes group and other permissions away from it and from an existing -wal
// and -shm. SQLite gives a new -wal and -shm the database file's mode.
func makePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, privateMode)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	if err := tighten(f); err != nil {
		return err
	}
	for _, s := range []string{"-wal", "-shm"} {
		side, err := os.Open(path + s)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		err = tighten(side)
		_ = side.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// tighten removes the group and other permissions of an open file.
func tighten(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := f.Chmod(fi.Mode().Perm() &^ 0o077); err != nil {
		return fmt.Errorf("make %s readable by its owner only (mode 0600): %w", f.Name(), err)
	}
	return nil
}
