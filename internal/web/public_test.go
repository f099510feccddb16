package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// notified records the heartbeats the server was told of.
type notified struct {
	mu    sync.Mutex
	calls []string
}

func (n *notified) notify(key string, p heartbeat.Ping) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls = append(n.calls, key+" "+p.Status)
}

func (n *notified) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.calls
	n.calls = nil
	return c
}

func ensureToken(t *testing.T, s *heartbeat.Store, key string) string {
	t.Helper()
	token, _, err := s.Ensure(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func rawCall(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestHeartbeatRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := heartbeat.NewStore(db)
		token := ensureToken(t, s, "backup/nightly")
		ensureToken(t, s, "db/dump")
		t0 := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
		at := time.Date(2026, 11, 26, 3, 12, 0, 0, time.UTC)
		var n notified
		srv := httptest.NewServer(NewServer(Deps{Heartbeats: s, Now: fixedClock(&at), OnHeartbeat: n.notify}).Handler())
		t.Cleanup(srv.Close)
		unknown := "hb_0123456789abcdef_" + strings.Repeat("A", 43)

		tests := []struct {
			name       string
			method     string
			token      string
			body       string
			wantStatus int
			wantBody   map[string]string
			wantPing   *heartbeat.Ping // the last ping of backup/nightly after the call
		}{
			{"post without body", "POST", token, "", 202,
				map[string]string{"check": "backup/nightly", "status": "ok"}, &heartbeat.Ping{Status: heartbeat.StatusOK}},
			{"post with a failure", "POST", token, `{"status":"fail","message":"disk full"}`, 202,
				map[string]string{"check": "backup/nightly", "status": "fail"}, &heartbeat.Ping{Status: heartbeat.StatusFail, Message: "disk full"}},
			{"get from a cron line", "GET", token, "", 202,
				map[string]string{"check": "backup/nightly", "status": "ok"}, &heartbeat.Ping{Status: heartbeat.StatusOK}},
			{"head from a cron line", "HEAD", token, "", 202, nil, &heartbeat.Ping{Status: heartbeat.StatusOK}},
			{"unknown token", "POST", unknown, `{"status":"fail"}`, 404,
				map[string]string{"error": "Not Found", "message": "unknown heartbeat token"}, nil},
			{"malformed token", "POST", "hb_nope", "", 404,
				map[string]string{"error": "Not Found", "message": "unknown heartbeat token"}, nil},
			{"token with a wrong secret", "POST", token[:len(token)-4] + "AAAA", "", 404,
				map[string]string{"error": "Not Found", "message": "unknown heartbeat token"}, nil},
			{"unknown field", "POST", token, `{"status":"fail","colour":"red"}`, 400,
				map[string]string{"error": "Bad Request", "message": `unknown field "colour"`}, nil},
			{"bad status", "POST", token, `{"status":"FAILED"}`, 400,
				map[string]string{"error": "Bad Request", "message": `field "status": want "ok" or "fail", got "FAILED"`}, nil},
			{"oversized body", "POST", token, `{"message":"` + strings.Repeat("a", heartbeat.MaxBody) + `"}`, 413,
				map[string]string{"error": "Request Entity Too Large", "message": "body larger than 65536 bytes"}, nil},
			{"other method", "DELETE", token, "", 405, nil, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Start from a known last ping, so that refused calls can be
				// seen to write nothing.
				if _, err := s.Record(context.Background(), token, heartbeat.Ping{Status: heartbeat.StatusOK, Message: "before"}, t0); err != nil {
					t.Fatal(err)
				}
				n.take()
				status, body := rawCall(t, tt.method, srv.URL+"/api/v1/heartbeats/"+tt.token, tt.body)
				if status != tt.wantStatus {
					t.Fatalf("status %d, want %d (body %s)", status, tt.wantStatus, body)
				}
				if tt.wantBody != nil {
					var got map[string]string
					if err := json.Unmarshal([]byte(body), &got); err != nil {
						t.Fatalf("body %q: %v", body, err)
					}
					if len(got) != len(tt.wantBody) || got["message"] != tt.wantBody["message"] ||
						got["error"] != tt.wantBody["error"] || got["check"] != tt.wantBody["check"] || got["status"] != tt.wantBody["status"] {
						t.Errorf("body %v, want %v", got, tt.wantBody)
					}
				}
				p, last, err := s.Last(context.Background(), "backup/nightly")
				if err != nil {
					t.Fatal(err)
				}
				calls := n.take()
				if tt.wantPing == nil {
					if !last.Equal(t0) || p.Message != "before" || len(calls) != 0 {
						t.Errorf("refused call wrote %+v at %v, notified %v", p, last, calls)
					}
					return
				}
				if !last.Equal(at) || p.Status != tt.wantPing.Status || p.Message != tt.wantPing.Message {
					t.Errorf("last ping %+v at %v, want %+v at %v", p, last, *tt.wantPing, at)
				}
				if want := "backup/nightly " + tt.wantPing.Status; len(calls) != 1 || calls[0] != want {
					t.Errorf("notified %v, want [%s]", calls, want)
				}
			})
		}
		if _, last, err := s.Last(context.Background(), "db/dump"); err != nil || !last.IsZero() {
			t.Errorf("another check was written: %v, %v", last, err)
		}
	})
}

// denyAfter allows n requests, then refuses asking for wait.
type denyAfter struct {
	mu   sync.Mutex
	n    int
	wait time.Duration
	seen []netip.Addr
}

func (d *denyAfter) Allow(addr netip.Addr) (bool, time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen = append(d.seen, addr)
	if d.n > 0 {
		d.n--
		return true, 0
	}
	return false, d.wait
}

func TestUnauthenticatedRoutesAreRateLimited(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := heartbeat.NewStore(db)
	token := ensureToken(t, s, "backup/nightly")
	lim := &denyAfter{n: 2, wait: 1500 * time.Millisecond}
	srv := httptest.NewServer(NewServer(Deps{Heartbeats: s, Limiter: lim}).Handler())
	t.Cleanup(srv.Close)
	for i, want := range []int{202, 202, 429} {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/heartbeats/"+token, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("request %d: %d, want %d", i, resp.StatusCode, want)
		}
		if want == 429 && resp.Header.Get("Retry-After") != "2" {
			t.Fatalf("Retry-After %q, want 2 (1.5 s rounded up)", resp.Header.Get("Retry-After"))
		}
	}
	if len(lim.seen) != 3 || !lim.seen[0].IsLoopback() {
		t.Fatalf("limiter saw %v", lim.seen)
	}
}
