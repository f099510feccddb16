package facts

import (
	"reflect"
	"testing"
)

// TestValidateRule proves each kind of bad rule gets the expected field
// errors, and that good rules get none.
func TestValidateRule(t *testing.T) {
	ok := Rule{Name: "r", Kind: "vm", Fact: "load.1", Op: "<", Value: "8"}
	with := func(change func(*Rule)) Rule {
		r := ok
		change(&r)
		return r
	}
	tests := []struct {
		name string
		rule Rule
		want []FieldError
	}{
		{"valid", ok, nil},
		{"labels alone select", with(func(r *Rule) { r.Kind, r.Labels = "", map[string]string{"site": "paris"} }), nil},
		{"any kind", with(func(r *Rule) { r.Kind = AnyKind }), nil},
		{"pattern fact", with(func(r *Rule) { r.Fact = "disk.*.used_pct" }), nil},
		{"decimal number", with(func(r *Rule) { r.Value = "-2.5" }), nil},
		{"in list", with(func(r *Rule) { r.Op, r.Value = "in", "performance, schedutil" }), nil},
		{"regexp", with(func(r *Rule) { r.Op, r.Value = "matches", "6\\.[0-9]+\\..*" }), nil},
		{"present", with(func(r *Rule) { r.Op, r.Value = "present", "" }), nil},
		{"everything missing", Rule{}, []FieldError{
			{"name", "required"},
			{"kind", `a selector is required: set kind ("*" for every kind) or labels`},
			{"fact", "required, such as cpu.governor or disk.*.used_pct"},
			{"op", "required, one of ==, !=, <, <=, >, >=, in, matches, present, absent"},
		}},
		{"name with space", with(func(r *Rule) { r.Name = "my rule" }), []FieldError{
			{"name", `must not contain spaces, got "my rule"`},
		}},
		{"empty label name", with(func(r *Rule) { r.Labels = map[string]string{"": "x"} }), []FieldError{
			{"labels", "label names must not be empty"},
		}},
		{"fact with space", with(func(r *Rule) { r.Fact = "cpu governor" }), []FieldError{
			{"fact", `must not contain spaces, got "cpu governor"`},
		}},
		{"unknown op", with(func(r *Rule) { r.Op = "=~" }), []FieldError{
			{"op", `unknown operator "=~", want one of ==, !=, <, <=, >, >=, in, matches, present, absent`},
		}},
		{"equal without value", with(func(r *Rule) { r.Op, r.Value = "==", "" }), []FieldError{
			{"value", "required for =="},
		}},
		{"ordering without number", with(func(r *Rule) { r.Op, r.Value = ">=", "high" }), []FieldError{
			{"value", `>= needs a number such as 90, got "high"`},
		}},
		{"ordering with NaN", with(func(r *Rule) { r.Value = "NaN" }), []FieldError{
			{"value", `< needs a number such as 90, got "NaN"`},
		}},
		{"in without value", with(func(r *Rule) { r.Op, r.Value = "in", "" }), []FieldError{
			{"value", "required for in: a comma-separated list such as performance,schedutil"},
		}},
		{"in with empty item", with(func(r *Rule) { r.Op, r.Value = "in", "a,,b" }), []FieldError{
			{"value", "item 2 of the list is empty"},
		}},
		{"bad regexp", with(func(r *Rule) { r.Op, r.Value = "matches", "perf(" }), []FieldError{
			{"value", "not a valid regular expression: error parsing regexp: missing closing ): `perf(`"},
		}},
		{"absent with value", with(func(r *Rule) { r.Op, r.Value = "absent", "x" }), []FieldError{
			{"value", `must be empty for absent, got "x"`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidateRule(tt.rule); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ValidateRule() = %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestBuiltinRulesAreValid proves the rules every installation starts with
// pass their own validation.
func TestBuiltinRulesAreValid(t *testing.T) {
	for _, r := range BuiltinRules() {
		if errs := ValidateRule(r); len(errs) > 0 {
			t.Errorf("built-in rule %s: %v", r.Name, errs)
		}
	}
}

// TestRuleApplies proves how kind and label selectors pick hosts.
func TestRuleApplies(t *testing.T) {
	paris := map[string]string{"site": "paris", "role": "web"}
	tests := []struct {
		name   string
		rule   Rule
		kind   string
		labels map[string]string
		want   bool
	}{
		{"same kind", Rule{Kind: "hypervisor"}, "hypervisor", nil, true},
		{"other kind", Rule{Kind: "hypervisor"}, "vm", nil, false},
		{"any kind", Rule{Kind: AnyKind}, "vm", nil, true},
		{"no selector selects nothing", Rule{}, "vm", paris, false},
		{"labels all match", Rule{Labels: map[string]string{"site": "paris", "role": "web"}}, "vm", paris, true},
		{"one label differs", Rule{Labels: map[string]string{"site": "montreal"}}, "vm", paris, false},
		{"label missing", Rule{Labels: map[string]string{"tier": "gold"}}, "vm", paris, false},
		{"kind and labels", Rule{Kind: "vm", Labels: map[string]string{"site": "paris"}}, "vm", paris, true},
		{"labels match, kind does not", Rule{Kind: "hypervisor", Labels: map[string]string{"site": "paris"}}, "vm", paris, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.Applies(tt.kind, tt.labels); got != tt.want {
				t.Errorf("Applies(%q, %v) = %v, want %v", tt.kind, tt.labels, got, tt.want)
			}
		})
	}
}
