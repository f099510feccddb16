package inventory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// pagedHostYAML is a host of a few hundred assets whose names make the
// order by key text ("a-b/http" before "a/http") differ from the order by
// asset then name, with declared checks, located ones and a kind's default
// turned off.
func pagedHostYAML(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString("assets:\n")
	var checks strings.Builder
	checks.WriteString("checks:\n")
	for i := range 120 {
		for _, suffix := range []string{"", "-b", ".c"} {
			name := fmt.Sprintf("s%03d%s", i, suffix)
			switch r.IntN(4) {
			case 0:
				fmt.Fprintf(&b, "  - {name: %s, kind: site, url: https://%s.example/}\n", name, name)
			case 1:
				fmt.Fprintf(&b, "  - {name: %s, kind: vm, address: 127.0.0.1:22}\n", name)
			case 2:
				fmt.Fprintf(&b, "  - {name: %s, kind: hypervisor, address: 127.0.0.1:22, url: https://%s.example/}\n", name, name)
			default:
				fmt.Fprintf(&b, "  - {name: %s, kind: storage}\n", name)
			}
			if r.IntN(3) == 0 {
				loc := []string{"paris", "montreal"}[r.IntN(2)]
				fmt.Fprintf(&checks, "  - {asset: %s, name: ping%d, kind: tcp, address: 127.0.0.1:80, locations: [%s]}\n", name, r.IntN(3), loc)
			}
		}
	}
	checks.WriteString("  - {asset: s000, name: api, kind: http, url: https://s000.example/api, headers: {Authorization: Bearer hunter2}}\n")
	b.WriteString(dedupChecks(checks.String()))
	b.WriteString("check_defaults:\n  vm:\n    kind: none\n")
	return b.String()
}

// dedupChecks drops the repeated asset and name pairs the random host drew.
func dedupChecks(s string) string {
	seen := map[string]bool{}
	var out []string
	for line := range strings.Lines(s) {
		key := line
		if i := strings.Index(line, ", kind:"); i > 0 {
			key = line[:i]
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}

// walkChecks follows the pages of f to the end.
func walkChecks(t *testing.T, s *inventory.Service, f inventory.CheckPage) []check.Check {
	t.Helper()
	var all []check.Check
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("the pages never end")
		}
		list, more, err := s.ChecksPage(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > f.Limit || (more && len(list) != f.Limit) {
			t.Fatalf("page of %d for limit %d, more %v", len(list), f.Limit, more)
		}
		all = append(all, list...)
		if !more {
			return all
		}
		f.After = list[len(list)-1].ID()
	}
}

func pageKeysOf(list []check.Check) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.ID().Asset + " " + c.ID().Name
	}
	return out
}

// TestChecksPagesWalkTheWholeListOnceInOrder: following the pages, with
// any limit and any filter, gives every check the full list gives, each
// once, by asset then name, the same as the full list's.
func TestChecksPagesWalkTheWholeListOnceInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(14, 4))
		s := inventory.NewService(db, nil)
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", pagedHostYAML(r)))
		filters := []inventory.CheckPage{
			{}, {Kind: "tcp"}, {Kind: "http"}, {Location: "paris"}, {Asset: "s007-b"}, {Asset: "s007"}, {Asset: "nope"},
			{Kind: "tls"},
		}
		for _, effective := range []bool{true, false} {
			full, err := s.Checks(ctx, inventory.CheckFilter{Effective: effective})
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(full, func(a, b check.Check) int {
				return strings.Compare(a.ID().Asset+"\x00"+a.ID().Name, b.ID().Asset+"\x00"+b.ID().Name)
			})
			if len(full) < 100 {
				t.Fatalf("only %d checks", len(full))
			}
			for _, f := range filters {
				var want []check.Check
				for _, c := range full {
					if (f.Asset == "" || c.Asset == f.Asset) && (f.Kind == "" || string(c.Kind) == f.Kind) &&
						(f.Location == "" || len(c.Locations) == 0 || slices.Contains(c.Locations, f.Location)) {
						want = append(want, c)
					}
				}
				limits := []int{5, 64}
				if f == (inventory.CheckPage{}) {
					limits = []int{1, 7, 1000}
				}
				for _, limit := range limits {
					f.Effective, f.Limit = effective, limit
					got := walkChecks(t, s, f)
					if g, w := strings.Join(pageKeysOf(got), ","), strings.Join(pageKeysOf(want), ","); g != w {
						t.Fatalf("effective %v, filter %+v, limit %d:\n got %s\nwant %s", effective, f, limit, g, w)
					}
					for i := range got {
						if !sameCheck(got[i], want[i]) {
							t.Fatalf("effective %v, limit %d: %s differs:\n got %+v\nwant %+v", effective, limit, got[i].Key(), got[i], want[i])
						}
					}
				}
			}
		}
		page, _, err := s.ChecksPage(ctx, inventory.CheckPage{Asset: "s000", Limit: 10})
		if err != nil || len(page) == 0 {
			t.Fatalf("%v %v", page, err)
		}
		for _, c := range page {
			if strings.Contains(fmt.Sprint(c), "hunter2") {
				t.Fatalf("a page shows a secret: %+v", c)
			}
		}
		if _, _, err := s.ChecksPage(ctx, inventory.CheckPage{}); err == nil {
			t.Fatal("a page of no limit was accepted")
		}
	})
}

func sameCheck(a, b check.Check) bool { return a.Equal(&b) }
