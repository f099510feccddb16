//go:build !unix

package store

import "os"

// matchFile gives the file at path the mode of the database it replaces.
func matchFile(path string, like os.FileInfo) {
	_ = os.Chmod(path, like.Mode().Perm())
}
