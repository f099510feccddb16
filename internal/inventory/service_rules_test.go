package inventory_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/facts"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestReplaceRulesChecksAsAnImportAndReplacesTheSet: problems come with
// their line and change nothing; a rules section replaces the
// inventory's rules, those left out removed; other sections are refused;
// the rules written back read the same.
func TestReplaceRulesChecksAsAnImportAndReplacesTheSet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		first := "rules:\n  - {name: smt, kind: hypervisor, fact: cpu.smt, op: \"==\", value: \"on\"}\n  - {name: ram, kind: vm, fact: memory.total_bytes, op: \">\", value: \"1000\"}\n"
		if _, err := s.ReplaceRules(ctx, "rules.yaml", []byte(first)); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ text, want string }{
			{"rules:\n  - {name: smt, kind: hypervisor, fact: cpu.smt, op: \"=~\", value: on}\n", "rules.yaml:2: op: unknown operator"},
			{"rules:\n  - {name: a, kind: vm, fact: x, op: present}\n  - {name: a, kind: vm, fact: y, op: present}\n", "rules.yaml:3: duplicate rule \"a\""},
			{"rules:\n  - {name: b, fact: x, op: present, colour: red}\n", "rules.yaml:2"},
			{"customers:\n  - {id: C9, name: Nine, email: n@example.org}\nrules: []\n", "rules.yaml:1: only a rules section"},
			{"rules: [\n", "rules.yaml"},
		} {
			_, err := s.ReplaceRules(ctx, "rules.yaml", []byte(tc.text))
			var ps inventory.Problems
			if !errors.As(err, &ps) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReplaceRules(%q) = %v, want a problem %q", tc.text, err, tc.want)
			}
		}
		own, err := s.InventoryRules(ctx)
		if err != nil || len(own) != 2 || own[0].Name != "ram" || own[1].Name != "smt" {
			t.Fatalf("after refusals: %+v %v", own, err)
		}
		text, err := inventory.RulesYAML(own)
		if err != nil {
			t.Fatal(err)
		}
		doc, ps := inventory.Parse("back.yaml", []byte(text))
		if len(ps) > 0 || len(doc.Rules) != 2 || !reflect.DeepEqual(doc.Rules[1].Rule, own[1]) {
			t.Fatalf("written back:\n%s\nread %+v %v", text, doc, ps)
		}
		plan, err := s.ReplaceRules(ctx, "rules.yaml", []byte("rules:\n  - {name: smt, kind: hypervisor, fact: cpu.smt, op: \"==\", value: \"off\"}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if sum := plan.Summary(); len(sum) != 1 || sum[0].Changed != 1 || sum[0].Removed != 1 {
			t.Fatalf("plan %+v", sum)
		}
		rules, _ := s.ComplianceRules(ctx)
		var names []string
		for _, r := range rules {
			names = append(names, r.Name)
		}
		if len(rules) != len(facts.BuiltinRules())+1 || !strings.Contains(strings.Join(names, " "), "smt") {
			t.Fatalf("rules in force %v", names)
		}
	})
}
