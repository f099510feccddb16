package facts

// KindHypervisor is the asset kind the built-in CPU rules select.
const KindHypervisor = "hypervisor"

// BuiltinRules returns the rules every installation starts with:
//
//   - hypervisor-performance-governor: every hypervisor runs the
//     "performance" cpufreq governor on all its policies. A host once ran its
//     hypervisors for weeks in a power-saving profile, slowing every VM on
//     them; a hypervisor that reports no governor at all is flagged too, since
//     the agent cannot then prove the profile.
//   - hypervisor-energy-performance: where the CPU exposes an energy
//     performance preference (intel_pstate, amd-pstate in active mode), it is
//     "performance" on every policy: that preference is the hint the CPU's
//     own power management follows, and any other trades speed for power.
//     CPUs without one are not flagged.
//   - disk-space: on every host, each real file system is under 90% used,
//     leaving time to act before databases, logs and backups fail to write.
//
// The slice is new on each call; callers may change it.
func BuiltinRules() []Rule {
	return []Rule{
		{
			Name: "hypervisor-performance-governor",
			Kind: KindHypervisor,
			Fact: "cpu.governor", Op: OpEqual, Value: "performance",
		},
		{
			Name: "hypervisor-energy-performance",
			Kind: KindHypervisor,
			Fact: "cpu.energy_performance_preference", Op: OpEqual, Value: "performance",
			Optional: true,
		},
		{
			Name: "disk-space",
			Kind: AnyKind,
			Fact: "disk.*.used_pct", Op: OpLess, Value: "90",
		},
	}
}
