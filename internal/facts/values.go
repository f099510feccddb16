package facts

import (
	"strconv"
)

// Mixed is the value of a CPU-wide fact when the policies disagree.
const Mixed = "mixed"

// Values returns every reported fact under a stable dotted name, the names
// rules and the API use:
//
//	kernel, uptime.seconds, cpu.count,
//	cpu.governor, cpu.energy_performance_preference (the policies' common
//	value, or "mixed"), cpu.cur_freq_mhz (average over policies),
//	cpu.max_freq_mhz (highest over policies),
//	cpu.<policy>.governor, .energy_performance_preference, .cur_freq_mhz,
//	.max_freq_mhz,
//	load.1, load.5, load.15,
//	mem.total_mb, mem.available_mb, mem.used_pct,
//	disk.<mount>.fstype, .total_bytes, .free_bytes, .used_pct, .error.
//
// Percentages have one decimal; frequencies are whole MHz; uptime is whole
// seconds.
func (f Facts) Values() map[string]string {
	v := make(map[string]string)
	if f.Kernel != "" {
		v["kernel"] = f.Kernel
	}
	if f.Uptime != nil {
		v["uptime.seconds"] = strconv.FormatUint(uint64(max(*f.Uptime, 0)), 10)
	}
	if f.CPUCount > 0 {
		v["cpu.count"] = strconv.Itoa(f.CPUCount)
	}
	f.cpuValues(v)
	if l := f.Load; l != nil {
		v["load.1"] = formatFloat(l.One)
		v["load.5"] = formatFloat(l.Five)
		v["load.15"] = formatFloat(l.Fifteen)
	}
	if m := f.Memory; m != nil {
		v["mem.total_mb"] = strconv.FormatUint(m.TotalBytes>>20, 10)
		v["mem.available_mb"] = strconv.FormatUint(m.AvailableBytes>>20, 10)
		v["mem.used_pct"] = formatPct(m.UsedPct)
	}
	for _, d := range f.Disks {
		p := "disk." + d.Mount + "."
		v[p+"fstype"] = d.FSType
		if d.Error != "" {
			v[p+"error"] = d.Error
			continue
		}
		v[p+"total_bytes"] = strconv.FormatUint(d.TotalBytes, 10)
		v[p+"free_bytes"] = strconv.FormatUint(d.FreeBytes, 10)
		if d.TotalBytes > 0 {
			v[p+"used_pct"] = formatPct(d.UsedPct)
		}
	}
	return v
}

// cpuValues adds the per-policy facts and their CPU-wide summaries.
func (f Facts) cpuValues(v map[string]string) {
	var governor, epp agreement
	var curSum, curN, maxFreq uint64
	for _, p := range f.Policies {
		prefix := "cpu." + p.Name + "."
		if p.Governor != "" {
			v[prefix+"governor"] = p.Governor
			governor.add(p.Governor)
		}
		if p.EnergyPerformancePreference != "" {
			v[prefix+"energy_performance_preference"] = p.EnergyPerformancePreference
			epp.add(p.EnergyPerformancePreference)
		}
		if p.CurFreqKHz > 0 {
			v[prefix+"cur_freq_mhz"] = formatMHz(p.CurFreqKHz)
			curSum += p.CurFreqKHz
			curN++
		}
		if p.MaxFreqKHz > 0 {
			v[prefix+"max_freq_mhz"] = formatMHz(p.MaxFreqKHz)
			maxFreq = max(maxFreq, p.MaxFreqKHz)
		}
	}
	if s, ok := governor.value(); ok {
		v["cpu.governor"] = s
	}
	if s, ok := epp.value(); ok {
		v["cpu.energy_performance_preference"] = s
	}
	if curN > 0 {
		v["cpu.cur_freq_mhz"] = formatMHz(curSum / curN)
	}
	if maxFreq > 0 {
		v["cpu.max_freq_mhz"] = formatMHz(maxFreq)
	}
}

// agreement tracks whether every policy reported the same value.
type agreement struct {
	first string
	seen  bool
	mixed bool
}

func (a *agreement) add(s string) {
	switch {
	case !a.seen:
		a.first, a.seen = s, true
	case s != a.first:
		a.mixed = true
	}
}

func (a *agreement) value() (string, bool) {
	if a.mixed {
		return Mixed, true
	}
	return a.first, a.seen
}

func formatMHz(khz uint64) string { return strconv.FormatUint((khz+500)/1000, 10) }

func formatFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func formatPct(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
