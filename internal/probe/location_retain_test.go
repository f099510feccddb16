package probe

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestLocationRetainClearsLongRevokedTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newLocationTestStore(db)
		tokens := map[string]string{}
		for _, name := range []string{"paris", "lyon", "montreal"} {
			tokens[name] = addLocation(t, s, name)
		}
		if err := s.Revoke(ctx, "paris"); err != nil {
			t.Fatal(err)
		}
		clock.advance(RevokedTokenRetention - time.Hour)
		if err := s.Revoke(ctx, "lyon"); err != nil {
			t.Fatal(err)
		}
		clock.advance(time.Hour + time.Second)
		hash := func(name string) string {
			var h string
			if err := db.QueryRowContext(ctx, `SELECT token_hash FROM probe_locations WHERE name = $1`, name).Scan(&h); err != nil {
				t.Fatal(err)
			}
			return h
		}
		for _, want := range []int64{1, 0} { // the second run finds nothing left to clear
			if n, err := s.Retain(ctx, clock.now()); err != nil || n != want {
				t.Fatalf("Retain = %d, %v; want %d", n, err, want)
			}
			for name, cleared := range map[string]bool{"paris": true, "lyon": false, "montreal": false} {
				if got := hash(name) == ""; got != cleared {
					t.Errorf("%s: hash cleared %v, want %v", name, got, cleared)
				}
			}
		}
		list, err := s.List(ctx)
		if err != nil || len(list) != 3 || list[2].Name != "paris" || !list[2].Revoked() {
			t.Fatalf("List = %+v, %v; want paris kept, revoked", list, err)
		}
		if _, err := s.Authenticate(ctx, tokens["paris"]); !errors.Is(err, ErrBadLocationToken) {
			t.Fatalf("the cleared token authenticates: %v", err)
		}
		if _, err := s.Authenticate(ctx, tokens["montreal"]); err != nil {
			t.Fatalf("an active location no longer authenticates: %v", err)
		}
		again := addLocation(t, s, "paris")
		if _, err := s.Authenticate(ctx, again); err != nil {
			t.Fatalf("paris added again: %v", err)
		}
	})
}
