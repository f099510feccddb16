package inventory_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const componentsYAML = `components:
  - name: Hébergement mutualisé
    name_en: Shared hosting
    group: Hébergement
    group_en: Hosting
    covers: {kind: site, label: plan=shared}
    description: Sites PHP et bases MySQL
    description_en: PHP sites and MySQL databases
  - name: Machines
    covers: {kind: vm}
  - name: Plateforme
    covers: {kind: hypervisor}
    assets: [dc1, vm1]
`

// componentNames returns the names of the stored components, in order.
func componentNames(t *testing.T, s *inventory.Service) string {
	t.Helper()
	list, err := s.Components(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(list))
	for i, c := range list {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// TestComponentsAreImportedInOrderAndPruned proves imported components
// are stored in the order declared, that importing them again changes
// nothing, that a reordered file reorders them and bumps the version, and
// that only prune removes those the files no longer declare.
func TestComponentsAreImportedInOrderAndPruned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		host := parse(t, "host.yaml", hostYAML)
		plan := mustImport(t, s, inventory.ImportOptions{}, host, parse(t, "components.yaml", componentsYAML))
		if got := plan.String(); !strings.Contains(got, "component") || !strings.Contains(got, "      3 added") {
			t.Fatalf("plan: %s", got)
		}
		if got := componentNames(t, s); got != "Hébergement mutualisé, Machines, Plateforme" {
			t.Fatalf("components %q", got)
		}
		if again := mustImport(t, s, inventory.ImportOptions{}, host, parse(t, "components.yaml", componentsYAML)); !again.Empty() {
			t.Fatalf("re-import changed: %s", again)
		}
		before, err := s.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		reordered := "components:\n  - {name: Plateforme, covers: {kind: hypervisor}, assets: [dc1, vm1]}\n  - {name: Machines, covers: {kind: vm}}\n"
		plan = mustImport(t, s, inventory.ImportOptions{}, parse(t, "reordered.yaml", reordered))
		if sum := plan.Summary(); len(sum) != 1 || sum[0] != (inventory.KindChange{Kind: "component", Changed: 1}) {
			t.Fatalf("reorder: %+v", sum)
		}
		if got := componentNames(t, s); got != "Hébergement mutualisé, Plateforme, Machines" {
			t.Fatalf("after reordering without prune: %q", got)
		}
		if after, err := s.Version(ctx); err != nil || after != before+1 {
			t.Fatalf("version %d after %d (%v)", after, before, err)
		}
		plan = mustImport(t, s, inventory.ImportOptions{Prune: true}, host, parse(t, "reordered.yaml", reordered))
		if len(plan.RemoveComponents) != 1 || plan.RemoveComponents[0] != "hebergement-mutualise" {
			t.Fatalf("prune: %s", plan)
		}
		if got := componentNames(t, s); got != "Plateforme, Machines" {
			t.Fatalf("after prune: %q", got)
		}
	})
}

// TestComponentsRoundTripThroughExport proves an export imported into a
// new database gives the same components, and changes nothing when
// imported back where it came from.
func TestComponentsRoundTripThroughExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML), parse(t, "components.yaml", componentsYAML))
		exported, err := s.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := inventory.WriteYAML(&buf, exported); err != nil {
			t.Fatal(err)
		}
		if again := mustImport(t, s, inventory.ImportOptions{Prune: true}, parse(t, "export.yaml", buf.String())); !again.Empty() {
			t.Fatalf("importing the export changed: %s", again)
		}
		fresh := inventory.NewService(storetest.Open(t, db.Engine), nil)
		mustImport(t, fresh, inventory.ImportOptions{}, parse(t, "export.yaml", buf.String()))
		want, _ := s.Components(ctx)
		got, err := fresh.Components(ctx)
		if err != nil || !reflect.DeepEqual(got, want) || len(got) != 3 {
			t.Fatalf("components after the round trip:\n%+v\nwant\n%+v (%v)", got, want, err)
		}
	})
}

// TestSaveComponentCreatesReplacesAndDeletes proves the API's writes: a
// new component goes last, creating an id twice is a conflict, replacing
// keeps the place, a missing one is not found, unknown assets and a group
// of the component's own id are refused by field, and deleting moves the
// later ones up.
func TestSaveComponentCreatesReplacesAndDeletes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML))
		for _, name := range []string{"Web", "Mail", "DNS"} {
			if _, err := s.SaveComponent(ctx, inventory.Component{Name: name, Assets: []string{"vm1"}}, inventory.Create); err != nil {
				t.Fatal(err)
			}
		}
		_, err := s.SaveComponent(ctx, inventory.Component{Name: " MAIL ", Assets: []string{"vm1"}}, inventory.Create)
		var conflict *store.ConflictError
		if !errors.As(err, &conflict) || conflict.Message != `component "mail" already exists` {
			t.Fatalf("second create: %v", err)
		}
		_, err = s.SaveComponent(ctx, inventory.Component{Name: "Backups", Assets: []string{"vm1"}}, inventory.Update)
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of a missing component: %v", err)
		}
		_, err = s.SaveComponent(ctx, inventory.Component{Name: "Mail", Assets: []string{"vm1", "mx9"}}, inventory.Update)
		var invalid *inventory.ComponentInvalidError
		if !errors.As(err, &invalid) || len(invalid.Fields) != 1 || invalid.Fields[0] != (inventory.ComponentFieldError{Field: "assets", Message: `unknown asset "mx9"`}) {
			t.Fatalf("unknown asset: %v", err)
		}
		_, err = s.SaveComponent(ctx, inventory.Component{Name: "Mail", Covers: &inventory.Selector{Label: "plan"}}, inventory.Update)
		if !errors.As(err, &invalid) || invalid.Fields[0].Field != "covers.label" {
			t.Fatalf("bad label: %v", err)
		}
		_, err = s.SaveComponent(ctx, inventory.Component{Name: "Mail", Group: "MAIL", Assets: []string{"vm1"}}, inventory.Update)
		if !errors.As(err, &invalid) || len(invalid.Fields) != 1 || invalid.Fields[0].Field != "group" {
			t.Fatalf("group of the component's own id: %v", err)
		}
		// A group with another component's id, or a component named as
		// another's group: one id space on the status page.
		_, err = s.SaveComponent(ctx, inventory.Component{Name: "Mail", Group: "Web", Assets: []string{"vm1"}}, inventory.Update)
		if !errors.As(err, &invalid) || len(invalid.Fields) != 1 || invalid.Fields[0].Field != "group" {
			t.Fatalf("group of another component's id: %v", err)
		}
		saved, err := s.SaveComponent(ctx, inventory.Component{Name: "Mail", Group: "Messagerie", Covers: &inventory.Selector{Kind: "vm"}}, inventory.Update)
		if err != nil || saved.Group != "Messagerie" {
			t.Fatalf("replace: %+v %v", saved, err)
		}
		if got := componentNames(t, s); got != "Web, Mail, DNS" {
			t.Fatalf("after replacing: %q", got)
		}
		if c, err := s.Component(ctx, "mail"); err != nil || c.Group != "Messagerie" || c.Assets != nil {
			t.Fatalf("component mail: %+v %v", c, err)
		}
		if err := s.DeleteComponent(ctx, "web"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteComponent(ctx, "web"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		if _, err := s.Component(ctx, "web"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted component: %v", err)
		}
		// After the delete the positions have no gap: a new one goes last,
		// and an import in the same order finds nothing to change.
		if _, err := s.SaveComponent(ctx, inventory.Component{Name: "Web", Assets: []string{"vm1"}}, inventory.Create); err != nil {
			t.Fatal(err)
		}
		if got := componentNames(t, s); got != "Mail, DNS, Web" {
			t.Fatalf("after delete and create: %q", got)
		}
		exported, err := s.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := inventory.WriteYAML(&buf, exported); err != nil {
			t.Fatal(err)
		}
		if p := mustImport(t, s, inventory.ImportOptions{}, parse(t, "export.yaml", buf.String())); !p.Empty() {
			t.Fatalf("import of the export: %s", p)
		}
	})
}

// TestComponentCoverage proves which assets each component covers: by
// kind, by label, by both, by name, and by selector and names at once,
// leaving out the listed assets deleted since.
func TestComponentCoverage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		const more = `assets:
  - {name: vm2, kind: vm, depends_on: [hv1], labels: {plan: shared}}
  - {name: vm3, kind: vm, depends_on: [hv1]}
  - {name: old, kind: vm}
components:
  - {name: Kind, covers: {kind: vm}}
  - {name: Label, covers: {label: plan=shared}}
  - {name: Both, covers: {kind: vm, label: plan=shared}}
  - {name: Names, assets: [site2, old, dc1]}
  - {name: Union, covers: {kind: site, label: plan=shared}, assets: [site1, vm3, old]}
  - {name: Nothing, covers: {kind: storage}}
  - {name: Same kind, covers: {kind: vm}}
`
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML), parse(t, "more.yaml", more))
		if err := s.DeleteAsset(ctx, "old"); err != nil {
			t.Fatal(err)
		}
		got, err := s.ComponentCoverage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{
			"kind":      {"vm1", "vm2", "vm3"},
			"label":     {"site1", "vm2"},
			"both":      {"vm2"},
			"names":     {"dc1", "site2"},
			"union":     {"site1", "vm3"},
			"nothing":   {},
			"same-kind": {"vm1", "vm2", "vm3"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("coverage\n%v\nwant\n%v", got, want)
		}
		// Each component's list is its own.
		got["kind"][0] = "changed"
		if got["same-kind"][0] != "vm1" {
			t.Error("two components share one list")
		}
		// The export lists only the assets that still exist, so that it
		// imports into a new database.
		exported, err := s.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := inventory.WriteYAML(&buf, exported); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "assets: [site2, dc1]") {
			t.Errorf("export of the components:\n%s", buf.String())
		}
		mustImport(t, inventory.NewService(storetest.Open(t, db.Engine), nil), inventory.ImportOptions{}, parse(t, "export.yaml", buf.String()))
		c, err := s.Component(ctx, "union")
		if err != nil {
			t.Fatal(err)
		}
		if one, err := s.CoveredAssets(ctx, c); err != nil || !slices.Equal(one, want["union"]) {
			t.Fatalf("CoveredAssets(union) = %v %v", one, err)
		}
	})
}
