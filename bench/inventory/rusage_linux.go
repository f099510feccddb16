package main

import (
	"os"
	"syscall"
)

// maxRSS returns the peak resident set size of a finished child in KiB,
// which is the unit of ru_maxrss on Linux.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return -1
}
