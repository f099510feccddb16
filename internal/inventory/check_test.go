package inventory

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// doc builds a document from YAML text, failing on any parse problem.
func doc(t *testing.T, file, text string) *Document {
	t.Helper()
	d, ps := Parse(file, []byte(text))
	if len(ps) > 0 {
		t.Fatalf("Parse(%s):\n%v", file, ps)
	}
	return d
}

func baseInventory() *Inventory {
	return &Inventory{
		Customers: []Customer{
			{ID: "C1", Name: "One", Email: "one@example.org", Language: "fr", Timezone: "Europe/Paris"},
			{ID: "C2", Name: "Two", Email: "two@example.org", Language: "en", Timezone: "UTC"},
		},
		Assets: []Asset{
			{Name: "dc1", Kind: "datacenter"},
			{Name: "vm-01", Kind: "vm", DependsOn: []string{"dc1"}},
			{Name: "web-01", Kind: "site", Owner: "C2", DependsOn: []string{"vm-01"}},
		},
	}
}

// TestCheckMergesOrPrunes proves that without prune the documents replace
// and add to the base, and with prune only what they list remains.
func TestCheckMergesOrPrunes(t *testing.T) {
	const text = `
customers:
  - {id: C1, name: One renamed, email: one@example.org}
  - {id: C0, name: Zero, email: zero@example.org}
assets:
  - {name: dc1, kind: datacenter}
  - {name: web-02, kind: site, owner: C1, depends_on: [dc1]}
  - {name: vm-01, kind: vm, depends_on: [dc1], labels: {power: performance}}
`
	tests := []struct {
		name  string
		prune bool
		want  *Inventory
	}{
		{"merge", false, &Inventory{
			Customers: []Customer{
				{ID: "C0", Name: "Zero", Email: "zero@example.org", Language: "fr", Timezone: "Europe/Paris"},
				{ID: "C1", Name: "One renamed", Email: "one@example.org", Language: "fr", Timezone: "Europe/Paris"},
				{ID: "C2", Name: "Two", Email: "two@example.org", Language: "en", Timezone: "UTC"},
			},
			Assets: []Asset{
				{Name: "dc1", Kind: "datacenter"},
				{Name: "vm-01", Kind: "vm", DependsOn: []string{"dc1"}, Labels: map[string]string{"power": "performance"}},
				{Name: "web-01", Kind: "site", Owner: "C2", DependsOn: []string{"vm-01"}},
				{Name: "web-02", Kind: "site", Owner: "C1", DependsOn: []string{"dc1"}},
			},
		}},
		{"prune", true, &Inventory{
			Customers: []Customer{
				{ID: "C0", Name: "Zero", Email: "zero@example.org", Language: "fr", Timezone: "Europe/Paris"},
				{ID: "C1", Name: "One renamed", Email: "one@example.org", Language: "fr", Timezone: "Europe/Paris"},
			},
			Assets: []Asset{
				{Name: "dc1", Kind: "datacenter"},
				{Name: "vm-01", Kind: "vm", DependsOn: []string{"dc1"}, Labels: map[string]string{"power": "performance"}},
				{Name: "web-02", Kind: "site", Owner: "C1", DependsOn: []string{"dc1"}},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := baseInventory()
			got, ps := Check(base, tt.prune, doc(t, "a.yaml", text))
			if len(ps) > 0 {
				t.Fatalf("Check:\n%v", ps)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tt.want)
			}
			if !reflect.DeepEqual(base, baseInventory()) {
				t.Errorf("Check changed the base inventory")
			}
		})
	}
}

// TestCheckResolvesAgainstDesired proves references resolve against the
// base only when it is kept.
func TestCheckResolvesAgainstDesired(t *testing.T) {
	const text = "assets:\n  - name: web-02\n    kind: site\n    owner: C2\n    depends_on: [vm-01]\n"
	if _, ps := Check(baseInventory(), false, doc(t, "a.yaml", text)); len(ps) > 0 {
		t.Errorf("merge: %v", ps)
	}
	_, ps := Check(baseInventory(), true, doc(t, "a.yaml", text))
	want := "a.yaml:4: owner: unknown customer \"C2\"\na.yaml:5: depends_on: unknown asset \"vm-01\""
	if ps.Error() != want {
		t.Errorf("prune: got\n%v\nwant\n%s", ps, want)
	}
}

// TestCheckReportsDuplicatesAcrossFiles proves a second entry with the same
// id or name is reported where it is, naming where the first one is.
func TestCheckReportsDuplicatesAcrossFiles(t *testing.T) {
	docs := parseFiles(t, "dup/a.yaml", "dup/b.csv", "dup/c.csv")
	inv, ps := Check(baseInventory(), false, docs...)
	want := strings.Join([]string{
		`dup/b.csv:3: duplicate asset "web-01" (also at dup/a.yaml:6)`,
		`dup/c.csv:3: duplicate customer "C1" (also at dup/a.yaml:2)`,
	}, "\n")
	if inv != nil || ps.Error() != want {
		t.Errorf("got %v and\n%v\nwant nil and\n%s", inv, ps, want)
	}
}

// TestCheckReportsCycles proves each cycle is reported once, naming its
// assets, on the depends_on line of a document entry, including a cycle
// that a document closes over the base.
func TestCheckReportsCycles(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"three assets", `assets:
  - {name: c, kind: vm, depends_on: [a]}
  - name: a
    kind: vm
    depends_on:
      - dc1
      - b
  - {name: b, kind: vm, depends_on: [c, dc1]}
`, `a.yaml:7: dependency cycle: a -> b -> c -> a`},
		{"two cycles", `assets:
  - {name: p, kind: vm, depends_on: [q]}
  - {name: q, kind: vm, depends_on: [p]}
  - {name: x, kind: vm, depends_on: [y]}
  - {name: y, kind: vm, depends_on: [x]}
`, "a.yaml:2: dependency cycle: p -> q -> p\na.yaml:4: dependency cycle: x -> y -> x"},
		{"closed over the base", `assets:
  - {name: dc1, kind: datacenter, depends_on: [web-01]}
`, `a.yaml:2: dependency cycle: dc1 -> web-01 -> vm-01 -> dc1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, ps := Check(baseInventory(), false, doc(t, "a.yaml", tt.text))
			if inv != nil || ps.Error() != tt.want {
				t.Errorf("got %v and\n%v\nwant nil and\n%s", inv, ps, tt.want)
			}
		})
	}
}

// TestCheckShortensLongCycles proves a cycle through many assets is named
// by its first and last ones.
func TestCheckShortensLongCycles(t *testing.T) {
	d := &Document{File: "big.yaml"}
	const n = 1000
	for i := range n {
		d.Assets = append(d.Assets, AssetEntry{Asset: Asset{
			Name: assetName(i), Kind: "vm", DependsOn: []string{assetName((i + 1) % n)},
		}, Lines: Lines{FieldEntry: int32(i + 1)}})
	}
	_, ps := Check(nil, true, d)
	want := "big.yaml:1: dependency cycle: a0000 -> a0001 -> a0002 -> a0003 -> a0004 -> a0005 -> a0006 -> a0007 -> a0008 -> " +
		"a0009 -> a0010 -> a0011 -> a0012 -> a0013 -> a0014 -> a0015 -> a0016 -> a0017 -> a0018 -> ... (980 more) -> a0999 -> a0000"
	if ps.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", ps, want)
	}
}

func assetName(i int) string {
	const digits = "0123456789"
	return "a" + string([]byte{digits[i/1000%10], digits[i/100%10], digits[i/10%10], digits[i%10]})
}

// TestCheckValidatesHandMadeDocuments proves Check holds documents not read
// by Parse to the same rules, and applies the same defaults.
func TestCheckValidatesHandMadeDocuments(t *testing.T) {
	d := &Document{File: "form",
		Customers: []CustomerEntry{{Customer: Customer{ID: " C5 ", Name: "Five", Email: "five@example.org"}}},
		Assets:    []AssetEntry{{Asset: Asset{Name: "web 05", Kind: "site", Owner: "C5"}, Lines: Lines{FieldEntry: 3}}},
	}
	_, ps := Check(nil, true, d)
	want := `form:3: name: invalid character ' ' in "web 05": use letters, digits and . _ : @ / -`
	if ps.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", ps, want)
	}
	d.Assets[0].Name = "web-05"
	inv, ps := Check(nil, true, d, nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if c := inv.Customers[0]; c.ID != "C5" || c.Language != "fr" || c.Timezone != "Europe/Paris" {
		t.Errorf("customer = %+v, want trimmed id and defaults", c)
	}
}

// TestCheckKeepsDocumentOrder proves sorting the result leaves the
// documents' depends_on in written order, matching DependsOnLines.
func TestCheckKeepsDocumentOrder(t *testing.T) {
	d := doc(t, "a.yaml", "assets:\n  - {name: a, kind: vm}\n  - {name: b, kind: vm}\n  - {name: c, kind: vm, depends_on: [b, a]}\n")
	inv, ps := Check(nil, true, d)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if got := inv.Assets[2].DependsOn; !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("desired depends_on = %v, want [a b]", got)
	}
	if got := d.Assets[2].DependsOn; !reflect.DeepEqual(got, []string{"b", "a"}) {
		t.Errorf("document depends_on = %v, want [b a]", got)
	}
}

// genCSV writes a host of the largest size targeted: customers and about
// assets assets in CSV, each site depending on a VM and a database service,
// each VM on a hypervisor and a storage unit, those on a datacenter.
func genCSV(customers, assets int) (custCSV, assetCSV []byte) {
	var c, a []byte
	c = append(c, customersHeader+"\n"...)
	for i := range customers {
		c = fmt.Appendf(c, "C%06d,Customer %d,c%d@example.org,,\n", i, i, i)
	}
	a = append(a, assetsLabelHeader+"\n"...)
	a = append(a, "dc1,datacenter,,,,,\n"...)
	const perHV, perVM = 50, 20
	vms := max(assets/perVM, 1)
	hvs := max(vms/perHV, 1)
	for i := range hvs {
		a = fmt.Appendf(a, "hv%04d,hypervisor,,dc1,,10.%d.%d.1:22,power=performance\n", i, i/256, i%256)
		a = fmt.Appendf(a, "st%04d,storage,,dc1,,,\n", i)
	}
	for i := range vms {
		a = fmt.Appendf(a, "vm%06d,vm,,hv%04d st%04d,,,\n", i, i%hvs, i%hvs)
		a = fmt.Appendf(a, "db%06d,service,,vm%06d,,,\n", i, i)
	}
	for i := range assets - 1 - 2*hvs - 2*vms {
		a = fmt.Appendf(a, "site%07d.example.org,site,C%06d,vm%06d db%06d,https://site%07d.example.org/,,\n",
			i, i%max(customers, 1), i%vms, i%vms, i)
	}
	return c, a
}

// BenchmarkCheck measures checking the largest host targeted, 200,000
// customers and 1,100,000 assets read from CSV, against an empty base.
func BenchmarkCheck(b *testing.B) {
	custCSV, assetCSV := genCSV(200_000, 1_100_000)
	cust, ps := Parse("customers.csv", custCSV)
	assets, ps2 := Parse("assets.csv", assetCSV)
	if len(ps)+len(ps2) > 0 {
		b.Fatal(append(ps, ps2...)[:1])
	}
	b.ReportAllocs()
	for b.Loop() {
		inv, ps := Check(nil, false, cust, assets)
		if len(ps) > 0 {
			b.Fatal(ps[:1])
		}
		if len(inv.Assets) != 1_100_000 {
			b.Fatalf("%d assets", len(inv.Assets))
		}
	}
}
