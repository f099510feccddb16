//go:build !linux

package facts

import (
	"errors"
	"fmt"
)

// statfs is not implemented outside Linux: the agent reads Linux hosts only.
func statfs(path string) (total, free uint64, err error) {
	return 0, 0, fmt.Errorf("statfs %s: %w", path, errors.ErrUnsupported)
}
