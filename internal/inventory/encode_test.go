package inventory

import (
	"bufio"
	"bytes"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// update (-update) is declared in parse_test.go.

// trickyInventory holds values that must be quoted, or must not be, in YAML.
func trickyInventory() *Inventory {
	return &Inventory{
		Customers: []Customer{
			{ID: "C000001", Name: "Crèche Les Écureuils", Email: "contact@c000001.example", Language: "fr", Timezone: "Europe/Paris"},
			{ID: "123", Name: "yes", Email: "", Language: "en", Timezone: "America/Montreal"},
			{ID: "C3", Name: `L'Atelier "du" coin`, Language: "fr"},
			{ID: "C4", Name: "  padded  "},
			{ID: "C5", Name: "a: b # not a comment", Email: "x@y.example"},
		},
		Assets: []Asset{
			{Name: "dc1", Kind: "datacenter"},
			{Name: "net-dc1", Kind: "network", DependsOn: []string{"dc1"}},
			{Name: "hv01", Kind: "hypervisor", DependsOn: []string{"dc1", "net-dc1"}, Address: "127.1.0.1:22",
				Labels: map[string]string{"power": "performance", "cpu": "x86_64", "null": "~"}},
			{Name: "#x", Kind: "vm", DependsOn: []string{"hv01"}, Address: "127.2.0.1:22"},
			{Name: "true", Kind: "service", DependsOn: []string{"#x", "a,b", "c:d"}},
			{Name: "a,b", Kind: "vm"},
			{Name: "c:d", Kind: "vm"},
			{Name: "s0000001", Kind: "site", Owner: "C000001", DependsOn: []string{"#x", "true"},
				URL: "https://www.s0000001.example/", Labels: map[string]string{"plan": "shared", "note": "tab\there\nline"}},
			{Name: "日本語", Kind: "site", Owner: "123", URL: "https://例え.example/path?q=1#frag",
				Labels: map[string]string{"empty": "", "1.5": "-1", "ctl": "\x01\u2028"}},
		},
	}
}

// trickyCSVInventory is trickyInventory without the label values holding
// spaces, which CSV cannot hold.
func trickyCSVInventory() *Inventory {
	inv := trickyInventory()
	delete(inv.Assets[7].Labels, "note")
	inv.Assets[8].Labels["ctl"] = "\x01"
	return inv
}

func TestWriteYAMLMatchesGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteYAML(&buf, trickyInventory()); err != nil {
		t.Fatal(err)
	}
	golden(t, "tricky.yaml", buf.Bytes())
}

func TestWriteCSVMatchesGolden(t *testing.T) {
	inv := trickyCSVInventory()
	var cs, as bytes.Buffer
	if err := WriteCSV(&cs, &as, inv); err != nil {
		t.Fatal(err)
	}
	golden(t, "tricky_customers.csv", cs.Bytes())
	golden(t, "tricky_assets.csv", as.Bytes())
}

func TestWriteYAMLEmptyInventory(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteYAML(&buf, &Inventory{}); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "customers: []\nassets: []\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestYAMLScalarQuoting(t *testing.T) {
	tests := []struct {
		in         string
		block, flo string
	}{
		{"plain", "plain", "plain"},
		{"Europe/Paris", "Europe/Paris", "Europe/Paris"},
		{"contact@c1.example", "contact@c1.example", "contact@c1.example"},
		{"https://www.s1.example/", "https://www.s1.example/", `"https://www.s1.example/"`},
		{"a:b", "a:b", `"a:b"`},
		{"a: b", `"a: b"`, `"a: b"`},
		{"a:", `"a:"`, `"a:"`},
		{"a,b", `"a,b"`, `"a,b"`},
		{"a#b", `"a#b"`, `"a#b"`},
		{"#x", `"#x"`, `"#x"`},
		{"", `""`, `""`},
		{" x", `" x"`, `" x"`},
		{"x ", `"x "`, `"x "`},
		{"two words", "two words", "two words"},
		{"yes", `"yes"`, `"yes"`},
		{"No", `"No"`, `"No"`},
		{"OFF", `"OFF"`, `"OFF"`},
		{"y", `"y"`, `"y"`},
		{"Null", `"Null"`, `"Null"`},
		{"nullable", "nullable", "nullable"},
		{"~", `"~"`, `"~"`},
		{"123", `"123"`, `"123"`},
		{"0x1F", `"0x1F"`, `"0x1F"`},
		{"1e3", `"1e3"`, `"1e3"`},
		{".inf", `".inf"`, `".inf"`},
		{"-1", `"-1"`, `"-1"`},
		{"- a", `"- a"`, `"- a"`},
		{"---", `"---"`, `"---"`},
		{"2024-01-01", `"2024-01-01"`, `"2024-01-01"`},
		{"127.0.0.1:22", `"127.0.0.1:22"`, `"127.0.0.1:22"`},
		{"*ref", `"*ref"`, `"*ref"`},
		{"&anchor", `"&anchor"`, `"&anchor"`},
		{"!tag", `"!tag"`, `"!tag"`},
		{"|", `"|"`, `"|"`},
		{"a|b", `"a|b"`, `"a|b"`},
		{"[x]", `"[x]"`, `"[x]"`},
		{"{x}", `"{x}"`, `"{x}"`},
		{"L'Atelier", "L'Atelier", "L'Atelier"},
		{"'quoted'", `"'quoted'"`, `"'quoted'"`},
		{`say "hi"`, `"say \"hi\""`, `"say \"hi\""`},
		{`back\slash`, `"back\\slash"`, `"back\\slash"`},
		{"a\nb", `"a\nb"`, `"a\nb"`},
		{"a\tb", `"a\tb"`, `"a\tb"`},
		{"a\rb", `"a\rb"`, `"a\rb"`},
		{"a\x00b\x7f", `"a\x00b\x7F"`, `"a\x00b\x7F"`},
		{"Écureuil", "Écureuil", "Écureuil"},
		{"日本語", "日本語", "日本語"},
		{"a😀", "a😀", "a😀"},
		{"😀", `"😀"`, `"😀"`},
		{"a\u00a0b", "\"a\u00a0b\"", "\"a\u00a0b\""},
		{"a\u2028b", `"a\u2028b"`, `"a\u2028b"`},
		{"\ufeffa", `"\uFEFFa"`, `"\uFEFFa"`},
		{"a\U000E0001", `"a\U000E0001"`, `"a\U000E0001"`},
	}
	for _, tt := range tests {
		for _, flow := range []bool{false, true} {
			want := tt.block
			if flow {
				want = tt.flo
			}
			var buf bytes.Buffer
			y := yamlWriter{w: bufio.NewWriter(&buf)}
			y.scalar(tt.in, flow, "asset", "x")
			if err := y.w.Flush(); err != nil || y.err != nil {
				t.Fatalf("scalar(%q): %v %v", tt.in, err, y.err)
			}
			if got := buf.String(); got != want {
				t.Errorf("scalar(%q, flow=%v) = %s, want %s", tt.in, flow, got, want)
			}
		}
	}
}

func TestWriteRejectsUnencodableValues(t *testing.T) {
	tests := []struct {
		name  string
		asset Asset
		yaml  bool // whether YAML rejects it too
	}{
		{"invalid UTF-8", Asset{Name: "a\xffb", Kind: "vm"}, true},
		{"space in depends_on", Asset{Name: "a", Kind: "vm", DependsOn: []string{"b c"}}, false},
		{"space in one of depends_on", Asset{Name: "a", Kind: "vm", DependsOn: []string{"b", "c d"}}, false},
		{"empty depends_on name", Asset{Name: "a", Kind: "vm", DependsOn: []string{""}}, false},
		{"space in label value", Asset{Name: "a", Kind: "vm", Labels: map[string]string{"k": "v w"}}, false},
		{"equals in label key", Asset{Name: "a", Kind: "vm", Labels: map[string]string{"k=x": "v"}}, false},
		{"empty label key", Asset{Name: "a", Kind: "vm", Labels: map[string]string{"": "v"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &Inventory{Assets: []Asset{tt.asset}}
			err := WriteYAML(&bytes.Buffer{}, inv)
			if tt.yaml != (err != nil) {
				t.Errorf("WriteYAML error = %v, want error: %v", err, tt.yaml)
			}
			if err != nil && !errors.Is(err, ErrNotEncodable) {
				t.Errorf("WriteYAML error %v is not ErrNotEncodable", err)
			}
			err = WriteCSV(&bytes.Buffer{}, &bytes.Buffer{}, inv)
			if !tt.yaml && !errors.Is(err, ErrNotEncodable) {
				t.Errorf("WriteCSV error = %v, want ErrNotEncodable", err)
			}
		})
	}
}

type failWriter struct{}

var errWrite = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteReportsWriterErrors(t *testing.T) {
	inv := trickyInventory()
	if err := WriteYAML(failWriter{}, inv); !errors.Is(err, errWrite) {
		t.Errorf("WriteYAML error = %v, want %v", err, errWrite)
	}
	inv = trickyCSVInventory()
	if err := WriteCSV(failWriter{}, &bytes.Buffer{}, inv); !errors.Is(err, errWrite) {
		t.Errorf("WriteCSV customers error = %v, want %v", err, errWrite)
	}
	if err := WriteCSV(&bytes.Buffer{}, failWriter{}, inv); !errors.Is(err, errWrite) {
		t.Errorf("WriteCSV assets error = %v, want %v", err, errWrite)
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	// Labels live in maps, whose order changes from one range to the next.
	inv := trickyInventory()
	var first bytes.Buffer
	if err := WriteYAML(&first, inv); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		var again bytes.Buffer
		if err := WriteYAML(&again, inv); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), again.Bytes()) {
			t.Fatal("two writes of the same inventory differ")
		}
	}
}

// golden compares got with testdata/encode/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "encode", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// validTrickyInventory passes validation yet holds values a careless YAML
// writer would turn into numbers, booleans, nulls or comments.
func validTrickyInventory() *Inventory {
	return &Inventory{
		Customers: []Customer{
			{ID: "123", Name: "yes", Email: "contact@c1.example", Language: "fr", Timezone: "Europe/Paris"},
			{ID: "0x1F", Name: `L'Atelier "du" coin: #1`, Email: "x@y.example", Language: "en", Timezone: "America/Montreal"},
			{ID: "C3", Name: "Crèche Les Écureuils 日本", Email: "c3@example.org", Language: "fr", Timezone: "America/Toronto"},
			{ID: "null", Name: "- dash", Email: "n@example.org", Language: "fr", Timezone: "Europe/Paris"},
		},
		Assets: []Asset{
			{Name: "dc1", Kind: "datacenter"},
			{Name: "1e3", Kind: "network", DependsOn: []string{"dc1"}},
			{Name: "no", Kind: "hypervisor", DependsOn: []string{"dc1", "1e3"}, Address: "127.1.0.1:22",
				Labels: map[string]string{"null": "~", "power": "performance", "n": "-1", "x.y": "a:b#c,[]"}},
			{Name: "c:d", Kind: "vm", Owner: "0x1F", DependsOn: []string{"no"}, Address: "127.2.0.1:22"},
			{Name: "true", Kind: "service", DependsOn: []string{"c:d"}, Address: "[::1]:3306"},
			{Name: "s0000001", Kind: "site", Owner: "123", DependsOn: []string{"true", "c:d"},
				URL: "https://www.s0000001.example/", Labels: map[string]string{"plan": "shared"}},
			{Name: "@2024-01-01", Kind: "site", Owner: "C3", DependsOn: []string{"c:d"},
				URL: "https://例え.example/path?q=1#frag", Labels: map[string]string{"quote": `"'`, "empty": ""}},
		},
	}
}

func TestWrittenFilesParseBackUnchanged(t *testing.T) {
	want := validTrickyInventory()
	var y, cs, as bytes.Buffer
	if err := WriteYAML(&y, want); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&cs, &as, want); err != nil {
		t.Fatal(err)
	}
	yamlDoc := parseOK(t, "inventory.yaml", y.Bytes())
	custDoc := parseOK(t, "customers.csv", cs.Bytes())
	assetDoc := parseOK(t, "assets.csv", as.Bytes())
	tests := []struct {
		name string
		got  *Inventory
	}{
		{"yaml", documentInventory(yamlDoc)},
		{"csv", documentInventory(custDoc, assetDoc)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.got.Customers) != len(want.Customers) || len(tt.got.Assets) != len(want.Assets) {
				t.Fatalf("got %d customers and %d assets, want %d and %d",
					len(tt.got.Customers), len(tt.got.Assets), len(want.Customers), len(want.Assets))
			}
			for i, c := range want.Customers {
				if tt.got.Customers[i] != c {
					t.Errorf("customer %d = %+v, want %+v", i, tt.got.Customers[i], c)
				}
			}
			for i := range want.Assets {
				if g, w := &tt.got.Assets[i], &want.Assets[i]; !sameAssetExactly(g, w) {
					t.Errorf("asset %d = %+v, want %+v", i, *g, *w)
				}
			}
		})
	}
	if _, ps := Check(nil, true, yamlDoc); ps != nil {
		t.Errorf("Check of the parsed YAML: %v", ps)
	}
	if _, ps := Check(nil, true, custDoc, assetDoc); ps != nil {
		t.Errorf("Check of the parsed CSV: %v", ps)
	}
}

func parseOK(t *testing.T, file string, data []byte) *Document {
	t.Helper()
	doc, ps := Parse(file, data)
	if ps != nil {
		t.Fatalf("Parse(%s): %v\n%s", file, ps, data)
	}
	return doc
}

// documentInventory returns the customers and assets of docs, in order.
func documentInventory(docs ...*Document) *Inventory {
	inv := &Inventory{}
	for _, d := range docs {
		for _, e := range d.Customers {
			inv.Customers = append(inv.Customers, e.Customer)
		}
		for _, e := range d.Assets {
			inv.Assets = append(inv.Assets, e.Asset)
		}
	}
	return inv
}

// sameAssetExactly is like sameAsset, but keeps depends_on order and takes
// a nil list or map for an empty one.
func sameAssetExactly(a, b *Asset) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.Owner == b.Owner && a.URL == b.URL &&
		a.Address == b.Address && slices.Equal(a.DependsOn, b.DependsOn) && maps.Equal(a.Labels, b.Labels)
}
