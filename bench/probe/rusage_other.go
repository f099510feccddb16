//go:build !linux

package main

// selfUsage is unknown outside Linux, where ru_maxrss has other units or none.
func selfUsage() (cpu float64, maxRSSKiB int64) { return -1, -1 }

// processCPU is unknown outside Linux.
func processCPU(int) float64 { return -1 }
