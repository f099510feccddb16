package inventory

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// onlyProblem parses data as YAML and returns its single problem, failing
// when there is not exactly one.
func onlyProblem(t *testing.T, data string) Problem {
	t.Helper()
	doc, ps := Parse("a.yaml", []byte(data))
	if len(ps) != 1 {
		t.Fatalf("got problems %v, want one", ps)
	}
	if len(doc.Customers) > 0 || len(doc.Assets) > 0 {
		t.Errorf("a refused file read into %d customers and %d assets", len(doc.Customers), len(doc.Assets))
	}
	return ps[0]
}

// TestParseYAMLPlacesSyntaxErrors proves a syntax error is placed on the
// line that breaks the file, not on that of the collection around it.
func TestParseYAMLPlacesSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"indent", "assets:\n  - name: web-01\n    kind: site\n   owner: C1\n",
			"a.yaml:4: invalid YAML: did not find expected '-' indicator"},
		{"list after mapping", "customers:\nassets: []\n- x\n",
			"a.yaml:3: invalid YAML: did not find expected key"},
		{"indent after blank lines", "assets:\n  - name: a\n    kind: vm\n\n# why\n\n owner: C1\n\n\n",
			"a.yaml:7: invalid YAML: did not find expected key"},
		{"flow list", "assets:\n  - name: a\n    kind: vm\n    depends_on: [b,\n      c d: e: f]\n",
			"a.yaml:5: invalid YAML: did not find expected ',' or ']'"},
		{"second document", "---\nassets: []\n---\nassets: []\n- name: a\n",
			"a.yaml:5: invalid YAML: did not find expected key"},
		{"unclosed quote", "assets:\n  - name: \"a\n    kind: vm\n",
			"a.yaml:2: invalid YAML: found unexpected end of stream"},
		{"mapping in a value", "assets:\n  - name: a: b\n",
			"a.yaml:2: invalid YAML: mapping values are not allowed in this context"},
		{"tab", "assets:\n\t- name: a\n", "a.yaml:2: invalid YAML: found character that cannot start any token"},
		{"first line", "assets: @a\n", "a.yaml:1: invalid YAML: found character that cannot start any token"},
		{"invalid UTF-8", "assets:\n  - name: a\n    kind: \xff\n", "a.yaml:3: invalid YAML: invalid leading UTF-8 octet"},
		{"directive", "# inventory\n%YAML 1.2\n---\nassets: []\n", "a.yaml:2: invalid YAML: found incompatible YAML document"},
		{"unknown alias", "assets:\n  - name: &a a\n    kind: *k\n\n\n  - name: b\n",
			`a.yaml:3: unknown alias "k"`},
		{"alias before its anchor", "assets:\n  - name: a\n    kind: *kind-1\n  - name: b\n    kind: &kind-1 vm\n",
			`a.yaml:3: unknown alias "kind-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := onlyProblem(t, tt.data).String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestParseYAMLRefusesCostlyShapes proves a few hundred kilobytes shaped to
// cost the parser much are refused quickly, on a line, at little cost.
func TestParseYAMLRefusesCostlyShapes(t *testing.T) {
	const size = 300 << 10
	var keys strings.Builder
	keys.WriteString("assets:\n- name: a\n  kind: vm\n  labels:\n")
	for i := 0; keys.Len() < size; i++ {
		keys.WriteString("    k" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + ": v\n")
	}
	tests := []struct {
		name, data, want string
	}{
		{"flow lists", strings.Repeat("[", size), "a.yaml:1: invalid YAML: exceeded max depth of 10000"},
		{"flow mappings", "assets: " + strings.Repeat("{", size), "a.yaml:1: invalid YAML: exceeded max depth of 10000"},
		{"block lists", "assets:\n  " + strings.Repeat("- ", size/2), "a.yaml:2: invalid YAML: exceeded max depth of 10000"},
		{"documents", strings.Repeat("---\n", size/4), "a.yaml:101: invalid YAML: more than 100 documents"},
		{"keys", keys.String(), "a.yaml:1005: invalid YAML: a mapping with more than 1000 keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			p := onlyProblem(t, tt.data)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if got := p.String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			// Generous bounds: the point is to catch a cost that grows
			// faster than the file, which would take minutes and gigabytes.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 100*size {
				t.Errorf("allocated %d MB for %d KB", alloc>>20, size>>10)
			}
			if elapsed > 5*time.Second {
				t.Errorf("took %v", elapsed)
			}
		})
	}
}

// TestParseYAMLReadsValuesAsWritten proves scalars of any YAML type read as
// their text, null reads as absent, and only aliases of single values are
// followed.
func TestParseYAMLReadsValuesAsWritten(t *testing.T) {
	const data = `customers:
  - id: 0123
    name: !!str yes
    email: 1.5e3@example.org
    language: ~
    timezone:
assets:
  - name: true
    kind: &k !custom vm
    owner: null
    depends_on: [*k, 0x1F]
    labels: {cores: 32, on: off, none: ~}
`
	doc, ps := Parse("a.yaml", []byte(data))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	c := doc.Customers[0].Customer
	if c.ID != "0123" || c.Name != "yes" || c.Email != "1.5e3@example.org" || c.Language != DefaultLanguage || c.Timezone != DefaultTimezone {
		t.Errorf("customer = %+v", c)
	}
	a := doc.Assets[0].Asset
	if a.Name != "true" || a.Kind != "vm" || a.Owner != "" || strings.Join(a.DependsOn, ",") != "vm,0x1F" {
		t.Errorf("asset = %+v", a)
	}
	if len(a.Labels) != 3 || a.Labels["cores"] != "32" || a.Labels["on"] != "off" || a.Labels["none"] != "" {
		t.Errorf("labels = %v", a.Labels)
	}
	if got := doc.Assets[0].Lines.Of(FieldOwner); got != 10 {
		t.Errorf("owner: null is at line %d, want 10", got)
	}
}
