package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const impactInventory = `customers:
  - {id: C1, name: Amis du Vélo, email: a@example.org}
  - {id: C2, name: Boulangerie Martin, email: b@example.org}
  - {id: C3, name: Chorale, email: c@example.org}
assets:
  - {name: hv1, kind: hypervisor}
  - {name: web-1, kind: vm, depends_on: [hv1]}
  - {name: web-2, kind: vm, depends_on: [hv1]}
  - {name: s1, kind: site, owner: C1, depends_on: [web-1]}
  - {name: s2, kind: site, owner: C2, depends_on: [web-1]}
  - {name: s3, kind: site, owner: C3, depends_on: [web-2]}
  - {name: s4, kind: site, owner: C3, depends_on: [web-2]}
`

func TestImpactListsAssetsByKindAndCustomersByName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dsn := dsnOf(t, db)
		src := filepath.Join(t.TempDir(), "host.yaml")
		if err := os.WriteFile(src, []byte(impactInventory), 0o600); err != nil {
			t.Fatal(err)
		}
		if r := vigie(t, dsn, "", "import", src); r.code != 0 {
			t.Fatalf("import: %+v", r)
		}
		cases := []struct {
			args []string
			want string
		}{
			{[]string{"impact", "hv1"}, `hv1 (hypervisor): 6 dependent assets, 4 sites, 3 customers

vm (2):
  web-1
  web-2

site (4):
  s1
  s2
  s3
  s4

customers (3):
  C1  Amis du Vélo
  C2  Boulangerie Martin
  C3  Chorale
`},
			{[]string{"impact", "--limit", "1", "hv1"}, `hv1 (hypervisor): 6 dependent assets, 4 sites, 3 customers

vm (2):
  web-1
  … and 1 more (--limit 0 lists all)

site (4):
  s1
  … and 3 more (--limit 0 lists all)

customers (3):
  C1  Amis du Vélo
  … and 2 more (--limit 0 lists all)
`},
			{[]string{"impact", "s1"}, "s1 (site): 0 dependent assets, 0 sites, 1 customer\n\ncustomers (1):\n  C1  Amis du Vélo\n"},
		}
		for _, c := range cases {
			if r := vigie(t, dsn, "", c.args...); r.code != 0 || r.stdout != c.want {
				t.Errorf("vigie %v: code %d, stderr %q, stdout\n%s\nwant\n%s", c.args, r.code, r.stderr, r.stdout, c.want)
			}
		}
		r := vigie(t, dsn, "", "impact", "--json", "hv1")
		var got map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
			t.Fatalf("impact --json: %+v (%v)", r, err)
		}
		want := map[string]any{"asset": "hv1", "assets": 6.0, "sites": 4.0, "customers": []any{"C1", "C2", "C3"}}
		if len(got) != len(want) || got["asset"] != want["asset"] || got["assets"] != want["assets"] ||
			got["sites"] != want["sites"] || len(got["customers"].([]any)) != 3 {
			t.Errorf("impact --json = %v, want %v", got, want)
		}
		if r := vigie(t, dsn, "", "impact", "--limit", "-1", "hv1"); r.code != 2 {
			t.Errorf("--limit -1: %+v, want a usage error", r)
		}
	})
}
