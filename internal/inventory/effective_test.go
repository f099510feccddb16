package inventory_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const effectiveYAML = hostYAML + `checks:
  - {asset: site1, name: login, kind: http, url: "https://www.site1.example/login", headers: {Authorization: "Bearer s3cret"}}
check_defaults:
  vm: {kind: tcp, address: "127.0.0.1:22"}
`

// sameAsStored fails unless set holds what the database implies now.
func sameAsStored(t *testing.T, s *inventory.Service, set *inventory.EffectiveSet) {
	t.Helper()
	want, err := s.ChecksWithSecrets(context.Background(), inventory.CheckFilter{Effective: true})
	if err != nil {
		t.Fatal(err)
	}
	got := set.Sorted(nil)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("effective set at v%d:\n got %v\nwant %v", set.Version(), got, want)
	}
	if set.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", set.Len(), len(want))
	}
	if paged := pagesOf(set, 2, nil); !reflect.DeepEqual(paged, want) {
		t.Fatalf("effective set at v%d in pages of 2:\n got %v\nwant %v", set.Version(), paged, want)
	}
	for i := range want {
		if c := set.Get(want[i].Key()); c == nil || !reflect.DeepEqual(*c, want[i]) {
			t.Fatalf("Get(%s) = %v", want[i].Key(), c)
		}
	}
}

// pagesOf reads the whole set a page of limit at a time, as a probe
// following the cursors would.
func pagesOf(set *inventory.EffectiveSet, limit int, keep func(string, *check.Check) bool) []check.Check {
	var out []check.Check
	after := ""
	for range set.Len() + 1 { // a page that does not move on would loop
		page, more := set.Page(after, limit, keep)
		out = append(out, page...)
		if !more || len(page) == 0 {
			break
		}
		after = page[len(page)-1].Key()
	}
	return out
}

func keysOf(list []*check.Check) []string {
	out := []string{}
	for _, c := range list {
		out = append(out, c.Key())
	}
	return out
}

func TestEffectiveSetFollowsOwnWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", effectiveYAML))
		set, err := s.Effective(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sameAsStored(t, s, set)
		v0 := set.Version()

		// One site's url changes: its http check, and only it, changes.
		a, err := s.Asset(ctx, "site2")
		if err != nil {
			t.Fatal(err)
		}
		a.URL = "https://new.site2.example/"
		if _, err := s.SaveAsset(ctx, a, inventory.Update); err != nil {
			t.Fatal(err)
		}
		set2, _ := s.Effective(ctx)
		if set2.Version() != v0+1 {
			t.Fatalf("version %d, want %d", set2.Version(), v0+1)
		}
		sameAsStored(t, s, set2)
		ch, ok := set2.Changes(v0)
		changed, removed := ch.Changed, ch.Removed
		if !ok || !slices.Equal(keysOf(changed), []string{"site2/http"}) || len(removed) != 0 {
			t.Fatalf("Changes(%d) = %v, %v, %v", v0, keysOf(changed), removed, ok)
		}
		if !slices.Equal(ch.Assets, []string{"site2"}) {
			t.Fatalf("Changes(%d).Assets = %v", v0, ch.Assets)
		}
		if changed[0].URL != a.URL {
			t.Fatalf("changed check has url %q", changed[0].URL)
		}
		// The old snapshot is untouched.
		if c := set.Get("site2/http"); c == nil || c.URL != "https://www.site2.example/" {
			t.Fatalf("old snapshot changed: %v", c)
		}

		// A declared check replaces the default of its name; deleting an
		// asset removes its checks; a default of a kind changes its assets.
		if _, err := s.SaveCheck(ctx, check.Check{Asset: "site1", Kind: check.HTTP, Interval: check.Duration(30e9)}, inventory.Create); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAsset(ctx, "site2"); err != nil {
			t.Fatal(err)
		}
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "defaults.yaml", "check_defaults:\n  vm: {kind: tcp, address: \"127.0.0.1:2222\"}\n"))
		set3, _ := s.Effective(ctx)
		sameAsStored(t, s, set3)
		ch, ok = set3.Changes(v0)
		changed, removed = ch.Changed, ch.Removed
		if !ok || !slices.Equal(keysOf(changed), []string{"site1/http", "vm1/tcp"}) || !slices.Equal(removed, []string{"site2/http"}) {
			t.Fatalf("Changes(%d) = %v, %v, %v", v0, keysOf(changed), removed, ok)
		}
		ch, ok = set3.Changes(set3.Version() - 1)
		changed, removed = ch.Changed, ch.Removed
		if !ok || !slices.Equal(keysOf(changed), []string{"vm1/tcp"}) || len(removed) != 0 {
			t.Fatalf("Changes(last) = %v, %v, %v", keysOf(changed), removed, ok)
		}
		if _, ok := set3.Changes(v0 - 1); ok {
			t.Fatal("Changes before the set was built should ask for everything")
		}
	})
}

func TestEffectiveSetFollowsAnotherProcessFromTheLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		writer := inventory.NewService(db, nil)
		mustImport(t, writer, inventory.ImportOptions{}, parse(t, "host.yaml", effectiveYAML))
		other := inventory.NewService(db, nil)
		set, err := other.Effective(ctx)
		if err != nil {
			t.Fatal(err)
		}
		g := other.Graph()
		v0 := set.Version()

		mustImport(t, writer, inventory.ImportOptions{}, parse(t, "more.yaml", `customers:
  - {id: C3, name: Carol, email: carol@example.org}
assets:
  - {name: vm2, kind: vm, depends_on: [hv1]}
  - {name: site3, kind: site, owner: C3, depends_on: [vm2], url: "https://site3.example/"}
`))
		if err := writer.DeleteCheck(ctx, "site1", "login"); err != nil {
			t.Fatal(err)
		}
		if err := other.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if other.Graph() != g {
			t.Fatal("the graph was reloaded, not patched from the log")
		}
		set2, _ := other.Effective(ctx)
		sameAsStored(t, other, set2)
		ch, ok := set2.Changes(v0)
		changed, removed := ch.Changed, ch.Removed
		if !ok || !slices.Equal(keysOf(changed), []string{"site3/http", "vm2/tcp"}) || !slices.Equal(removed, []string{"site1/login"}) {
			t.Fatalf("Changes = %v, %v, %v", keysOf(changed), removed, ok)
		}
		imp, err := other.Impact(ctx, "hv1")
		if err != nil {
			t.Fatal(err)
		}
		if imp.Assets != 5 || !slices.Equal(imp.Customers, []string{"C1", "C2", "C3"}) {
			t.Fatalf("impact of hv1 after the refresh: %+v", imp)
		}
		// Removing an asset in the other process removes its node.
		if err := writer.DeleteAsset(ctx, "site3"); err != nil {
			t.Fatal(err)
		}
		if err := other.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if imp, _ := other.Impact(ctx, "hv1"); imp.Assets != 4 {
			t.Fatalf("impact of hv1 after a removal: %+v", imp)
		}
		sameAsStored(t, other, mustEffective(t, other))

		// A log that lost the versions in between makes it reload everything.
		if _, err := db.ExecContext(ctx, `DELETE FROM inventory_changes`); err != nil {
			t.Fatal(err)
		}
		a, _ := writer.Asset(ctx, "site1")
		a.URL = "https://moved.site1.example/"
		if _, err := writer.SaveAsset(ctx, a, inventory.Update); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM inventory_changes`); err != nil {
			t.Fatal(err)
		}
		if err := other.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if other.Graph() == g {
			t.Fatal("a gap in the log should reload the graph")
		}
		set3 := mustEffective(t, other)
		sameAsStored(t, other, set3)
		if _, ok := set3.Changes(set2.Version()); ok {
			t.Fatal("after a full reload, Changes should ask for everything")
		}
	})
}

func mustEffective(t *testing.T, s *inventory.Service) *inventory.EffectiveSet {
	t.Helper()
	set, err := s.Effective(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// A service WithEffective derives its effective set from the graph's own
// full load: the set's first use reads nothing more (the database is
// closed by then), and it is the same as stored.
func TestWithEffectiveReadsTheInventoryOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		writer := inventory.NewService(db, nil)
		if _, err := writer.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(effectiveYAML)}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		s := inventory.NewService(db, nil).WithEffective()
		if err := s.LoadGraph(ctx); err != nil {
			t.Fatal(err)
		}
		sameAsStored(t, writer, mustEffective(t, writer))
		want := mustEffective(t, writer)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := s.Effective(ctx)
		if err != nil {
			t.Fatalf("the set's first use read the database again: %v", err)
		}
		if got.Version() != want.Version() || got.Len() != want.Len() {
			t.Errorf("set at version %d with %d checks, want %d with %d", got.Version(), got.Len(), want.Version(), want.Len())
		}
	})
}

// TestEffectivePagesFollowTheKeysText reads a set whose asset names sort
// differently from their keys ("a-b/x" before "a/x", as '-' comes before
// '/') in pages, with a filter: the pages give Sorted's list, one page
// after another, and say when none follows.
func TestEffectivePagesFollowTheKeysText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := inventory.NewService(db, nil)
		host := "assets:\n"
		for _, n := range []string{"a", "a-b", "a.b", "ab", "b", "a0"} {
			host += "  - {name: " + n + ", kind: vm}\n"
		}
		host += "checks:\n"
		for _, n := range []string{"a", "a-b", "a.b", "ab", "b", "a0"} {
			host += "  - {asset: " + n + ", name: x, kind: tcp, address: \"127.0.0.1:1\"}\n"
			host += "  - {asset: " + n + ", name: y, kind: tcp, address: \"127.0.0.1:1\", locations: [paris]}\n"
		}
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", host))
		set := mustEffective(t, s)
		inParis := func(_ string, c *check.Check) bool {
			return len(c.Locations) == 0 || slices.Contains(c.Locations, "paris")
		}
		for _, limit := range []int{1, 3, 100} {
			want := set.Sorted(func(c *check.Check) bool { return inParis("", c) })
			if got := pagesOf(set, limit, inParis); !reflect.DeepEqual(got, want) {
				t.Fatalf("pages of %d:\n got %v\nwant %v", limit, got, want)
			}
		}
		onlyY := func(key string, _ *check.Check) bool { return key[len(key)-1] == 'y' }
		page, more := set.Page("", 6, onlyY)
		if len(page) != 6 || more {
			t.Fatalf("a page of the 6 checks named y: %d checks, more %v", len(page), more)
		}
		page, more = set.Page("", 5, onlyY)
		if len(page) != 5 || !more || page[0].Key() != "a-b/y" {
			t.Fatalf("a page of 5 of the 6 checks named y: %v, more %v", keysOfChecks(page), more)
		}
		if page, more = set.Page("b/y", 5, nil); len(page) != 0 || more {
			t.Fatalf("after the last key: %v, more %v", keysOfChecks(page), more)
		}
	})
}

func keysOfChecks(list []check.Check) []string {
	out := []string{}
	for i := range list {
		out = append(out, list[i].Key())
	}
	return out
}
