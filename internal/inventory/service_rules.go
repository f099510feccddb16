package inventory

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/vigie/vigie/internal/facts"
)

// InventoryRules returns the compliance rules the inventory holds (not the
// built-in ones), by name.
func (s *Service) InventoryRules(ctx context.Context) ([]facts.Rule, error) {
	inv := &Inventory{}
	if err := loadRules(ctx, s.db, inv); err != nil {
		return nil, err
	}
	return inv.Rules, nil
}

// RulesYAML writes rules as the rules section of an inventory file, one
// flow mapping per rule with only the fields it sets, as people write it.
func RulesYAML(rules []facts.Rule) (string, error) {
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, r := range rules {
		m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		add := func(k, v string) {
			if v != "" {
				m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k},
					&yaml.Node{Kind: yaml.ScalarNode, Value: v, Tag: "!!str"})
			}
		}
		add("name", r.Name)
		add("kind", r.Kind)
		if len(r.Labels) > 0 {
			labels := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
			for _, k := range slicesSortedKeys(r.Labels) {
				labels.Content = append(labels.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k},
					&yaml.Node{Kind: yaml.ScalarNode, Value: r.Labels[k], Tag: "!!str"})
			}
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "labels"}, labels)
		}
		add("fact", r.Fact)
		add("op", r.Op)
		add("value", r.Value)
		if r.Optional {
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "optional"},
				&yaml.Node{Kind: yaml.ScalarNode, Value: "true", Tag: "!!bool"})
		}
		list.Content = append(list.Content, m)
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "rules"}, list}}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return "", fmt.Errorf("write rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("write rules: %w", err)
	}
	return b.String(), nil
}

// ReplaceRules makes the inventory's compliance rules those of data, an
// inventory file holding a rules section only: the rules it leaves out are
// removed (a built-in one then applies again). It is checked as an import
// is, with the same line-numbered problems, and changes nothing when there
// is one. It returns the plan applied (empty when nothing changed).
func (s *Service) ReplaceRules(ctx context.Context, file string, data []byte) (*Plan, error) {
	doc, problems := Parse(file, data)
	if doc != nil {
		if len(doc.Customers)+len(doc.Assets)+len(doc.Checks)+len(doc.CheckDefaults)+len(doc.Components) > 0 {
			problems.add(file, 1, "only a rules section may be edited here: import customers, assets, checks and components as files")
		}
		c := &checker{base: &Inventory{}, docs: []*Document{doc}}
		rules := c.mergeRules()
		problems = mergeProblems(problems, c.ps)
		if len(problems) == 0 {
			return s.write(ctx, func(tx *sql.Tx) (*Plan, error) {
				current := &Inventory{}
				if err := loadRules(ctx, tx, current); err != nil {
					return nil, err
				}
				p := &Plan{}
				diffRules(p, current, &Inventory{Rules: rules})
				return p, applyRules(ctx, s.db.Engine, tx, p)
			})
		}
	}
	if len(problems) == 0 {
		return nil, fmt.Errorf("rules %s: nothing read", file)
	}
	problems.Sort()
	return nil, problems
}
