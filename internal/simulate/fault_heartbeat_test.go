package simulate

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// beats starts a server receiving heartbeats and returns its URL and the
// statuses posted, as they come.
func beats(t *testing.T) (string, <-chan string) {
	t.Helper()
	got := make(chan string, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Status string `json:"status"`
		}
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
			http.Error(w, "bad heartbeat", http.StatusBadRequest)
			return
		}
		select {
		case got <- body.Status:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/heartbeat/backup-01", got
}

// await waits for a heartbeat with the given status, skipping others.
func await(t *testing.T, got <-chan string, want string) {
	t.Helper()
	timeout := time.After(3 * time.Second)
	for {
		select {
		case s := <-got:
			if s == want {
				return
			}
		case <-timeout:
			t.Fatalf("no %q heartbeat", want)
		}
	}
}

// quiet reports whether no heartbeat comes for d, after letting one that
// was on its way arrive.
func quiet(got <-chan string, d time.Duration) bool {
	time.Sleep(d / 2)
	for len(got) > 0 {
		<-got
	}
	select {
	case <-got:
		return false
	case <-time.After(d):
		return true
	}
}

func TestHeartbeatSenderPostsAndStops(t *testing.T) {
	url, got := beats(t)
	h, err := NewHeartbeatSender(url, 20*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	await(t, got, "ok")
	await(t, got, "ok")
	h.SetFailing(true)
	await(t, got, "fail")
	h.SetSilent(true)
	if !quiet(got, 100*time.Millisecond) {
		t.Error("silent sender still posts")
	}
	h.SetFailing(false)
	h.SetSilent(false)
	await(t, got, "ok")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if !quiet(got, 60*time.Millisecond) {
		t.Error("stopped sender still posts")
	}
	if h.Sent() < 3 || h.Err() != nil {
		t.Errorf("Sent = %d, Err = %v", h.Sent(), h.Err())
	}
}

func TestHeartbeatFaultsReachSenders(t *testing.T) {
	f, _ := startFarm(t, 10)
	url, got := beats(t)
	h, err := NewHeartbeatSender(url, 20*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.AddHeartbeat("backup-01", h); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.Run(t.Context())
	}()
	t.Cleanup(func() { <-done })
	if err := f.Apply(Fault{Kind: FaultHeartbeatFail, Target: "backup-01"}); err != nil {
		t.Fatal(err)
	}
	await(t, got, "fail")
	if err := f.Apply(Fault{Kind: FaultHeartbeatStop, Target: "backup-01"}); err != nil {
		t.Fatal(err)
	}
	if !quiet(got, 100*time.Millisecond) {
		t.Error("stopped heartbeat still posts")
	}
	if err := f.Reset(); err != nil {
		t.Fatal(err)
	}
	await(t, got, "ok")
	if err := f.Apply(Fault{Kind: FaultHeartbeatFail, Target: "nope"}); err == nil {
		t.Error("fault on an unknown heartbeat accepted")
	}
}

func TestNewHeartbeatSenderStaysOnLoopback(t *testing.T) {
	tests := []struct {
		url    string
		period time.Duration
		ok     bool
	}{
		{"http://127.0.0.1:8080/hb", time.Second, true},
		{"https://localhost/hb", time.Second, true},
		{"http://[::1]:9/hb", time.Second, true},
		{"http://example.com/hb", time.Second, false},
		{"http://10.0.0.1/hb", time.Second, false},
		{"ftp://127.0.0.1/hb", time.Second, false},
		{"http://127.0.0.1/hb", time.Millisecond, false},
	}
	for _, tt := range tests {
		if _, err := NewHeartbeatSender(tt.url, tt.period, nil); (err == nil) != tt.ok {
			t.Errorf("NewHeartbeatSender(%s, %s) = %v, want ok %v", tt.url, tt.period, err, tt.ok)
		}
	}
}
