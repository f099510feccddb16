package inventory

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/facts"
)

// Plan is what an import or an edit changes in the stored inventory.
type Plan struct {
	AddCustomers    []Customer `json:"-"`
	ChangeCustomers []Customer `json:"-"`
	RemoveCustomers []string   `json:"-"`
	AddAssets       []Asset    `json:"-"`
	ChangeAssets    []Asset    `json:"-"`
	RemoveAssets    []string   `json:"-"`
	// Checks are added, changed or removed by key (asset and name); default
	// checks are put (added or changed) or removed by asset kind.
	AddChecks           []check.Check  `json:"-"`
	ChangeChecks        []check.Check  `json:"-"`
	RemoveChecks        []check.Check  `json:"-"`
	PutCheckDefaults    []CheckDefault `json:"-"`
	RemoveCheckDefaults []string       `json:"-"`
	// Compliance rules are put (added or changed) or removed by name.
	PutRules    []facts.Rule `json:"-"`
	RemoveRules []string     `json:"-"`
	// Public components are put (added, changed or moved) at their
	// position, or removed by id.
	PutComponents    []PlacedComponent `json:"-"`
	RemoveComponents []string          `json:"-"`
	// BaseVersion is the inventory version the plan was computed on.
	BaseVersion int64 `json:"-"`
	// removedKinds remembers the kind of each removed asset for Summary.
	removedKinds map[string]int
	// newDefaults and newRules count the puts that are new, for Summary.
	newDefaults, newRules int
	// newComponents and changedComponents count the components added, and
	// changed or moved, for Summary.
	newComponents, changedComponents int
}

// KindChange counts the changes of one kind ("customer" for customers).
type KindChange struct {
	Kind    string `json:"kind"`
	Added   int    `json:"added"`
	Changed int    `json:"changed"`
	Removed int    `json:"removed"`
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool {
	return p.Size() == 0
}

// Size is the number of rows the plan touches, for progress reports.
func (p *Plan) Size() int {
	return len(p.AddCustomers) + len(p.ChangeCustomers) + len(p.RemoveCustomers) +
		len(p.AddAssets) + len(p.ChangeAssets) + len(p.RemoveAssets) +
		len(p.AddChecks) + len(p.ChangeChecks) + len(p.RemoveChecks) +
		len(p.PutCheckDefaults) + len(p.RemoveCheckDefaults) + len(p.PutRules) + len(p.RemoveRules) +
		len(p.PutComponents) + len(p.RemoveComponents)
}

// Summary counts the changes per kind, customers first, then kinds by name.
func (p *Plan) Summary() []KindChange {
	byKind := map[string]*KindChange{}
	get := func(kind string) *KindChange {
		if c, ok := byKind[kind]; ok {
			return c
		}
		c := &KindChange{Kind: kind}
		byKind[kind] = c
		return c
	}
	get("customer").Added = len(p.AddCustomers)
	get("customer").Changed = len(p.ChangeCustomers)
	get("customer").Removed = len(p.RemoveCustomers)
	for i := range p.AddAssets {
		get(p.AddAssets[i].Kind).Added++
	}
	for i := range p.ChangeAssets {
		get(p.ChangeAssets[i].Kind).Changed++
	}
	for kind, n := range p.removedKinds {
		get(kind).Removed += n
	}
	checks := get("check")
	checks.Added, checks.Changed, checks.Removed = len(p.AddChecks), len(p.ChangeChecks), len(p.RemoveChecks)
	get("check default").Added = p.newDefaults
	get("check default").Changed = len(p.PutCheckDefaults) - p.newDefaults
	get("check default").Removed = len(p.RemoveCheckDefaults)
	get("rule").Added = p.newRules
	get("rule").Changed = len(p.PutRules) - p.newRules
	get("rule").Removed = len(p.RemoveRules)
	get("component").Added = p.newComponents
	get("component").Changed = p.changedComponents
	get("component").Removed = len(p.RemoveComponents)
	out := []KindChange{}
	for _, kind := range slices.Sorted(maps.Keys(byKind)) {
		c := byKind[kind]
		if kind == "customer" || c.Added+c.Changed+c.Removed == 0 {
			continue
		}
		out = append(out, *c)
	}
	if c := byKind["customer"]; c.Added+c.Changed+c.Removed > 0 {
		out = append([]KindChange{*c}, out...)
	}
	return out
}

// String describes the plan in a few lines, one per kind.
func (p *Plan) String() string {
	if p.Empty() {
		return "no changes"
	}
	var b strings.Builder
	for _, c := range p.Summary() {
		fmt.Fprintf(&b, "%-14s %7d added %7d changed %7d removed\n", c.Kind, c.Added, c.Changed, c.Removed)
	}
	return strings.TrimRight(b.String(), "\n")
}

// Diff computes the plan that turns current into desired. Both must hold
// each customer id and asset name once; depends_on lists are compared as sets.
func Diff(current, desired *Inventory) *Plan {
	p := &Plan{removedKinds: map[string]int{}}
	curC := make(map[string]*Customer, len(current.Customers))
	for i := range current.Customers {
		curC[current.Customers[i].ID] = &current.Customers[i]
	}
	wantC := make(map[string]bool, len(desired.Customers))
	for _, c := range desired.Customers {
		wantC[c.ID] = true
		old, ok := curC[c.ID]
		switch {
		case !ok:
			p.AddCustomers = append(p.AddCustomers, c)
		case *old != c:
			p.ChangeCustomers = append(p.ChangeCustomers, c)
		}
	}
	for _, c := range current.Customers {
		if !wantC[c.ID] {
			p.RemoveCustomers = append(p.RemoveCustomers, c.ID)
		}
	}
	curA := make(map[string]*Asset, len(current.Assets))
	for i := range current.Assets {
		curA[current.Assets[i].Name] = &current.Assets[i]
	}
	wantA := make(map[string]bool, len(desired.Assets))
	for _, a := range desired.Assets {
		wantA[a.Name] = true
		old, ok := curA[a.Name]
		switch {
		case !ok:
			p.AddAssets = append(p.AddAssets, a)
		case !sameAsset(old, &a):
			p.ChangeAssets = append(p.ChangeAssets, a)
		}
	}
	for _, a := range current.Assets {
		if !wantA[a.Name] {
			p.RemoveAssets = append(p.RemoveAssets, a.Name)
			p.removedKinds[a.Kind]++
		}
	}
	diffChecks(p, current, desired)
	diffRules(p, current, desired)
	diffComponents(p, current, desired)
	return p
}

func sameAsset(a, b *Asset) bool {
	if a.Name != b.Name || a.Kind != b.Kind || a.Owner != b.Owner || a.URL != b.URL || a.Address != b.Address {
		return false
	}
	if len(a.Labels) != len(b.Labels) || !maps.Equal(a.Labels, b.Labels) {
		return false
	}
	if len(a.DependsOn) != len(b.DependsOn) {
		return false
	}
	if slices.IsSorted(a.DependsOn) && slices.IsSorted(b.DependsOn) {
		return slices.Equal(a.DependsOn, b.DependsOn)
	}
	x, y := slices.Clone(a.DependsOn), slices.Clone(b.DependsOn)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
