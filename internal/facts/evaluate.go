package facts

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Violation is a host fact that breaks a rule, or a fact a rule needs that
// the host did not report (Missing). A host check with violations fails with
// reason check.ReasonViolation and their messages.
type Violation struct {
	Rule    string `json:"rule"`
	Fact    string `json:"fact"`
	Want    string `json:"want"` // the operator and value, "== performance"
	Got     string `json:"got,omitempty"`
	Missing bool   `json:"missing,omitempty"`
	Message string `json:"message"`
}

// Evaluate judges a host's facts against every rule that selects its kind
// and labels, and returns the violations in rule order (facts of a pattern
// rule in name order). A rule that selects the host but fails ValidateRule
// is reported as a violation of its own rather than silently skipped; one
// without a selector selects no host.
func Evaluate(rules []Rule, kind string, labels map[string]string, f Facts) []Violation {
	values := f.Values()
	var vs []Violation
	for _, r := range rules {
		if r.Applies(kind, labels) {
			vs = append(vs, evaluate(r, f, values)...)
		}
	}
	return vs
}

// evaluate judges one rule that selects the host whose facts are f, with
// values their Values.
func evaluate(r Rule, f Facts, values map[string]string) []Violation {
	want := r.Op
	if r.Value != "" {
		want += " " + r.Value
	}
	if errs := ValidateRule(r); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return []Violation{{Rule: r.Name, Fact: r.Fact, Want: want,
			Message: fmt.Sprintf("rule %s is invalid: %s", r.Name, strings.Join(msgs, "; "))}}
	}
	names := factNames(r.Fact, values)
	if len(names) == 0 {
		if r.Op == OpAbsent || r.Optional {
			return nil
		}
		msg := r.Fact + " is not reported"
		if r.Op != OpPresent {
			msg += ", want " + describe(r.Op, r.Value)
		}
		return []Violation{{Rule: r.Name, Fact: r.Fact, Want: want, Missing: true,
			Message: msg + " (rule " + r.Name + ")"}}
	}
	var re *regexp.Regexp
	if r.Op == OpMatches {
		re, _ = compileMatch(r.Value) // ValidateRule proved it compiles
	}
	var vs []Violation
	for _, name := range names {
		got := values[name]
		if holds(r.Op, got, r.Value, re) {
			continue
		}
		detail := ""
		if got == Mixed {
			detail = mixedDetail(f, name)
		}
		vs = append(vs, Violation{Rule: r.Name, Fact: name, Want: want, Got: got,
			Message: fmt.Sprintf("%s is %q%s, want %s (rule %s)", name, got, detail, describe(r.Op, r.Value), r.Name)})
	}
	return vs
}

// mixedDetail says which policies hold which value when a CPU-wide fact is
// "mixed", so that the message points at the policies at fault.
func mixedDetail(f Facts, fact string) string {
	var of func(Policy) string
	switch fact {
	case "cpu.governor":
		of = func(p Policy) string { return p.Governor }
	case "cpu.energy_performance_preference":
		of = func(p Policy) string { return p.EnergyPerformancePreference }
	default:
		return ""
	}
	var order []string
	groups := make(map[string][]string)
	for _, p := range f.Policies {
		v := of(p)
		if v == "" {
			continue
		}
		if _, ok := groups[v]; !ok {
			order = append(order, v)
		}
		groups[v] = append(groups[v], p.Name)
	}
	parts := make([]string, len(order))
	for i, v := range order {
		parts[i] = strconv.Quote(v) + " on " + strings.Join(groups[v], ", ")
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// factNames returns the reported facts a rule's fact name or pattern
// designates, sorted.
func factNames(pattern string, values map[string]string) []string {
	if !strings.Contains(pattern, "*") {
		if _, ok := values[pattern]; ok {
			return []string{pattern}
		}
		return nil
	}
	var names []string
	for name := range values {
		if globMatch(pattern, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// globMatch reports whether name matches pattern, where each "*" stands for
// any run of characters, dots and slashes included.
func globMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(name) < len(first)+len(last) || !strings.HasPrefix(name, first) || !strings.HasSuffix(name, last) {
		return false
	}
	rest := name[len(first) : len(name)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return true
}

// holds reports whether the fact value got satisfies op and value.
func holds(op, got, value string, re *regexp.Regexp) bool {
	switch op {
	case OpEqual:
		return equal(got, value)
	case OpNotEqual:
		return !equal(got, value)
	case OpLess, OpLessEqual, OpGreater, OpGreaterEqual:
		g, ok1 := number(got)
		w, ok2 := number(value)
		if !ok1 || !ok2 {
			return false
		}
		switch op {
		case OpLess:
			return g < w
		case OpLessEqual:
			return g <= w
		case OpGreater:
			return g > w
		default:
			return g >= w
		}
	case OpIn:
		for item := range strings.SplitSeq(value, ",") {
			if equal(got, strings.TrimSpace(item)) {
				return true
			}
		}
		return false
	case OpMatches:
		return re != nil && re.MatchString(got)
	case OpPresent:
		return true
	}
	return false // absent: the fact is reported
}

// equal compares two values as numbers when both are, as text otherwise, so
// that "90" equals "90.0".
func equal(a, b string) bool {
	x, ok1 := number(a)
	y, ok2 := number(b)
	if ok1 && ok2 {
		return x == y
	}
	return a == b
}

// number parses a finite decimal number.
func number(s string) (float64, bool) {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}

// describe says in words what a rule wants, for messages.
func describe(op, value string) string {
	switch op {
	case OpEqual:
		return strconv.Quote(value)
	case OpNotEqual:
		return "anything but " + strconv.Quote(value)
	case OpIn:
		items := strings.Split(value, ",")
		for i, item := range items {
			items[i] = strconv.Quote(strings.TrimSpace(item))
		}
		return "one of " + strings.Join(items, ", ")
	case OpMatches:
		return "a match for " + strconv.Quote(value)
	case OpPresent:
		return "it reported"
	case OpAbsent:
		return "it absent"
	}
	return op + " " + value
}
