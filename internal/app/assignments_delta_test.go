package app_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// hits records the paths a loopback site was asked for.
type hits struct {
	mu    sync.Mutex
	paths map[string]int
}

func (h *hits) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.paths[r.URL.Path]++
	h.mu.Unlock()
}

func (h *hits) waitFor(t *testing.T, path string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		h.mu.Lock()
		n := h.paths[path]
		h.mu.Unlock()
		if n > 0 {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no request for %s within %s", path, within)
	return 0
}

// TestRemoteProbeTakesAnAssetChangeAsADelta changes one asset, in the
// server's process and then in another one (as vigie import would), and
// waits for a remote probe, long-polling its assignments on loopback, to
// run the new check: it must get a delta, never the whole list again, and
// run the check changed at once, not at its next slot (an hour away).
func TestRemoteProbeTakesAnAssetChangeAsADelta(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			site := &hits{paths: map[string]int{}}
			target := httptest.NewServer(site)
			defer target.Close()
			a, err := app.Open(ctx, app.Config{DB: storetest.DSN(t, engine), RefreshEvery: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = a.Close() }()
			host := `assets:
  - {name: vm1, kind: vm}
  - {name: site1, kind: site, depends_on: [vm1], url: "` + target.URL + `/a"}
  - {name: site2, kind: site, depends_on: [vm1], url: "` + target.URL + `/other"}
check_defaults:
  site: {kind: http, interval: 1h, timeout: 500ms, locations: [paris]}
  vm: {kind: none}
`
			if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			token, err := a.Locations.Add(ctx, "paris")
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go func() { _ = a.Serve(ctx, ln) }()
			// A long wait: the change must wake the poll, not its end.
			r, err := probe.NewRemote(probe.RemoteOptions{Server: "http://" + ln.Addr().String(), Token: token,
				BufferDir: t.TempDir(), Wait: 30 * time.Second, PushEvery: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer runUntilAssigned(ctx, t, r, 10*time.Second)()

			change := func(s *inventory.Service, path string) {
				t.Helper()
				as, err := s.Asset(ctx, "site1")
				if err != nil {
					t.Fatal(err)
				}
				as.URL = target.URL + path
				if _, err := s.SaveAsset(ctx, as, inventory.Update); err != nil {
					t.Fatal(err)
				}
			}
			change(a.Inventory, "/b")
			took := site.waitFor(t, "/b", 10*time.Second)
			t.Logf("change in the server's process: the probe ran the new check after %s", took)
			change(inventory.NewService(a.DB, nil), "/c")
			took = site.waitFor(t, "/c", 10*time.Second)
			t.Logf("change in another process: the probe ran the new check after %s", took)
			full, delta := r.Pulls()
			if full != 1 || delta < 2 {
				t.Fatalf("the probe took %d whole lists and %d deltas; want 1 list, then deltas", full, delta)
			}
		})
	}
}
