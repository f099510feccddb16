package heartbeat

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// notified records the calls of a Handler's notify.
type notified struct {
	mu    sync.Mutex
	calls []string
}

func (n *notified) notify(key string, p Ping) {
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

func TestHandler(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := newTestStore(db)
		token := ensure(t, s, "backup/nightly")
		other := ensure(t, s, "db/dump")
		forged, _, _ := newToken()
		at := time.Date(2026, 11, 26, 3, 12, 0, 0, time.UTC)
		var n notified
		srv := httptest.NewServer(Handler(s, func() time.Time { return at }, n.notify, nil))
		t.Cleanup(srv.Close)

		tests := []struct {
			name       string
			method     string
			token      string
			body       string
			wantStatus int
			wantBody   map[string]string
			wantPing   *Ping // the last ping of backup/nightly after the call
		}{
			{"post without body", "POST", token, "", 202,
				map[string]string{"check": "backup/nightly", "status": "ok"}, &Ping{Status: StatusOK}},
			{"post with a failure", "POST", token, `{"status":"fail","message":"disk full"}`, 202,
				map[string]string{"check": "backup/nightly", "status": "fail"}, &Ping{Status: StatusFail, Message: "disk full"}},
			{"get from a cron line", "GET", token, "", 202,
				map[string]string{"check": "backup/nightly", "status": "ok"}, &Ping{Status: StatusOK}},
			{"head from a cron line", "HEAD", token, "", 202, nil, &Ping{Status: StatusOK}},
			{"post with every field", "POST", token, `{"status":"ok","size":10,"duration":"2s","message":"10 files"}`, 202,
				map[string]string{"check": "backup/nightly", "status": "ok"}, &Ping{Status: StatusOK, Message: "10 files"}},
			{"unknown token", "POST", forged, "", 404,
				map[string]string{"error": "Not Found", "message": "unknown heartbeat token"}, nil},
			{"malformed token", "POST", "hb_nope", "", 404,
				map[string]string{"error": "Not Found", "message": "unknown heartbeat token"}, nil},
			{"token with a wrong secret", "POST", token[:len(token)-4] + "AAAA", "", 404,
				map[string]string{"error": "Not Found", "message": "unknown heartbeat token"}, nil},
			{"unknown field", "POST", token, `{"status":"fail","colour":"red"}`, 400,
				map[string]string{"error": "Bad Request", "message": `unknown field "colour"`}, nil},
			{"bad status", "POST", token, `{"status":"FAILED"}`, 400,
				map[string]string{"error": "Bad Request", "message": `field "status": want "ok" or "fail", got "FAILED"`}, nil},
			{"oversized body", "POST", token, `{"message":"` + strings.Repeat("a", MaxBody) + `"}`, 413,
				map[string]string{"error": "Request Entity Too Large", "message": "body larger than 65536 bytes"}, nil},
			{"other method", "DELETE", token, "", 405, nil, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Start from a known last ping, so that refused calls can be
				// seen to write nothing.
				if _, err := s.Record(context.Background(), token, Ping{Status: StatusOK, Message: "before"}, t0); err != nil {
					t.Fatal(err)
				}
				n.take()
				status, body := call(t, tt.method, srv.URL+"/api/v1/heartbeats/"+tt.token, tt.body)
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
						t.Errorf("refused call wrote %s at %v, notified %v", showPing(p), last, calls)
					}
					return
				}
				if !last.Equal(at) || p.Status != tt.wantPing.Status || p.Message != tt.wantPing.Message {
					t.Errorf("last ping %s at %v, want %s at %v", showPing(p), last, showPing(*tt.wantPing), at)
				}
				if want := "backup/nightly " + tt.wantPing.Status; len(calls) != 1 || calls[0] != want {
					t.Errorf("notified %v, want [%s]", calls, want)
				}
			})
		}
		if _, last, err := s.Last(context.Background(), "db/dump"); err != nil || !last.IsZero() || other == "" {
			t.Errorf("another check was written: %v, %v", last, err)
		}
	})
}

// call makes one request and returns the status and body of the answer.
func call(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
