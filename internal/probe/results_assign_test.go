package probe_test

import (
	"context"
	"slices"
	"testing"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestAssignmentsDeltaFollowsTheLocation lists, for one location, the
// checks changed since a version: a check moved to another location is
// removed from this one, and one moved to it is added.
func TestAssignmentsDeltaFollowsTheLocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := inventory.NewService(db, nil)
		host := `assets:
  - {name: site1, kind: site, url: "http://127.0.0.1/"}
  - {name: site2, kind: site, url: "http://127.0.0.2/"}
checks:
  - {asset: site1, kind: http, locations: [paris]}
  - {asset: site2, kind: http, locations: [montreal]}
`
		if _, err := svc.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		set, err := svc.Effective(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v0 := set.Version()
		for _, c := range []check.Check{
			{Asset: "site1", Kind: check.HTTP, Locations: []string{"montreal"}},
			{Asset: "site2", Kind: check.HTTP, Locations: []string{"paris"}},
		} {
			if _, err := svc.SaveCheck(ctx, c, inventory.Update); err != nil {
				t.Fatal(err)
			}
		}
		set, _ = svc.Effective(ctx)
		changed, removed, ok := probe.AssignmentsDelta(set, "paris", v0)
		if !ok || len(changed) != 1 || changed[0].Key() != "site2/http" || !slices.Equal(removed, []string{"site1/http"}) {
			t.Fatalf("delta for paris: %v, removed %v, ok %v", changed, removed, ok)
		}
		if _, _, ok := probe.AssignmentsDelta(set, "paris", v0-1); ok {
			t.Fatal("a version older than the set's memory should ask for the whole list")
		}
		_, list, err := probe.Assignments(ctx, svc, "paris")
		if err != nil || len(list) != 1 || list[0].Key() != "site2/http" {
			t.Fatalf("assignments of paris: %v, %v", list, err)
		}
	})
}
