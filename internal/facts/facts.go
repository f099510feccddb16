// Package facts reads what a Linux host reports about itself (CPU frequency
// policies, load, memory, disks, uptime, kernel) and judges those facts
// against compliance rules, so that a hypervisor left in a power-saving CPU
// profile is caught the day it reports, not weeks later.
package facts

// Facts is everything the host agent read about one host. A fact the host did
// not report is left at its zero value (nil pointer, empty string or slice)
// and is absent from Values.
type Facts struct {
	Kernel   string   `json:"kernel,omitempty"`
	CPUCount int      `json:"cpu_count,omitempty"`
	Policies []Policy `json:"cpu_policies,omitempty"`
	Load     *Load    `json:"load,omitempty"`
	Memory   *Memory  `json:"memory,omitempty"`
	Uptime   *float64 `json:"uptime_seconds,omitempty"`
	Disks    []Disk   `json:"disks,omitempty"`
}

// Policy is one cpufreq policy, the frequency settings shared by a group of
// CPUs; empty strings and zero frequencies mean the kernel did not report them.
type Policy struct {
	Name                        string `json:"name"`
	Governor                    string `json:"governor,omitempty"`
	EnergyPerformancePreference string `json:"energy_performance_preference,omitempty"`
	CurFreqKHz                  uint64 `json:"cur_freq_khz,omitempty"`
	MaxFreqKHz                  uint64 `json:"max_freq_khz,omitempty"`
}

// Load is the system load average over 1, 5 and 15 minutes.
type Load struct {
	One     float64 `json:"1"`
	Five    float64 `json:"5"`
	Fifteen float64 `json:"15"`
}

// Memory is the host's memory and the share of it not available to new work.
type Memory struct {
	TotalBytes     uint64  `json:"total_bytes"`
	AvailableBytes uint64  `json:"available_bytes"`
	UsedPct        float64 `json:"used_pct"`
}

// Disk is the use of one mounted file system. Error is set, and the sizes
// left at zero, when the agent could not measure it.
type Disk struct {
	Mount      string  `json:"mount"`
	FSType     string  `json:"fstype"`
	TotalBytes uint64  `json:"total_bytes"`
	FreeBytes  uint64  `json:"free_bytes"`
	UsedPct    float64 `json:"used_pct"`
	Error      string  `json:"error,omitempty"`
}
