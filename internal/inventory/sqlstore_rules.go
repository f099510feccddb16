package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/vigie/vigie/internal/facts"
	"github.com/vigie/vigie/internal/store"
)

func loadRules(ctx context.Context, q querier, inv *Inventory) error {
	return queryEach(ctx, q, "load rules", `SELECT name, spec FROM compliance_rules ORDER BY name`, nil,
		func(rows *sql.Rows) error {
			var name, spec string
			if err := rows.Scan(&name, &spec); err != nil {
				return err
			}
			var r facts.Rule
			if err := json.Unmarshal([]byte(spec), &r); err != nil {
				return fmt.Errorf("rule %s: %w", name, err)
			}
			inv.Rules = append(inv.Rules, r)
			return nil
		})
}

func applyRules(ctx context.Context, e store.Engine, tx *sql.Tx, p *Plan) error {
	for _, name := range p.RemoveRules {
		if _, err := tx.ExecContext(ctx, `DELETE FROM compliance_rules WHERE name = $1`, name); err != nil {
			return fmt.Errorf("delete rule %s: %w", name, err)
		}
	}
	for _, r := range p.PutRules {
		spec, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode rule %s: %w", r.Name, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO compliance_rules (name, spec) VALUES `+e.Placeholders(1, 2)+`
			ON CONFLICT (name) DO UPDATE SET spec = excluded.spec`, r.Name, string(spec))
		if err != nil {
			return fmt.Errorf("save rule %s: %w", r.Name, err)
		}
	}
	return nil
}

func diffRules(p *Plan, current, desired *Inventory) {
	cur := map[string]facts.Rule{}
	for _, r := range current.Rules {
		cur[r.Name] = r
	}
	want := map[string]bool{}
	for _, r := range desired.Rules {
		want[r.Name] = true
		old, ok := cur[r.Name]
		if !ok {
			p.newRules++
		}
		if !ok || !sameJSON(old, r) {
			p.PutRules = append(p.PutRules, r)
		}
	}
	for _, r := range current.Rules {
		if !want[r.Name] {
			p.RemoveRules = append(p.RemoveRules, r.Name)
		}
	}
}

// ComplianceRules returns the rules hosts are checked against now: the
// built-in ones with the inventory's over them.
func (s *Service) ComplianceRules(ctx context.Context) ([]facts.Rule, error) {
	inv := &Inventory{}
	if err := loadRules(ctx, s.db, inv); err != nil {
		return nil, err
	}
	return ComplianceRules(inv), nil
}
