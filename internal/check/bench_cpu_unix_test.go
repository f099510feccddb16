//go:build unix

package check

import (
	"syscall"
	"testing"
	"time"
)

// cpuClock reads the CPU time of the whole test process (the loopback
// server included, the same for a benchmark and its baseline).
type cpuClock struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{processCPU()} }

// report adds the process's CPU time per operation to the benchmark.
func (c cpuClock) report(b *testing.B) {
	b.ReportMetric(float64(processCPU()-c.start)/1e3/float64(b.N), "cpu-µs/op")
}
