package inventory

import (
	"slices"

	"github.com/vigie/vigie/internal/check"
)

// KindNone is the kind of a default check that turns that default off.
const KindNone = "none"

// mergeChecks merges the documents' checks and default checks over the
// base's, checking each against the asset it is on, and returns them sorted.
func (c *checker) mergeChecks() ([]check.Check, []CheckDefault) {
	defaults := map[string]CheckDefault{}
	for _, d := range c.base.CheckDefaults {
		defaults[d.AssetKind] = d
	}
	seenDefault := map[string]string{}
	checks := map[string]check.Check{}
	for _, bc := range c.base.Checks {
		checks[bc.Key()] = bc
	}
	seenCheck := map[string]string{}
	for _, d := range c.docs {
		if d == nil {
			continue
		}
		for i := range d.CheckDefaults {
			e := &d.CheckDefaults[i]
			file := entryFile(e.File, d)
			if prev, dup := seenDefault[e.AssetKind]; dup {
				c.ps.add(file, e.Line, "duplicate default check for kind %q (also at %s)", e.AssetKind, prev)
				continue
			}
			seenDefault[e.AssetKind] = placeString(file, e.Line)
			c.checkDefault(file, e)
			defaults[e.AssetKind] = e.CheckDefault
		}
		for i := range d.Checks {
			e := &d.Checks[i]
			file := entryFile(e.File, d)
			key := e.Key()
			if prev, dup := seenCheck[key]; dup {
				c.ps.add(file, e.Line, "duplicate check %q (also at %s)", key, prev)
				continue
			}
			seenCheck[key] = placeString(file, e.Line)
			c.checkCheck(file, e)
			checks[key] = e.Check
		}
	}
	outChecks := make([]check.Check, 0, len(checks))
	for _, k := range slicesSortedKeys(checks) {
		outChecks = append(outChecks, checks[k])
	}
	outDefaults := make([]CheckDefault, 0, len(defaults))
	for _, k := range slicesSortedKeys(defaults) {
		outDefaults = append(outDefaults, defaults[k])
	}
	if len(outChecks) == 0 {
		outChecks = nil
	}
	if len(outDefaults) == 0 {
		outDefaults = nil
	}
	return outChecks, outDefaults
}

func slicesSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// lineOf returns the line of a check field, or of the entry.
func lineOf(lines map[string]int, field string, entry int) int {
	if l, ok := lines[field]; ok {
		return l
	}
	return entry
}

// checkCheck reports what is wrong with an explicit check: its asset must
// exist, and the check, completed from the asset and the defaults, must
// satisfy its kind's rules.
func (c *checker) checkCheck(file string, e *CheckEntry) {
	if e.Asset == "" {
		c.ps.add(file, e.Line, "asset: required")
		return
	}
	if e.Kind == KindNone {
		c.ps.add(file, lineOf(e.FieldLines, "kind", e.Line), `kind: "none" only turns off a default check`)
		return
	}
	j, ok := c.assets[e.Asset]
	if !ok {
		c.ps.add(file, lineOf(e.FieldLines, "asset", e.Line), "asset: unknown asset %q", e.Asset)
		return
	}
	full := Resolve(e.Check, c.asset(c.assetSrc[j]))
	for _, fe := range check.Validate(&full) {
		c.ps.add(file, lineOf(e.FieldLines, fe.Field, e.Line), "%s: %s", fe.Field, fe.Message)
	}
}

// checkDefault reports what is wrong with a default check. Its url and
// address come from each asset, so their absence is not an error here.
func (c *checker) checkDefault(file string, e *CheckDefaultEntry) {
	if e.AssetKind == "" {
		c.ps.add(file, e.Line, "check_defaults: want an asset kind as key")
		return
	}
	if e.Check.Asset != "" {
		c.ps.add(file, lineOf(e.FieldLines, "asset", e.Line), "asset: a default check applies to every asset of its kind; remove asset")
	}
	if e.Check.Kind == KindNone {
		return
	}
	full := e.Check
	full.Asset = "default"
	check.ApplyDefaults(&full)
	for _, fe := range check.Validate(&full) {
		if (fe.Field == "url" && e.Check.URL == "") || (fe.Field == "address" && e.Check.Address == "") {
			continue
		}
		c.ps.add(file, lineOf(e.FieldLines, fe.Field, e.Line), "%s: %s", fe.Field, fe.Message)
	}
}

// Resolve completes a check from the asset it is on (the asset's url for
// http and tls checks, its address for tcp and tls checks) and applies the
// defaults of its kind.
func Resolve(c check.Check, a *Asset) check.Check {
	c.Asset = a.Name
	switch check.Kind(c.Kind) {
	case check.HTTP:
		if c.URL == "" {
			c.URL = a.URL
		}
	case check.TCP:
		if c.Address == "" {
			c.Address = a.Address
		}
	case check.TLS:
		if c.Address == "" && c.URL == "" {
			c.URL, c.Address = a.URL, a.Address
		}
	}
	check.ApplyDefaults(&c)
	return c
}

// EffectiveChecks returns every check the inventory implies, sorted by key:
// the explicit ones, plus for each asset the default of its kind (from
// check_defaults, else an http check for an asset with a url and a tcp
// check for one with an address) unless it declares a check of that name.
func EffectiveChecks(inv *Inventory) []check.Check {
	explicit := map[string][]int{}
	for i := range inv.Checks {
		explicit[inv.Checks[i].Asset] = append(explicit[inv.Checks[i].Asset], i)
	}
	defaults := map[string]*check.Check{}
	for i := range inv.CheckDefaults {
		defaults[inv.CheckDefaults[i].AssetKind] = &inv.CheckDefaults[i].Check
	}
	// The list is kept (the effective set points into it): sized from the
	// start, it holds no slack of append's growth, a quarter of its size.
	out := make([]check.Check, 0, countChecks(inv, explicit, defaults))
	for i := range inv.Assets {
		a := &inv.Assets[i]
		names := map[string]bool{}
		for _, j := range explicit[a.Name] {
			c := Resolve(inv.Checks[j], a)
			names[c.Name] = true
			out = append(out, c)
		}
		for _, d := range defaultChecks(a, defaults) {
			if !names[d.Name] {
				out = append(out, d)
			}
		}
	}
	slices.SortFunc(out, func(x, y check.Check) int { return compareCheckKeys(&x, &y) })
	return out
}

// countChecks is at least how many checks EffectiveChecks lists, and as
// many unless an explicit check replaces a default one.
func countChecks(inv *Inventory, explicit map[string][]int, defaults map[string]*check.Check) int {
	n := 0
	for i := range inv.Assets {
		a := &inv.Assets[i]
		n += len(explicit[a.Name])
		if d, ok := defaults[a.Kind]; ok {
			if d.Kind != KindNone {
				n++
			}
			continue
		}
		if a.URL != "" {
			n++
		}
		if a.Address != "" {
			n++
		}
	}
	return n
}

// defaultChecks returns the default checks of an asset.
func defaultChecks(a *Asset, defaults map[string]*check.Check) []check.Check {
	if d, ok := defaults[a.Kind]; ok {
		if d.Kind == KindNone {
			return nil
		}
		return []check.Check{Resolve(*d, a)}
	}
	var out []check.Check
	if a.URL != "" {
		out = append(out, Resolve(check.Check{Kind: check.HTTP}, a))
	}
	if a.Address != "" {
		out = append(out, Resolve(check.Check{Kind: check.TCP}, a))
	}
	return out
}
