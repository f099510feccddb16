package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// The console's first search does not wait for the index: the server
// builds it at start-up, before anyone searches.
func TestTheServerBuildsTheSearchIndexAtStartUp(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) { testSearchWarm(t, engine) })
	}
}

func testSearchWarm(t *testing.T, engine store.Engine) {
	{
		ctx := context.Background()
		s := startServer(t, ctx, app.Config{DB: storetest.DSN(t, engine)}, overviewHost, "")
		ready := func() bool { g := s.app.Inventory.Graph(); return g != nil && g.SearchReady() }
		if !within(10*time.Second, ready) {
			t.Fatal("no search index ten seconds after start-up, and nobody searched")
		}
		if res := s.app.Inventory.Graph().Search("alice", 5); res.Total == 0 {
			t.Fatalf("the warmed index finds nothing: %+v", res)
		}
	}
}
