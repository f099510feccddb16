//go:build !unix

package store

import "os"

// matchFile gives the file at path mode 0600, whatever the database it
// replaces had.
func matchFile(path string, _ os.FileInfo) {
	_ = os.Chmod(path, privateMode)
}
