package facts

import (
	"fmt"
	"syscall"
)

// statfs measures a mounted file system with the statfs system call. Free
// space is what ordinary users may still use, so the blocks reserved for root
// count as used and a disk is reported full when services can no longer
// write, a little before df's Use% reaches 100.
func statfs(path string) (total, free uint64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, 0, fmt.Errorf("statfs %s: %w", path, err)
	}
	bsize := uint64(st.Bsize)
	return st.Blocks * bsize, st.Bavail * bsize, nil
}
