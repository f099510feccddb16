//go:build !linux

package main

// selfCPU is not measured outside Linux.
func selfCPU() float64 { return -1 }

// processCPU is not measured outside Linux.
func processCPU(int) float64 { return -1 }
