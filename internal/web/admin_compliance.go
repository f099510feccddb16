package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/facts"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
)

// complianceView is the page of compliance rules and the hosts breaking
// them: the hypervisors' power profile first.
type complianceView struct {
	Rules []ruleRow
	// Hosts are those with violations first, hypervisors before other
	// kinds; Reporting counts every host reporting facts, Failing those
	// with a violation.
	Hosts              []hostRow
	Reporting, Failing int
	// RulesText is the inventory's own rules as YAML, for the editor.
	RulesText string
	Problems  []problem
	// Done is set once rules were saved; Added, Changed and Removed
	// count what changed.
	Done                    bool
	Added, Changed, Removed int
	CanEdit                 bool
}

// ruleRow is a rule in force, where it comes from and how many hosts
// break it now.
type ruleRow struct {
	facts.Rule
	// Source is "builtin", "inventory" or "override" (an inventory rule
	// replacing a built-in one of its name).
	Source   string
	Breaking int
}

// hostRow is one host's report.
type hostRow struct {
	probe.HostCompliance
	// Governor and EPP are its CPU power settings, as reported.
	Governor, EPP string
}

// rulesFile is the name problems of the rules editor are placed in.
const rulesFile = "rules.yaml"

// powerFirst orders rules and violations: those of the hypervisors' CPU
// power profile first, the governor before the energy preference.
func powerFirst(kind, fact string) int {
	switch {
	case kind != facts.KindHypervisor:
		return 3
	case fact == "cpu.governor":
		return 0
	case strings.HasPrefix(fact, "cpu."):
		return 1
	}
	return 2
}

func (h *adminConfig) showCompliance(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	view := complianceView{Done: q.Get("done") == "rules"}
	view.Added, _ = strconv.Atoi(q.Get("added"))
	view.Changed, _ = strconv.Atoi(q.Get("changed"))
	view.Removed, _ = strconv.Atoi(q.Get("removed"))
	h.renderCompliance(w, r, http.StatusOK, view, true)
}

// renderCompliance fills in the rules and hosts; with fillText, the
// editor holds the stored rules (else what was typed).
func (h *adminConfig) renderCompliance(w http.ResponseWriter, r *http.Request, code int, view complianceView, fillText bool) {
	ctx := r.Context()
	rules, err := h.d.Inventory.ComplianceRules(ctx)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	own, err := h.d.Inventory.InventoryRules(ctx)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	var hosts []probe.HostCompliance
	if h.d.Compliance != nil {
		if hosts, err = h.d.Compliance.List(ctx); err != nil {
			h.failPage(w, r, err)
			return
		}
	}
	breaking := map[string]int{}
	for _, host := range hosts {
		seen := map[string]bool{}
		for _, v := range host.Violations {
			if !seen[v.Rule] {
				seen[v.Rule], breaking[v.Rule] = true, breaking[v.Rule]+1
			}
		}
	}
	builtin := map[string]bool{}
	for _, b := range facts.BuiltinRules() {
		builtin[b.Name] = true
	}
	for _, rule := range rules {
		row := ruleRow{Rule: rule, Source: "builtin", Breaking: breaking[rule.Name]}
		if slices.ContainsFunc(own, func(o facts.Rule) bool { return o.Name == rule.Name }) {
			row.Source = "inventory"
			if builtin[rule.Name] {
				row.Source = "override"
			}
		}
		view.Rules = append(view.Rules, row)
	}
	slices.SortStableFunc(view.Rules, func(a, b ruleRow) int {
		return cmp.Or(cmp.Compare(powerFirst(a.Kind, a.Fact), powerFirst(b.Kind, b.Fact)), cmp.Compare(a.Name, b.Name))
	})
	view.Hosts, view.Reporting, view.Failing = hostRows(hosts)
	view.CanEdit = canChange(r, auth.PermRules)
	if fillText {
		if view.RulesText, err = rulesYAML(own); err != nil {
			h.failPage(w, r, err)
			return
		}
	}
	h.renderPage(w, r, code, "admin_compliance", h.text(viewerOf(r).Lang, "CfgComplianceTitle"), view)
}

// hostRows orders the hosts: failing first, hypervisors first, by name;
// each host's power violations first.
func hostRows(hosts []probe.HostCompliance) (rows []hostRow, reporting, failing int) {
	for _, host := range hosts {
		slices.SortStableFunc(host.Violations, func(a, b facts.Violation) int {
			return cmp.Compare(powerFirst(host.Kind, a.Fact), powerFirst(host.Kind, b.Fact))
		})
		rows = append(rows, hostRow{HostCompliance: host, Governor: host.Facts["cpu.governor"], EPP: host.Facts["cpu.energy_performance_preference"]})
		if len(host.Violations) > 0 {
			failing++
		}
	}
	slices.SortStableFunc(rows, func(a, b hostRow) int {
		return cmp.Or(cmp.Compare(boolInt(len(a.Violations) == 0), boolInt(len(b.Violations) == 0)),
			cmp.Compare(powerFirst(a.Kind, "cpu."), powerFirst(b.Kind, "cpu.")), cmp.Compare(a.Asset, b.Asset))
	})
	return rows, len(hosts), failing
}

// rulesYAML is the editor's text of the inventory's rules, with a line
// saying how to write one when there are none.
func rulesYAML(own []facts.Rule) (string, error) {
	if len(own) == 0 {
		return "rules:\n", nil
	}
	return inventory.RulesYAML(own)
}

// saveRules replaces the inventory's rules with the editor's, checked as
// an import is: a problem is shown with its line, and nothing changes.
func (h *adminConfig) saveRules(w http.ResponseWriter, r *http.Request) {
	text := strings.ReplaceAll(r.PostFormValue("rules"), "\r\n", "\n")
	plan, err := h.d.Inventory.ReplaceRules(r.Context(), rulesFile, []byte(text))
	if err != nil {
		problems, status, ok := formProblems(err)
		if !ok {
			h.failPage(w, r, err)
			return
		}
		auditDetail(r, "rules refused, nothing changed")
		h.renderCompliance(w, r, status, complianceView{RulesText: text, Problems: problems}, false)
		return
	}
	var n inventory.KindChange
	for _, c := range plan.Summary() {
		if c.Kind == "rule" {
			n = c
		}
	}
	auditDetail(r, fmt.Sprintf("rules: %d added, %d changed, %d removed", n.Added, n.Changed, n.Removed))
	seeOther(w, r, fmt.Sprintf("/staff/admin/compliance?done=rules&added=%d&changed=%d&removed=%d", n.Added, n.Changed, n.Removed))
}
