//go:build unix

package store

import (
	"os"
	"syscall"
)

// matchFile gives the file at path mode 0600 and, when allowed, the owner
// of the database it replaces, so that a restore run as root leaves a file
// the server's user can still write and no one else can read.
func matchFile(path string, like os.FileInfo) {
	_ = os.Chmod(path, privateMode)
	if st, ok := like.Sys().(*syscall.Stat_t); ok {
		_ = os.Chown(path, int(st.Uid), int(st.Gid))
	}
}
