package inventory

import (
	"github.com/vigie/vigie/internal/facts"
)

// mergeRules merges the documents' compliance rules over the base's, by
// name, checking each, and returns them sorted by name.
func (c *checker) mergeRules() []facts.Rule {
	rules := map[string]facts.Rule{}
	for _, r := range c.base.Rules {
		rules[r.Name] = r
	}
	seen := map[string]string{}
	for _, d := range c.docs {
		if d == nil {
			continue
		}
		for i := range d.Rules {
			e := &d.Rules[i]
			file := entryFile(e.File, d)
			if e.Name == "" {
				c.ps.add(file, e.Line, "name: required")
				continue
			}
			if prev, dup := seen[e.Name]; dup {
				c.ps.add(file, e.Line, "duplicate rule %q (also at %s)", e.Name, prev)
				continue
			}
			seen[e.Name] = placeString(file, e.Line)
			for _, fe := range facts.ValidateRule(e.Rule) {
				c.ps.add(file, lineOf(e.FieldLines, fe.Field, e.Line), "%s: %s", fe.Field, fe.Message)
			}
			rules[e.Name] = e.Rule
		}
	}
	if len(rules) == 0 {
		return nil
	}
	out := make([]facts.Rule, 0, len(rules))
	for _, name := range slicesSortedKeys(rules) {
		out = append(out, rules[name])
	}
	return out
}

// ComplianceRules returns the rules hosts are checked against: the
// built-in ones, replaced or completed by the inventory's, by name.
func ComplianceRules(inv *Inventory) []facts.Rule {
	byName := map[string]facts.Rule{}
	for _, r := range facts.BuiltinRules() {
		byName[r.Name] = r
	}
	for _, r := range inv.Rules {
		byName[r.Name] = r
	}
	out := make([]facts.Rule, 0, len(byName))
	for _, name := range slicesSortedKeys(byName) {
		out = append(out, byName[name])
	}
	return out
}
