package facts

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// AnyKind is the Kind of a rule that applies to hosts of every kind.
const AnyKind = "*"

// Rule is a compliance rule: every host it selects must report a fact that
// satisfies Op and Value. A rule selects a host by asset kind, by labels (all
// must match), or both.
type Rule struct {
	Name   string            `json:"name"`
	Kind   string            `json:"kind,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
	// Fact is a name from Facts.Values; a "*" in it matches any run of
	// characters, so "disk.*.used_pct" applies to every mount.
	Fact  string `json:"fact"`
	Op    string `json:"op"`
	Value string `json:"value,omitempty"`
	// Optional rules hold when the host does not report the fact at all;
	// other rules (except absent) count an unreported fact as a violation.
	Optional bool `json:"optional,omitempty"`
}

// The operators of rules. Comparisons are numeric when both sides are
// numbers, textual otherwise; the ordering ones need a number as Value.
const (
	OpEqual        = "=="
	OpNotEqual     = "!="
	OpLess         = "<"
	OpLessEqual    = "<="
	OpGreater      = ">"
	OpGreaterEqual = ">="
	OpIn           = "in"      // Value is a comma-separated list
	OpMatches      = "matches" // Value is a regexp the whole fact must match
	OpPresent      = "present" // the host reports the fact; no Value
	OpAbsent       = "absent"  // the host does not report the fact; no Value
)

// opNames lists the operators in the order error messages show them.
const opNames = "==, !=, <, <=, >, >=, in, matches, present, absent"

// FieldError is a problem with one field of a rule, named as in JSON.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error returns "field: message".
func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Applies reports whether the rule selects a host of this kind and labels.
// A rule with no selector selects nothing.
func (r *Rule) Applies(kind string, labels map[string]string) bool {
	if r.Kind == "" && len(r.Labels) == 0 {
		return false
	}
	if r.Kind != "" && r.Kind != AnyKind && r.Kind != kind {
		return false
	}
	for k, v := range r.Labels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// ValidateRule returns every problem with r, in field order; none means the
// rule can be saved and evaluated.
func ValidateRule(r Rule) []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case strings.TrimSpace(r.Name) == "":
		add("name", "required")
	case hasSpace(r.Name):
		add("name", "must not contain spaces, got %q", r.Name)
	}
	if r.Kind == "" && len(r.Labels) == 0 {
		add("kind", "a selector is required: set kind (%q for every kind) or labels", AnyKind)
	}
	for k := range r.Labels {
		if strings.TrimSpace(k) == "" {
			add("labels", "label names must not be empty")
			break
		}
	}
	switch {
	case r.Fact == "":
		add("fact", "required, such as cpu.governor or disk.*.used_pct")
	case hasSpace(r.Fact):
		add("fact", "must not contain spaces, got %q", r.Fact)
	}
	if r.Op == "" {
		add("op", "required, one of %s", opNames)
	} else if msg := checkValue(r.Op, r.Value); msg != "" {
		field := "value"
		if msg == errUnknownOp {
			field, msg = "op", fmt.Sprintf("unknown operator %q, want one of %s", r.Op, opNames)
		}
		add(field, "%s", msg)
	}
	return errs
}

// errUnknownOp is what checkValue says of an operator it does not know.
const errUnknownOp = "unknown operator"

// checkValue says what is wrong with value for op, or "" when it is fine.
func checkValue(op, value string) string {
	switch op {
	case OpEqual, OpNotEqual:
		if value == "" {
			return fmt.Sprintf("required for %s", op)
		}
	case OpLess, OpLessEqual, OpGreater, OpGreaterEqual:
		if _, ok := number(value); !ok {
			return fmt.Sprintf("%s needs a number such as 90, got %q", op, value)
		}
	case OpIn:
		if value == "" {
			return "required for in: a comma-separated list such as performance,schedutil"
		}
		for i, item := range strings.Split(value, ",") {
			if strings.TrimSpace(item) == "" {
				return fmt.Sprintf("item %d of the list is empty", i+1)
			}
		}
	case OpMatches:
		if value == "" {
			return "required for matches: a regular expression"
		}
		if _, err := compileMatch(value); err != nil {
			return fmt.Sprintf("not a valid regular expression: %v", err)
		}
	case OpPresent, OpAbsent:
		if value != "" {
			return fmt.Sprintf("must be empty for %s, got %q", op, value)
		}
	default:
		return errUnknownOp
	}
	return ""
}

// compileMatch compiles the regexp of a matches rule, anchored at both ends
// as Prometheus label matchers are, so "perf" does not match "performance".
func compileMatch(value string) (*regexp.Regexp, error) {
	if _, err := regexp.Compile(value); err != nil {
		return nil, err
	}
	return regexp.Compile("^(?:" + value + ")$")
}

func hasSpace(s string) bool { return strings.IndexFunc(s, unicode.IsSpace) >= 0 }
