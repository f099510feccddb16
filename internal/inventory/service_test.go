package inventory_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const hostYAML = `customers:
  - id: C1
    name: Alice
    email: alice@example.org
    language: fr
  - id: C2
    name: Bob
    email: bob@example.org
    language: en
    timezone: America/Montreal
assets:
  - name: dc1
    kind: datacenter
  - name: hv1
    kind: hypervisor
    depends_on: [dc1]
    address: 127.0.0.10:22
  - name: vm1
    kind: vm
    depends_on: [hv1]
  - name: site1
    kind: site
    owner: C1
    depends_on: [vm1]
    url: https://www.site1.example/
    labels:
      plan: shared
  - name: site2
    kind: site
    owner: C2
    depends_on: [vm1]
    url: https://www.site2.example/
`

func parse(t *testing.T, name, text string) *inventory.Document {
	t.Helper()
	doc, problems := inventory.Parse(name, []byte(text))
	if len(problems) > 0 {
		t.Fatalf("parse %s: %v", name, problems)
	}
	return doc
}

func mustImport(t *testing.T, s *inventory.Service, opts inventory.ImportOptions, docs ...*inventory.Document) *inventory.Plan {
	t.Helper()
	plan, err := s.Import(context.Background(), docs, opts)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return plan
}

func TestImportIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := inventory.NewService(db, nil)
		plan := mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML))
		if len(plan.AddCustomers) != 2 || len(plan.AddAssets) != 5 {
			t.Fatalf("first import: %s", plan)
		}
		again := mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML))
		if !again.Empty() {
			t.Fatalf("second import of the same file changed: %s", again)
		}
		a, err := s.Asset(context.Background(), "site1")
		if err != nil {
			t.Fatal(err)
		}
		if a.Owner != "C1" || a.Labels["plan"] != "shared" || !slices.Equal(a.DependsOn, []string{"vm1"}) {
			t.Fatalf("site1 = %+v", a)
		}
		c, err := s.Customer(context.Background(), "C1")
		if err != nil || c.Timezone != "Europe/Paris" {
			t.Fatalf("C1 = %+v, %v (want the default zone)", c, err)
		}
	})
}

func TestDryRunAndInvalidImportsChangeNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		plan := mustImport(t, s, inventory.ImportOptions{DryRun: true}, parse(t, "host.yaml", hostYAML))
		if len(plan.AddAssets) != 5 {
			t.Fatalf("dry run plan: %s", plan)
		}
		if got, _ := s.Assets(ctx, inventory.AssetFilter{}); len(got) != 0 {
			t.Fatalf("dry run wrote %d assets", len(got))
		}
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML))
		bad := parse(t, "bad.yaml", `assets:
  - name: site3
    kind: site
    depends_on: [vm9]
  - name: vm1
    kind: vm
    depends_on: [site1]
`)
		_, err := s.Import(ctx, []*inventory.Document{bad}, inventory.ImportOptions{})
		var problems inventory.Problems
		if !errors.As(err, &problems) {
			t.Fatalf("err = %v, want Problems", err)
		}
		text := problems.Error()
		for _, want := range []string{`bad.yaml:4: depends_on: unknown asset "vm9"`, "dependency cycle"} {
			if !strings.Contains(text, want) {
				t.Errorf("problems %q lack %q", text, want)
			}
		}
		if got, _ := s.Assets(ctx, inventory.AssetFilter{}); len(got) != 5 {
			t.Fatalf("invalid import changed the inventory: %d assets", len(got))
		}
	})
}

func TestPruneRemovesWhatTheFilesNoLongerList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		if err := s.LoadGraph(ctx); err != nil {
			t.Fatal(err)
		}
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML))
		smaller := strings.Replace(hostYAML, `  - name: site2
    kind: site
    owner: C2
    depends_on: [vm1]
    url: https://www.site2.example/
`, "", 1)
		smaller = strings.Replace(smaller, `  - id: C2
    name: Bob
    email: bob@example.org
    language: en
    timezone: America/Montreal
`, "", 1)
		plan := mustImport(t, s, inventory.ImportOptions{}, parse(t, "small.yaml", smaller))
		if !plan.Empty() {
			t.Fatalf("without --prune nothing is removed, got %s", plan)
		}
		plan = mustImport(t, s, inventory.ImportOptions{Prune: true}, parse(t, "small.yaml", smaller))
		if !slices.Equal(plan.RemoveAssets, []string{"site2"}) || !slices.Equal(plan.RemoveCustomers, []string{"C2"}) {
			t.Fatalf("prune plan: %+v", plan)
		}
		if _, err := s.Asset(ctx, "site2"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("site2 after prune: %v", err)
		}
		imp, err := s.Impact(ctx, "vm1")
		if err != nil || imp.Sites != 1 || !slices.Equal(imp.Customers, []string{"C1"}) {
			t.Fatalf("graph not updated by prune: %+v, %v", imp, err)
		}
	})
}

func TestEditsKeepTheGraphCurrentAndAcyclic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML))
		if _, err := s.Impact(ctx, "hv1"); err != nil {
			t.Fatal(err)
		}
		_, err := s.SaveAsset(ctx, inventory.Asset{Name: "site3", Kind: "site", Owner: "C2", DependsOn: []string{"vm1"}}, inventory.Create)
		if err != nil {
			t.Fatal(err)
		}
		imp, _ := s.Impact(ctx, "hv1")
		if imp.Sites != 3 {
			t.Fatalf("after create, hv1 impact = %+v", imp)
		}
		_, err = s.SaveAsset(ctx, inventory.Asset{Name: "site3", Kind: "site"}, inventory.Create)
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("create twice: %v", err)
		}
		_, err = s.SaveAsset(ctx, inventory.Asset{Name: "dc1", Kind: "datacenter", DependsOn: []string{"site3"}}, inventory.Update)
		var invalid *inventory.InvalidError
		if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "dependency cycle: dc1 -> site3 -> vm1 -> hv1 -> dc1") {
			t.Fatalf("cycle: %v", err)
		}
		_, err = s.SaveAsset(ctx, inventory.Asset{Name: "site4", Kind: "site", Owner: "C9", DependsOn: []string{"vm7"}}, inventory.Create)
		if !errors.As(err, &invalid) || len(invalid.Fields) != 2 {
			t.Fatalf("unknown references: %v", err)
		}
		err = s.DeleteAsset(ctx, "vm1")
		var inUse *inventory.InUseError
		if !errors.As(err, &inUse) || !slices.Equal(inUse.By, []string{"site1", "site2", "site3"}) || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("delete vm1: %v", err)
		}
		if err := s.DeleteAsset(ctx, "site3"); err != nil {
			t.Fatal(err)
		}
		imp, _ = s.Impact(ctx, "hv1")
		if imp.Sites != 2 {
			t.Fatalf("after delete, hv1 impact = %+v", imp)
		}
		err = s.DeleteCustomer(ctx, "C1")
		if !errors.As(err, &inUse) || !slices.Equal(inUse.By, []string{"site1"}) {
			t.Fatalf("delete owner: %v", err)
		}
		if _, err := s.SaveCustomer(ctx, inventory.Customer{ID: "C3", Name: "Carol", Email: "not-an-email"}, inventory.Create); !errors.As(err, &invalid) {
			t.Fatalf("bad email: %v", err)
		}
	})
}

func TestRefreshSeesAnotherProcesssImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		server := inventory.NewService(db, nil)
		if err := server.LoadGraph(ctx); err != nil {
			t.Fatal(err)
		}
		cli := inventory.NewService(db, nil)
		mustImport(t, cli, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML))
		if _, err := server.Impact(ctx, "hv1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("before refresh the server's graph is the old one: %v", err)
		}
		if err := server.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		imp, err := server.Impact(ctx, "hv1")
		if err != nil || imp.Sites != 2 {
			t.Fatalf("after refresh: %+v, %v", imp, err)
		}
	})
}

func TestListAssetsFiltersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML))
		names := func(f inventory.AssetFilter) []string {
			page, err := s.Assets(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, a := range page {
				out = append(out, a.Name)
			}
			return out
		}
		tests := []struct {
			f    inventory.AssetFilter
			want []string
		}{
			{inventory.AssetFilter{Kind: "site"}, []string{"site1", "site2"}},
			{inventory.AssetFilter{Owner: "C2"}, []string{"site2"}},
			{inventory.AssetFilter{Label: "plan=shared"}, []string{"site1"}},
			{inventory.AssetFilter{Label: "plan"}, []string{"site1"}},
			{inventory.AssetFilter{Prefix: "s"}, []string{"site1", "site2"}},
			{inventory.AssetFilter{Limit: 2}, []string{"dc1", "hv1"}},
			{inventory.AssetFilter{Limit: 2, After: "hv1"}, []string{"site1", "site2"}},
			{inventory.AssetFilter{After: "vm1"}, nil},
		}
		for _, tt := range tests {
			if got := names(tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("%+v: got %v, want %v", tt.f, got, tt.want)
			}
		}
	})
}

// TestImpactDuringWrites reads impact from many goroutines while assets are
// created and deleted: the graph must stay consistent (run with -race).
func TestImpactDuringWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML))
		if err := s.LoadGraph(ctx); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				for {
					select {
					case <-done:
						errs <- nil
						return
					default:
					}
					imp, err := s.Impact(ctx, "hv1")
					if err == nil && (imp.Sites < 2 || imp.Sites > 3) {
						err = fmt.Errorf("hv1 impact %+v mid-write", imp)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		for range 10 {
			if _, err := s.SaveAsset(ctx, inventory.Asset{Name: "site9", Kind: "site", DependsOn: []string{"vm1"}}, inventory.Create); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteAsset(ctx, "site9"); err != nil {
				t.Fatal(err)
			}
		}
		close(done)
		for range 4 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestImportIfVersionRefusesAChangedInventory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		dry := mustImport(t, s, inventory.ImportOptions{DryRun: true}, parse(t, "host.yaml", hostYAML))
		// Someone else changes the inventory between the dry run and the apply.
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "other.yaml", "customers:\n  - id: C9\n    name: Zoe\n    email: zoe@example.org\n"))
		_, err := s.Import(ctx, []*inventory.Document{parse(t, "host.yaml", hostYAML)}, inventory.ImportOptions{IfVersion: &dry.BaseVersion})
		if !errors.Is(err, inventory.ErrChanged) || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("import on a changed inventory: %v, want ErrChanged", err)
		}
		if _, err := s.Asset(ctx, "site1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the refused import wrote site1: %v", err)
		}
		// A new dry run gives the version to confirm, and the import goes through.
		again := mustImport(t, s, inventory.ImportOptions{DryRun: true}, parse(t, "host.yaml", hostYAML))
		applied := mustImport(t, s, inventory.ImportOptions{IfVersion: &again.BaseVersion}, parse(t, "host.yaml", hostYAML))
		if applied.String() != again.String() || len(applied.AddAssets) != 5 {
			t.Fatalf("applied %s, the dry run said %s", applied, again)
		}
		if got := s.Graph(); got != nil {
			if res := got.Search("site", 10); res.Total != 2 {
				t.Fatalf("search after the import: %+v", res)
			}
		}
	})
}

func TestSearchFollowsImports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML))
		res, err := s.Search(ctx, "SITE", 10)
		if err != nil || res.Total != 2 || res.Assets[0].Name != "site1" || res.Assets[0].Owner != "C1" || res.Assets[0].Kind != "site" {
			t.Fatalf("search: %+v, %v", res, err)
		}
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "more.yaml", "assets:\n  - name: mysite3\n    kind: site\n    depends_on: [vm1]\n"))
		res, err = s.Search(ctx, "site", 10)
		if err != nil || res.Total != 3 || res.Assets[2].Name != "mysite3" || res.Assets[2].Prefix {
			t.Fatalf("search after a second import: %+v, %v", res, err)
		}
		if res, _ := s.Search(ctx, "bob", 10); len(res.Customers) != 1 || res.Customers[0].ID != "C2" {
			t.Fatalf("customer search: %+v", res.Customers)
		}
	})
}
