package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/inventory"
)

// defaultImpactLimit is how many names of each group are printed.
const defaultImpactLimit = 20

func runImpact(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "impact", "[--json] [--limit N] [--db DSN] ASSET",
		"Show every asset that depends on ASSET, grouped by kind, and the customers concerned")
	db := dbFlag(fs, e)
	asJSON := fs.Bool("json", false, "print JSON: {asset, assets, sites, customers}")
	limit := fs.Int("limit", defaultImpactLimit, "names printed per group, 0 for all")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: want exactly one ASSET", errUsage)
	}
	if *limit < 0 {
		return fmt.Errorf("%w: --limit: want 0 (all) or more, got %d", errUsage, *limit)
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	imp, err := a.Inventory.Impact(ctx, rest[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(imp)
	}
	g := a.Inventory.Graph()
	shown := imp.Customers
	if *limit > 0 && len(shown) > *limit {
		shown = shown[:*limit]
	}
	customers := make([]inventory.Customer, 0, len(shown))
	for _, id := range shown {
		c, err := a.Inventory.Customer(ctx, id)
		if err != nil {
			return fmt.Errorf("impact %s: customer %s: %w", imp.Asset, id, err)
		}
		customers = append(customers, c)
	}
	writeImpact(e.stdout, imp, g.Kind(imp.Asset), groupByKind(g, imp.Asset), customers, *limit)
	return nil
}

// kindGroup is the dependents of one kind, names sorted.
type kindGroup struct {
	kind  string
	names []string
}

// kindOrder puts the known kinds from the ground up; others follow by name.
var kindOrder = []string{"datacenter", "network", "hypervisor", "storage", "vm", "service", "site", "backup"}

// groupByKind walks every asset that depends on root, transitively, and
// groups them by kind.
func groupByKind(g *inventory.Graph, root string) []kindGroup {
	seen := map[string]bool{root: true}
	byKind := map[string][]string{}
	queue := []string{root}
	for len(queue) > 0 {
		name := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, d := range g.Dependents(name) {
			if seen[d] {
				continue
			}
			seen[d] = true
			queue = append(queue, d)
			k := g.Kind(d)
			byKind[k] = append(byKind[k], d)
		}
	}
	groups := make([]kindGroup, 0, len(byKind))
	for k, names := range byKind {
		slices.Sort(names)
		groups = append(groups, kindGroup{k, names})
	}
	rank := func(k string) int {
		if i := slices.Index(kindOrder, k); i >= 0 {
			return i
		}
		return len(kindOrder)
	}
	slices.SortFunc(groups, func(a, b kindGroup) int {
		return cmp.Or(cmp.Compare(rank(a.kind), rank(b.kind)), cmp.Compare(a.kind, b.kind))
	})
	return groups
}

// writeImpact prints the impact for a reader: the figures, then each kind
// with its names, then the customers with theirs, at most limit names a
// group (0: all), saying how many more there are.
func writeImpact(w io.Writer, imp inventory.Impact, kind string, groups []kindGroup, customers []inventory.Customer, limit int) {
	fmt.Fprintf(w, "%s (%s): %s, %s, %s\n", imp.Asset, kind,
		count(imp.Assets, "dependent asset", "dependent assets"), count(imp.Sites, "site", "sites"), count(len(imp.Customers), "customer", "customers"))
	for _, gr := range groups {
		fmt.Fprintf(w, "\n%s (%d):\n", gr.kind, len(gr.names))
		shown := gr.names
		if limit > 0 && len(shown) > limit {
			shown = shown[:limit]
		}
		for _, n := range shown {
			fmt.Fprintf(w, "  %s\n", n)
		}
		more(w, len(gr.names)-len(shown))
	}
	if len(imp.Customers) == 0 {
		return
	}
	fmt.Fprintf(w, "\ncustomers (%d):\n", len(imp.Customers))
	width := 0
	for _, c := range customers {
		width = max(width, len(c.ID))
	}
	for _, c := range customers {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.ID, c.Name)
	}
	more(w, len(imp.Customers)-len(customers))
}

func more(w io.Writer, n int) {
	if n > 0 {
		fmt.Fprintf(w, "  … and %d more (--limit 0 lists all)\n", n)
	}
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
