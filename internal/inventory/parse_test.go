package inventory

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// update rewrites the expected files under testdata instead of comparing
// with them; it serves every test of the package.
var update = flag.Bool("update", false, "rewrite the expected and golden files under testdata")

// problemsOf parses one file and, when it reads cleanly, checks it alone, so
// that a bad file shows every kind of problem in one place.
func problemsOf(t *testing.T, path string) Problems {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, ps := Parse(filepath.Base(path), data)
	if doc == nil {
		t.Fatalf("Parse(%s) returned a nil document", path)
	}
	if len(ps) == 0 {
		_, ps = Check(nil, true, doc)
	}
	return ps
}

// TestParseBadFiles proves each file under testdata/bad gives exactly the
// problems listed in its .errors file.
func TestParseBadFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.[yc]*")
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, f := range files {
		if ext := filepath.Ext(f); ext == ".yaml" || ext == ".csv" {
			inputs = append(inputs, f)
		}
	}
	if len(inputs) == 0 {
		t.Fatal("no bad files found")
	}
	for _, path := range inputs {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ps := problemsOf(t, path)
			if len(ps) == 0 {
				t.Fatalf("%s: no problems reported", path)
			}
			got := ps.Error() + "\n"
			want := path + ".errors"
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			wantText, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(wantText) {
				t.Errorf("problems of %s:\n--- got\n%s--- want\n%s", path, got, wantText)
			}
			for _, p := range ps {
				if p.File != filepath.Base(path) || p.Line < 1 {
					t.Errorf("problem not placed in the file: %#v", p)
				}
			}
		})
	}
}

// parseFiles parses files under testdata, failing on any problem.
func parseFiles(t *testing.T, paths ...string) []*Document {
	t.Helper()
	var docs []*Document
	for _, path := range paths {
		data, err := os.ReadFile(filepath.Join("testdata", path))
		if err != nil {
			t.Fatal(err)
		}
		doc, ps := Parse(path, data)
		if len(ps) > 0 {
			t.Fatalf("Parse(%s):\n%v", path, ps)
		}
		docs = append(docs, doc)
	}
	return docs
}

// TestParseGoodFiles proves valid YAML and CSV files read into the expected
// inventory, with defaults applied, spaces trimmed, numbers kept as written
// and dependencies sorted.
func TestParseGoodFiles(t *testing.T) {
	docs := parseFiles(t, "good/inventory.yaml", "good/customers.csv", "good/assets.csv")
	got, ps := Check(nil, false, docs...)
	if len(ps) > 0 {
		t.Fatalf("Check:\n%v", ps)
	}
	want := &Inventory{
		Customers: []Customer{
			{ID: "123", Name: "Association des Amis du Vélo", Email: "contact@amis-velo.example", Language: "fr", Timezone: "Europe/Paris"},
			{ID: "4", Name: "Quatre", Email: "quatre@example.org", Language: "en", Timezone: "UTC"},
			{ID: "C2", Name: "Montréal Café", Email: "cafe@example.org", Language: "en", Timezone: "America/Montreal"},
			{ID: "C3", Name: `Gîte "Le Refuge"`, Email: "gite@example.org", Language: "fr", Timezone: "Europe/Paris"},
		},
		Assets: []Asset{
			{Name: "backup-01", Kind: "backup"},
			{Name: "db-01", Kind: "service", DependsOn: []string{"vm-01"}, Address: "[2001:db8::1]:5432"},
			{Name: "dc1", Kind: "datacenter"},
			{Name: "hv01", Kind: "hypervisor", DependsOn: []string{"dc1"}, Address: "10.0.0.1:22",
				Labels: map[string]string{"power": "performance", "cores": "32"}},
			{Name: "shop.example", Kind: "site", Owner: "C3", DependsOn: []string{"db-01", "vm-01"},
				URL: "http://shop.example/", Labels: map[string]string{"tier": "gold", "env": "prod"}},
			{Name: "vm-01", Kind: "vm", DependsOn: []string{"hv01"}},
			{Name: "www.amis-velo.example", Kind: "site", Owner: "123", DependsOn: []string{"db-01", "vm-01"},
				URL: "https://www.amis-velo.example/"},
		},
		Components: []Component{
			{Name: "Hébergement mutualisé", NameEN: "Shared hosting", Group: "Hébergement", GroupEN: "Hosting",
				Description: "Sites PHP et bases MySQL", DescriptionEN: "PHP sites and MySQL databases",
				Covers: &Selector{Kind: "site", Label: "tier=gold"}},
			{Name: "Bases de données", Assets: []string{"db-01"}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	// The document keeps the order written, so that lines still match.
	www := docs[0].Assets[3]
	if !slices.Equal(www.DependsOn, []string{"vm-01", "db-01"}) || !slices.Equal(www.DependsOnLines, []int32{28, 28}) {
		t.Errorf("www depends_on = %v at lines %v, want [vm-01 db-01] at [28 28]", www.DependsOn, www.DependsOnLines)
	}
}

// TestParseRecordsLines proves each field's line is recorded, in YAML and
// in CSV, including a quoted CSV cell spanning lines.
func TestParseRecordsLines(t *testing.T) {
	tests := []struct {
		name, file, data string
		field            Field
		want             int
		wantDeps         []int32
	}{
		{"yaml entry", "a.yaml", "assets:\n  - name: a\n    kind: vm\n", FieldEntry, 2, nil},
		{"yaml kind", "a.yaml", "assets:\n  - name: a\n    kind: vm\n", FieldKind, 3, nil},
		{"yaml absent field is the entry", "a.yaml", "assets:\n\n  - name: a\n    kind: vm\n", FieldOwner, 3, nil},
		{"yaml depends_on items", "a.yaml", "assets:\n- name: a\n  kind: vm\n  depends_on:\n  - b\n\n  - c\n", FieldDependsOn, 4, []int32{5, 7}},
		{"csv field", "a.csv", "name,kind,owner,depends_on,url,address\na,vm,,b c,,\n", FieldDependsOn, 2, nil},
		{"csv after multi-line cell", "a.csv", "name,kind,owner,depends_on,url,address\na,vm,,\"b\nc\",,h:1\n", FieldAddress, 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, _ := Parse(tt.file, []byte(tt.data))
			if len(doc.Assets) != 1 {
				t.Fatalf("got %d assets, want 1", len(doc.Assets))
			}
			e := doc.Assets[0]
			if got := e.Lines.Of(tt.field); got != tt.want {
				t.Errorf("line of %s = %d, want %d", tt.field, got, tt.want)
			}
			if !slices.Equal(e.DependsOnLines, tt.wantDeps) {
				t.Errorf("DependsOnLines = %v, want %v", e.DependsOnLines, tt.wantDeps)
			}
		})
	}
}

// TestParseAcceptsEmptyFiles proves an empty file, comments alone or a
// bare "customers:" are valid and empty.
func TestParseAcceptsEmptyFiles(t *testing.T) {
	for _, data := range []string{"", "\n", "# nothing yet\n", "customers:\n", "customers:\nassets: []\n", "---\n", "{}",
		"id,name,email,language,timezone\n", "name,kind,owner,depends_on,url,address,labels\n"} {
		doc, ps := Parse("empty", []byte(data))
		if len(ps) > 0 || len(doc.Customers) > 0 || len(doc.Assets) > 0 {
			t.Errorf("Parse(%q) = %+v, %v; want an empty document", data, doc, ps)
		}
	}
}

// genYAML writes n assets in YAML, in the layout of genCSV.
func genYAML(n int) []byte {
	b := []byte("customers:\n  - id: C000000\n    name: Customer 0\n    email: c0@example.org\nassets:\n  - name: dc1\n    kind: datacenter\n")
	vms := max(n/20, 1)
	for i := range vms {
		b = fmt.Appendf(b, "  - name: vm%06d\n    kind: vm\n    depends_on: [dc1]\n    address: 10.%d.%d.%d:22\n    labels:\n      power: performance\n",
			i, i>>16&255, i>>8&255, i&255)
	}
	for i := range n - 1 - vms {
		b = fmt.Appendf(b, "  - name: site%07d.example.org\n    kind: site\n    owner: C000000\n    depends_on:\n      - vm%06d\n    url: https://site%07d.example.org/\n",
			i, i%vms, i)
	}
	return b
}

// BenchmarkParseYAML measures reading 100,000 assets from YAML.
func BenchmarkParseYAML(b *testing.B) {
	data := genYAML(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		doc, ps := Parse("assets.yaml", data)
		if len(ps) > 0 {
			b.Fatal(ps[:1])
		}
		if len(doc.Assets) != 100_000 {
			b.Fatalf("%d assets", len(doc.Assets))
		}
	}
	b.ReportMetric(float64(b.N*100_000)/b.Elapsed().Seconds(), "assets/s")
}

// BenchmarkParseCSV measures reading 1,100,000 assets from CSV.
func BenchmarkParseCSV(b *testing.B) {
	_, data := genCSV(0, 1_100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		doc, ps := Parse("assets.csv", data)
		if len(ps) > 0 {
			b.Fatal(ps[:1])
		}
		if len(doc.Assets) != 1_100_000 {
			b.Fatalf("%d assets", len(doc.Assets))
		}
	}
	b.ReportMetric(float64(b.N*1_100_000)/b.Elapsed().Seconds(), "assets/s")
}
