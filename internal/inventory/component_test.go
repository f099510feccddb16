package inventory

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const componentsYAML = `components:
  - name: Hébergement mutualisé
    name_en: Shared hosting
    group: Hébergement
    group_en: Hosting
    covers: {kind: vm, label: pool=shared}
    description: Sites PHP et bases MySQL
    description_en: PHP sites and MySQL databases
  - name: Courriel
    covers:
      label: role=mail
    assets:
      - web-01

      - web-02
`

// TestParseComponentsReadsEveryFieldWithItsLine proves each field of a
// component is read, and placed on its line, the selector's parts and
// each listed asset included.
func TestParseComponentsReadsEveryFieldWithItsLine(t *testing.T) {
	d := doc(t, "a.yaml", componentsYAML)
	if len(d.Components) != 2 {
		t.Fatalf("got %d components, want 2", len(d.Components))
	}
	want := Component{Name: "Hébergement mutualisé", NameEN: "Shared hosting", Group: "Hébergement", GroupEN: "Hosting",
		Description: "Sites PHP et bases MySQL", DescriptionEN: "PHP sites and MySQL databases",
		Covers: &Selector{Kind: "vm", Label: "pool=shared"}}
	if got := d.Components[0].Component; !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	e := d.Components[1]
	lines := map[string]int{"name": 9, "covers": 10, "covers.label": 11, "assets": 12}
	if e.Line != 9 || !reflect.DeepEqual(e.FieldLines, lines) || !slices.Equal(e.AssetLines, []int{13, 15}) {
		t.Errorf("line %d, fields %v, assets %v; want 9, %v, [13 15]", e.Line, e.FieldLines, e.AssetLines, lines)
	}
}

// TestComponentProblemsNameTheirLine proves what Check refuses in a
// component, each on the line of the field or item concerned.
func TestComponentProblemsNameTheirLine(t *testing.T) {
	const assets = "assets:\n  - {name: web-01, kind: vm}\n  - {name: web-02, kind: vm}\n"
	tests := []struct {
		name, components, want string
	}{
		{"name required", "  - description: x\n    assets: [web-01]\n", "a.yaml:5: name: required"},
		{"id of nothing", "  - name: '!!!'\n    assets: [web-01]\n", `a.yaml:5: name: "!!!" gives an empty id: use at least one ASCII letter or digit`},
		{"covers or assets", "  - name: Web\n    group: Hébergement\n", "a.yaml:5: covers: required unless assets are listed"},
		{"empty selector", "  - name: Web\n    covers: {}\n", "a.yaml:6: covers: want a kind, a label or both"},
		{"label without value", "  - name: Web\n    covers:\n      kind: vm\n      label: pool\n",
			`a.yaml:8: covers.label: want key=value, a label key of letters, digits and _ . / -, got "pool"`},
		{"label with a bad key", "  - name: Web\n    covers: {label: =shared}\n",
			`a.yaml:6: covers.label: want key=value, a label key of letters, digits and _ . / -, got "=shared"`},
		{"unknown asset", "  - name: Web\n    assets:\n      - web-01\n      - web-03\n", `a.yaml:8: assets: unknown asset "web-03"`},
		{"asset twice", "  - name: Web\n    assets: [web-01, web-01]\n", `a.yaml:6: assets: duplicate entry "web-01"`},
		{"empty asset name", "  - name: Web\n    assets: ['']\n", `a.yaml:6: assets: empty asset name`},
		{"control character", "  - name: \"Web\\tsites\"\n    assets: [web-01]\n", `a.yaml:5: name: must not contain control characters`},
		{"group of no id", "  - name: Web\n    group: '—'\n    assets: [web-01]\n",
			`a.yaml:6: group: "—" gives an empty id: use at least one ASCII letter or digit`},
		{"group with the component's own id", "  - name: DNS\n    group: Dns\n    assets: [web-01]\n",
			`a.yaml:6: group: "Dns" gives the id "dns" of the component itself: groups and components need distinct ids`},
		{"group with another component's id", "  - name: Résolveurs\n    group: DNS\n    assets: [web-01]\n  - name: dns\n    assets: [web-02]\n",
			`a.yaml:6: group: "DNS" gives the id "dns" of component "dns" (at a.yaml:8): groups and components need distinct ids`},
		{"component with an earlier group's id", "  - name: Résolveurs\n    group: Noms\n    assets: [web-01]\n  - name: Annuaire\n    group: Noms\n    assets: [web-01]\n  - name: NOMS\n    assets: [web-02]\n",
			`a.yaml:6: group: "Noms" gives the id "noms" of component "NOMS" (at a.yaml:11): groups and components need distinct ids` + "\n" +
				`a.yaml:9: group: "Noms" gives the id "noms" of component "NOMS" (at a.yaml:11): groups and components need distinct ids`},
		{"same id twice in a file", "  - name: Hébergement\n    assets: [web-01]\n  - name: HEBERGEMENT\n    assets: [web-02]\n",
			`a.yaml:7: duplicate component "hebergement" (also at a.yaml:5)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := Check(nil, true, doc(t, "a.yaml", assets+"components:\n"+tt.components))
			if got := ps.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestComponentFieldsNotReadAreNotAlsoRequired proves a field whose value
// has the wrong shape is reported once, by the parser, not again by Check
// as missing.
func TestComponentFieldsNotReadAreNotAlsoRequired(t *testing.T) {
	d, ps := Parse("a.yaml", []byte("components:\n  - name: [a]\n    assets: {web-01: x}\n"))
	if len(ps) != 2 {
		t.Fatalf("parse problems %v, want 2", ps)
	}
	if _, more := Check(nil, true, d); len(more) > 0 {
		t.Errorf("Check added %v", more)
	}
}

// TestCheckMergesComponentsByIDInTheDocumentsOrder proves a later file
// replaces an earlier file's component of the same id, that the desired
// list follows the documents' order, and that base components no document
// names keep their place after the one they followed.
func TestCheckMergesComponentsByIDInTheDocumentsOrder(t *testing.T) {
	named := func(names ...string) []Component {
		var cs []Component
		for _, n := range names {
			cs = append(cs, Component{Name: n, Assets: []string{"web-01"}})
		}
		return cs
	}
	yamlOf := func(names ...string) string {
		var b strings.Builder
		b.WriteString("components:\n")
		for _, n := range names {
			b.WriteString("  - {name: " + n + ", assets: [web-01]}\n")
		}
		return b.String()
	}
	base := &Inventory{Assets: []Asset{{Name: "web-01", Kind: "vm"}}, Components: named("A", "B", "C")}
	tests := []struct {
		name  string
		prune bool
		files []string
		want  []string
	}{
		{"a new one goes last", false, []string{yamlOf("X")}, []string{"A", "B", "C", "X"}},
		{"a replaced one keeps its place", false, []string{yamlOf("B")}, []string{"A", "B", "C"}},
		{"the documents' order wins", false, []string{yamlOf("C", "B", "A")}, []string{"C", "B", "A"}},
		{"the others follow their predecessor", false, []string{yamlOf("C", "X")}, []string{"A", "B", "C", "X"}},
		{"prune keeps the documents' only", true, []string{yamlOf("X", "B")}, []string{"X", "B"}},
		{"several files", true, []string{yamlOf("X", "B"), yamlOf("Y", "X")}, []string{"X", "B", "Y"}},
		{"no components declared", false, []string{"customers: []\n"}, []string{"A", "B", "C"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := []*Document{doc(t, "assets.yaml", "assets:\n  - {name: web-01, kind: vm}\n")}
			for _, f := range tt.files {
				docs = append(docs, doc(t, "c.yaml", f))
			}
			inv, ps := Check(base, tt.prune, docs...)
			if len(ps) > 0 {
				t.Fatal(ps)
			}
			var got []string
			for _, c := range inv.Components {
				got = append(got, c.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// The later file's content wins.
	later := doc(t, "b.yaml", "components:\n  - {name: A, group: Later, assets: [web-01]}\n")
	inv, ps := Check(base, false, doc(t, "a.yaml", "components:\n  - {name: a, group: Earlier, assets: [web-01]}\n"), later)
	if len(ps) > 0 || inv.Components[0].Group != "Later" || inv.Components[0].Name != "A" {
		t.Errorf("got %+v, %v; want A of group Later first", inv.Components, ps)
	}
}

// TestCheckRefusesGroupsWithTheIDOfABaseComponent proves a group and a
// component may not share an id when one of them comes from the base: the
// problem is placed on the line of the one a document declares.
func TestCheckRefusesGroupsWithTheIDOfABaseComponent(t *testing.T) {
	base := &Inventory{Assets: []Asset{{Name: "web-01", Kind: "vm"}},
		Components: []Component{{Name: "DNS", Assets: []string{"web-01"}}, {Name: "Web", Group: "Hébergement", Assets: []string{"web-01"}}}}
	tests := []struct {
		name, components, want string
	}{
		{"a group with a base component's id", "  - name: Résolveurs\n    group: DNS\n    assets: [web-01]\n",
			`a.yaml:5: group: "DNS" gives the id "dns" of component "DNS": groups and components need distinct ids`},
		{"a component with a base group's id", "  - name: Hébergement\n    assets: [web-01]\n",
			`a.yaml:4: name: id "hebergement" is the id of group "Hébergement" of component "Web": groups and components need distinct ids`},
		{"a base clash the documents resolve", "  - name: Hébergement\n    assets: [web-01]\n  - name: Web\n    group: Sites\n    assets: [web-01]\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := Check(base, false, doc(t, "a.yaml", "assets:\n  - {name: web-01, kind: vm}\ncomponents:\n"+tt.components))
			got := ""
			if len(ps) > 0 {
				got = ps.Error()
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestPlanCountsComponents proves the plan's summary counts components
// added, changed (in content or moved among the others) and removed, and
// that a component only shifted by another's coming or going is written
// at its new place without counting as changed.
func TestPlanCountsComponents(t *testing.T) {
	c := func(name string, group ...string) Component {
		x := Component{Name: name, Assets: []string{"web-01"}}
		if len(group) > 0 {
			x.Group = group[0]
		}
		return x
	}
	tests := []struct {
		name             string
		current, desired []Component
		want             KindChange
		puts             int
	}{
		{"one added first", []Component{c("A"), c("B")}, []Component{c("X"), c("A"), c("B")}, KindChange{"component", 1, 0, 0}, 3},
		{"the first removed", []Component{c("A"), c("B"), c("C")}, []Component{c("B"), c("C")}, KindChange{"component", 0, 0, 1}, 2},
		{"one moved", []Component{c("A"), c("B"), c("C")}, []Component{c("B"), c("C"), c("A")}, KindChange{"component", 0, 1, 0}, 3},
		{"one changed", []Component{c("A"), c("B")}, []Component{c("A"), c("B", "G")}, KindChange{"component", 0, 1, 0}, 1},
		{"all", []Component{c("A"), c("B"), c("C")}, []Component{c("C", "G"), c("D"), c("A")}, KindChange{"component", 1, 1, 1}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Diff(&Inventory{Components: tt.current}, &Inventory{Components: tt.desired})
			if got := p.Summary(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("summary %+v, want [%+v]", got, tt.want)
			}
			if len(p.PutComponents) != tt.puts {
				t.Errorf("%d puts, want %d", len(p.PutComponents), tt.puts)
			}
			for _, put := range p.PutComponents {
				if i := slices.IndexFunc(tt.desired, func(x Component) bool { return x.ID() == put.ID() }); i != put.Position {
					t.Errorf("%s put at %d, want %d", put.Name, put.Position, i)
				}
			}
		})
	}
	same := []Component{c("A"), c("B")}
	if p := Diff(&Inventory{Components: same}, &Inventory{Components: slices.Clone(same)}); !p.Empty() {
		t.Errorf("the same components make a plan: %s", p)
	}
}

// TestComponentsRoundTripThroughYAML proves written components read back
// the same, in the same order, with texts that need quoting.
func TestComponentsRoundTripThroughYAML(t *testing.T) {
	inv := &Inventory{
		Assets: []Asset{{Name: "web-01", Kind: "vm"}, {Name: "web-02", Kind: "vm"}},
		Components: []Component{
			{Name: "Zèbre: « rayé »", NameEN: "yes", Group: "#1", GroupEN: "- dash",
				Description: "Deux lignes\net \"guillemets\"", DescriptionEN: "a, b: c",
				Covers: &Selector{Kind: "vm", Label: "pool=shared, really"}},
			{Name: "Alpha", Assets: []string{"web-02", "web-01"}},
			{Name: "Both", Covers: &Selector{Label: "role=mail"}, Assets: []string{"web-01"}},
			{Name: "Kind only", Covers: &Selector{Kind: "vm"}},
		},
	}
	var buf bytes.Buffer
	if err := WriteYAML(&buf, inv); err != nil {
		t.Fatal(err)
	}
	got, ps := Check(nil, true, doc(t, "export.yaml", buf.String()))
	if len(ps) > 0 {
		t.Fatalf("%v\n%s", ps, buf.String())
	}
	if !reflect.DeepEqual(got.Components, inv.Components) {
		t.Errorf("got  %+v\nwant %+v\n%s", got.Components, inv.Components, buf.String())
	}
	var checks bytes.Buffer
	if err := WriteChecksYAML(&checks, inv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(checks.String(), "components:\n  - name: ") {
		t.Errorf("the checks file lacks the components:\n%s", checks.String())
	}
}
