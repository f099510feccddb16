package facts

import (
	"reflect"
	"testing"
)

// TestOperators proves what each operator accepts and what it says when it
// does not, for a fact that is reported and for one that is not.
func TestOperators(t *testing.T) {
	values := map[string]string{
		"cpu.governor":    "powersave",
		"mem.used_pct":    "85.0",
		"load.1":          "0.5",
		"kernel":          "6.1.0-28-amd64",
		"disk./.used_pct": "40.0",
	}
	tests := []struct {
		fact, op, value string
		optional        bool
		want            string // the violation message, "" when the rule holds
	}{
		{"cpu.governor", "==", "powersave", false, ""},
		{"cpu.governor", "==", "performance", false, `cpu.governor is "powersave", want "performance" (rule r)`},
		{"mem.used_pct", "==", "85", false, ""}, // numeric: 85.0 == 85
		{"cpu.governor", "!=", "performance", false, ""},
		{"cpu.governor", "!=", "powersave", false, `cpu.governor is "powersave", want anything but "powersave" (rule r)`},
		{"mem.used_pct", "<", "90", false, ""},
		{"mem.used_pct", "<", "85", false, `mem.used_pct is "85.0", want < 85 (rule r)`},
		{"mem.used_pct", "<=", "85", false, ""},
		{"mem.used_pct", ">", "85", false, `mem.used_pct is "85.0", want > 85 (rule r)`},
		{"mem.used_pct", ">=", "85", false, ""},
		{"load.1", "<", "10", false, ""}, // numeric, where text would put "0.5" after "10"
		{"cpu.governor", "<", "10", false, `cpu.governor is "powersave", want < 10 (rule r)`},
		{"cpu.governor", "in", "performance, powersave", false, ""},
		{"cpu.governor", "in", "performance,schedutil", false, `cpu.governor is "powersave", want one of "performance", "schedutil" (rule r)`},
		{"mem.used_pct", "in", "85,86", false, ""},
		{"kernel", "matches", `6\.[0-9]+\..*`, false, ""},
		{"kernel", "matches", `6\.1`, false, `kernel is "6.1.0-28-amd64", want a match for "6\\.1" (rule r)`}, // anchored
		{"cpu.governor", "present", "", false, ""},
		{"cpu.governor", "absent", "", false, `cpu.governor is "powersave", want it absent (rule r)`},
		{"cpu.energy_performance_preference", "absent", "", false, ""},
		{"cpu.energy_performance_preference", "present", "", false, `cpu.energy_performance_preference is not reported (rule r)`},
		{"cpu.energy_performance_preference", "==", "performance", false, `cpu.energy_performance_preference is not reported, want "performance" (rule r)`},
		{"cpu.energy_performance_preference", "==", "performance", true, ""},
		{"disk.*.used_pct", "<", "90", false, ""},
		{"disk.*.inodes_pct", "<", "90", false, `disk.*.inodes_pct is not reported, want < 90 (rule r)`},
		{"disk.*.inodes_pct", "<", "90", true, ""},
		{"cpu.governor", "~", "x", false, `rule r is invalid: op: unknown operator "~", want one of ==, !=, <, <=, >, >=, in, matches, present, absent`},
	}
	for _, tt := range tests {
		t.Run(tt.fact+" "+tt.op+" "+tt.value, func(t *testing.T) {
			r := Rule{Name: "r", Kind: AnyKind, Fact: tt.fact, Op: tt.op, Value: tt.value, Optional: tt.optional}
			vs := evaluate(r, Facts{}, values)
			var got string
			switch len(vs) {
			case 0:
			case 1:
				got = vs[0].Message
			default:
				t.Fatalf("got %d violations, want at most one: %v", len(vs), vs)
			}
			if got != tt.want {
				t.Errorf("violation = %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestEvaluatePattern proves a pattern rule judges every matching fact and
// reports each one at fault under its own name, in name order.
func TestEvaluatePattern(t *testing.T) {
	f := Facts{Disks: []Disk{
		{Mount: "/", FSType: "ext4", TotalBytes: 100, FreeBytes: 5, UsedPct: 95},
		{Mount: "/srv", FSType: "xfs", TotalBytes: 100, FreeBytes: 50, UsedPct: 50},
		{Mount: "/var/lib", FSType: "xfs", TotalBytes: 100, FreeBytes: 1, UsedPct: 99},
	}}
	rules := []Rule{{Name: "disk", Kind: AnyKind, Fact: "disk.*.used_pct", Op: "<", Value: "90"}}
	want := []Violation{
		{Rule: "disk", Fact: "disk./.used_pct", Want: "< 90", Got: "95.0",
			Message: `disk./.used_pct is "95.0", want < 90 (rule disk)`},
		{Rule: "disk", Fact: "disk./var/lib.used_pct", Want: "< 90", Got: "99.0",
			Message: `disk./var/lib.used_pct is "99.0", want < 90 (rule disk)`},
	}
	if got := Evaluate(rules, "vm", nil, f); !reflect.DeepEqual(got, want) {
		t.Errorf("Evaluate() = %+v\nwant %+v", got, want)
	}
}

// TestEvaluateHypervisorWithoutCpufreq proves a hypervisor that reports no
// governor breaks the governor rule, while the preference rule, optional,
// stays quiet; the same facts from a VM break nothing.
func TestEvaluateHypervisorWithoutCpufreq(t *testing.T) {
	f := Facts{Kernel: "6.1.0", CPUCount: 8}
	got := Evaluate(BuiltinRules(), "hypervisor", nil, f)
	want := []Violation{{
		Rule: "hypervisor-performance-governor", Fact: "cpu.governor", Want: "== performance", Missing: true,
		Message: `cpu.governor is not reported, want "performance" (rule hypervisor-performance-governor)`,
	}, {
		Rule: "disk-space", Fact: "disk.*.used_pct", Want: "< 90", Missing: true,
		Message: `disk.*.used_pct is not reported, want < 90 (rule disk-space)`,
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Evaluate(hypervisor) = %+v\nwant %+v", got, want)
	}
	for _, v := range Evaluate(BuiltinRules(), "vm", nil, f) {
		if v.Rule != "disk-space" {
			t.Errorf("a vm broke %s: %s", v.Rule, v.Message)
		}
	}
}

// TestGlobMatch proves "*" in a fact pattern spans any characters, dots and
// slashes included, and nothing else is special.
func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"disk.*.used_pct", "disk./.used_pct", true},
		{"disk.*.used_pct", "disk./var/lib.used_pct", true},
		{"disk.*.used_pct", "disk./.free_bytes", false},
		{"disk.*.used_pct", "disk.used_pct", false},
		{"cpu.*.governor", "cpu.governor", false},
		{"cpu.*.governor", "cpu.policy3.governor", true},
		{"*", "anything", true},
		{"a*b*c", "a-b-c", true},
		{"a*b*c", "a-c-b", false},
		{"a*a", "a", false},
		{"load.1", "load.1", true},
		{"load.1", "load.15", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}
