package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// cutProxy forwards TCP connections to a target until cut: then it drops
// every connection and refuses new ones, as a database lost to the
// network would, until restored.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  map[net.Conn]bool
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { _ = ln.Close(); p.setCut(true) })
	go p.serve()
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		cut := p.cut
		p.mu.Unlock()
		if cut {
			_ = c.Close()
			continue
		}
		up, err := net.DialTimeout("tcp", p.target, 2*time.Second)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
		go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
	}
}

func (p *cutProxy) setCut(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = on
	if on {
		for c := range p.conns {
			_ = c.Close()
		}
		clear(p.conns)
	}
}

// TestADatabaseCutLosesNothing puts a TCP proxy between Vigie and
// PostgreSQL and cuts it for 30 s (VIGIE_TEST_CUT shortens it) while a
// remote probe pushes results, the built-in probe sees a VM go down and
// Alertmanager fires: intakes answer 503 with Retry-After meanwhile, and
// afterwards every remote result is taken once, the built-in probe's
// signal is written with its time, and the alert opens its incident.
func TestADatabaseCutLosesNothing(t *testing.T) {
	cutFor := 30 * time.Second
	if v := os.Getenv("VIGIE_TEST_CUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		cutFor = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), cutFor+60*time.Second)
	defer cancel()
	dsn := storetest.DSN(t, store.Postgres)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()

	remoteTarget := acceptAndClose(t)
	localTarget := acceptAndClose(t)
	host := `assets:
  - {name: db1, kind: service}
  - {name: web1, kind: vm, address: "` + remoteTarget.Addr().String() + `"}
  - {name: web2, kind: vm, address: "` + localTarget.Addr().String() + `"}
checks:
  - {asset: web1, kind: tcp, interval: 300ms, timeout: 200ms, locations: [paris]}
  - {asset: web2, kind: tcp, interval: 300ms, timeout: 200ms, attempts: 2, locations: [local]}
  - {asset: db1, name: backup, kind: heartbeat, period: 1h, grace: 1h}
check_defaults:
  vm: {kind: none}
`
	s := startServer(t, ctx, app.Config{DB: u.String(), Probe: true, SweepEvery: 100 * time.Millisecond,
		Settle: 300 * time.Millisecond}, host, "")
	token, err := s.app.Locations.Add(ctx, "paris")
	if err != nil {
		t.Fatal(err)
	}
	remote, err := probe.NewRemote(probe.RemoteOptions{Server: s.base, Token: token, BufferDir: t.TempDir(),
		Wait: time.Second, PushEvery: 200 * time.Millisecond, Client: &http.Client{Timeout: 3 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	rctx, stopRemote := context.WithCancel(ctx)
	remoteDone := make(chan error, 1)
	go func() { remoteDone <- remote.Run(rctx) }()
	sigs := signals{s.app.Detection}
	sigs.wait(t, "web2/tcp", detect.CheckUp, 15*time.Second)
	waitUntil(t, 15*time.Second, "remote results taken", func() bool { return s.app.Results.Accepted() >= 3 })

	var beat struct{ URL string }
	if code, body := s.call("POST", "/api/v1/checks/db1/backup/token", "", &beat); code != 200 {
		t.Fatalf("heartbeat token: %d %s", code, body)
	}

	// The cut: the built-in probe's VM fails meanwhile, Alertmanager fires,
	// a backup job reports.
	cutAt := time.Now()
	proxy.setCut(true)
	_ = localTarget.Close()
	var unavailable, retryAfter int
	delivered := false
	for time.Since(cutAt) < cutFor {
		resp := s.post("/api/v1/alertmanager", alert("db1", "fdb1", true))
		switch resp.StatusCode {
		case http.StatusServiceUnavailable:
			unavailable++
			if resp.Header.Get("Retry-After") != "" {
				retryAfter++
			}
		case http.StatusOK:
			t.Fatalf("an alert was acknowledged %s into the cut", time.Since(cutAt))
		}
		if code, _ := s.ready(); code != http.StatusServiceUnavailable && time.Since(cutAt) > 3*time.Second {
			t.Errorf("/readyz answered %d during the cut", code)
		}
		time.Sleep(time.Second) // Alertmanager's pace of retries, roughly
	}
	if unavailable == 0 || retryAfter != unavailable {
		t.Fatalf("during the cut: %d answers 503, %d with Retry-After", unavailable, retryAfter)
	}
	if resp := s.post(beat.URL, `{"status":"ok"}`); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a heartbeat during the cut: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	proxy.setCut(false)
	restoredAt := time.Now()
	// Alertmanager keeps retrying until it is acknowledged.
	waitUntil(t, 20*time.Second, "alert acknowledged", func() bool {
		resp := s.post("/api/v1/alertmanager", alert("db1", "fdb1", true))
		delivered = delivered || resp.StatusCode == 200
		return delivered
	})
	waitUntil(t, 30*time.Second, "an incident on db1", func() bool { return len(s.openOn("db1")) == 1 })
	down := sigs.wait(t, "web2/tcp", detect.CheckDown, 20*time.Second)
	if down.At.Before(cutAt) || !down.At.Before(restoredAt) {
		t.Errorf("web2 went down at %s, want during the cut (%s to %s)", down.At, cutAt, restoredAt)
	}
	waitUntil(t, 30*time.Second, "remote buffer replayed", func() bool { return remote.Buffered() == 0 })
	stopRemote()
	if err := <-remoteDone; err != nil {
		t.Fatal(err)
	}
	// The last push may be in flight when the remote stops: what the
	// server acknowledged is what it counts.
	_, lastSeq, err := s.app.Locations.LastSeq(ctx, "paris")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.app.Results.Accepted(); got != lastSeq {
		t.Fatalf("remote results numbered 1..%d, %d taken: lost or doubled", lastSeq, got)
	}
	waitUntil(t, 20*time.Second, "ready again", func() bool { code, _ := s.ready(); return code == 200 })
	t.Logf("cut %s: %d answers 503 with Retry-After; %d remote results; alert and probe signal written after", cutFor.Round(time.Second), unavailable, lastSeq)
}

// acceptAndClose listens on loopback and closes every connection at once:
// a TCP check on it succeeds until the listener is closed.
func acceptAndClose(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	return ln
}

// post sends a body with the server's token and returns the response,
// its body read and closed.
func (s *server) post(path, body string) *http.Response {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}
