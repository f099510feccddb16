//go:build !linux

package usage

// Self is unknown outside Linux, where ru_maxrss has other units or none.
func Self() (cpu float64, maxRSSKiB int64) { return -1, -1 }

// Process is unknown outside Linux.
func Process(int) float64 { return -1 }

// Status is unknown outside Linux.
func Status(int, string) int64 { return -1 }
