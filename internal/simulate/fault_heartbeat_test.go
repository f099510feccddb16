package simulate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

// roundTripFunc is an http.RoundTripper written as a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// beats returns a heartbeat URL, a client that delivers the posts to it in
// memory, and the statuses posted, as they come. Nothing goes through the
// network, so that the tests run in a synctest bubble, on a fake clock.
func beats() (string, *http.Client, <-chan string) {
	got := make(chan string, 100)
	receive := func(r *http.Request) (*http.Response, error) {
		defer r.Body.Close()
		var body struct {
			Status string `json:"status"`
		}
		code := http.StatusNoContent
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
			code = http.StatusBadRequest
		} else {
			select {
			case got <- body.Status:
			default:
			}
		}
		return &http.Response{StatusCode: code, Status: fmt.Sprintf("%d %s", code, http.StatusText(code)),
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	}
	return "http://127.0.0.1:8080/api/heartbeat/backup-01", &http.Client{Transport: roundTripFunc(receive)}, got
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

// quiet reports whether no heartbeat comes for d, once the one that may
// have been on its way has arrived. It runs in a synctest bubble: d passes
// on the bubble's fake clock, with every tick of the sender in it.
func quiet(got <-chan string, d time.Duration) bool {
	synctest.Wait() // a post under way has arrived
	for len(got) > 0 {
		<-got
	}
	time.Sleep(d)
	synctest.Wait()
	return len(got) == 0
}

func TestHeartbeatSenderPostsAndStops(t *testing.T) {
	synctest.Test(t, testHeartbeatSenderPostsAndStops)
}

// testHeartbeatSenderPostsAndStops runs in a synctest bubble, on a fake
// clock.
func testHeartbeatSenderPostsAndStops(t *testing.T) {
	url, client, got := beats()
	h, err := NewHeartbeatSender(url, 20*time.Millisecond, client)
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
	synctest.Test(t, testHeartbeatFaultsReachSenders)
}

// testHeartbeatFaultsReachSenders runs in a synctest bubble, on a fake
// clock.
func testHeartbeatFaultsReachSenders(t *testing.T) {
	// Heartbeat faults need no listener: the farm is not started, so that
	// the test runs in a synctest bubble.
	f, err := NewFarm(Generate(Params{Sites: 10}), FarmOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	url, client, got := beats()
	h, err := NewHeartbeatSender(url, 20*time.Millisecond, client)
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
