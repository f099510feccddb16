package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// switchOver sends every request to a server until the first page after a
// first one is asked: it then changes the checks through another server on
// the same database, and sends that page and every request after to it,
// as a load balancer would after the first server went away.
type switchOver struct {
	mu      sync.Mutex
	to      http.Handler
	then    func() http.Handler
	pages   int
	refused int
}

func (s *switchOver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if r.URL.Query().Has("cursor") {
		s.pages++
		if s.then != nil {
			s.to, s.then = s.then(), nil
		}
	}
	h := s.to
	s.mu.Unlock()
	rec := &statusOf{ResponseWriter: w}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusConflict {
		s.mu.Lock()
		s.refused++
		s.mu.Unlock()
	}
}

type statusOf struct {
	http.ResponseWriter
	status int
}

func (s *statusOf) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// TestARemoteProbeStartsItsPagesAgainWhenTheVersionMoves runs a remote
// probe reading its assignments in pages of 4 from a server; before its
// second page the checks change through a second server, which then
// answers everything: it refuses the page of the first server's version,
// and the probe reads its pages again, ending with the new checks, taken
// as one whole list.
func TestARemoteProbeStartsItsPagesAgainWhenTheVersionMoves(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			dsn := storetest.DSN(t, engine)
			a, err := app.Open(ctx, app.Config{DB: dsn})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = a.Close() }()
			var host strings.Builder
			host.WriteString("assets:\n  - {name: web1, kind: vm}\nchecks:\n")
			for i := range 10 {
				fmt.Fprintf(&host, "  - {asset: web1, name: c%02d, kind: tcp, address: \"127.0.0.1:1\", interval: 1h, locations: [paris]}\n", i)
			}
			if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "h.yaml", Data: []byte(host.String())}}, inventory.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			token, err := a.Locations.Add(ctx, "paris")
			if err != nil {
				t.Fatal(err)
			}
			b, err := app.Open(ctx, app.Config{DB: dsn})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = b.Close() }()
			lb := &switchOver{to: a.Handler(), then: func() http.Handler {
				c := check.Check{Asset: "web1", Name: "new", Kind: check.TCP, Address: "127.0.0.1:1", Interval: check.Duration(time.Hour), Locations: []string{"paris"}}
				if _, err := b.Inventory.SaveCheck(ctx, c, inventory.Create); err != nil {
					t.Error(err)
				}
				return b.Handler()
			}}
			srv := httptest.NewServer(lb)
			defer srv.Close()
			r, err := probe.NewRemote(probe.RemoteOptions{Server: srv.URL, Token: token, BufferDir: t.TempDir(), PageSize: 4, Wait: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer runUntilAssigned(ctx, t, r, 20*time.Second)()
			got := r.Assigned()
			if len(got) != 11 || !slices.Contains(got, "web1/new") {
				t.Fatalf("the probe holds %v; want the 11 checks after the change", got)
			}
			lb.mu.Lock()
			defer lb.mu.Unlock()
			// Pages after a first: the one refused, then 2 (11 checks by 4).
			if full, _ := r.Pulls(); full != 1 || r.Restarts() != 1 || lb.refused != 1 || lb.pages != 1+2 {
				t.Fatalf("%d whole lists, %d restarts, %d pages refused of %d asked; want 1, 1, 1 of 3", full, r.Restarts(), lb.refused, lb.pages)
			}
		})
	}
}

// runUntilAssigned runs the probe r and waits for its first whole list of
// assignments, failing after within; it returns what stops the probe.
func runUntilAssigned(ctx context.Context, t *testing.T, r *probe.Remote, within time.Duration) (stop func()) {
	t.Helper()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = r.Run(rctx); close(done) }()
	stop = func() { cancel(); <-done }
	for deadline := time.Now().Add(within); ; time.Sleep(20 * time.Millisecond) {
		if full, _ := r.Pulls(); full > 0 {
			return stop
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("the probe took no assignments within %s", within)
		}
	}
}
