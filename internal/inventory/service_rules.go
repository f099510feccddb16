package inventory

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

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

// RulesYAML writes rules as the rules section of an inventory file.
func RulesYAML(rules []facts.Rule) (string, error) {
	var b bytes.Buffer
	if err := WriteChecksYAML(&b, &Inventory{Rules: rules}); err != nil {
		return "", err
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
