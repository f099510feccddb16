package simulate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Heartbeat bodies, as a backup job would post them.
const (
	heartbeatOK   = `{"status":"ok"}`
	heartbeatFail = `{"status":"fail"}`
	// heartbeatTimeout bounds one post when the caller gives no client.
	heartbeatTimeout = 10 * time.Second
	maxDrain         = 64 << 10
)

// HeartbeatSender posts {"status":"ok"} to a URL every period, the way a
// backup job reports to Vigie. It can be silenced, to miss beats, or made
// to report {"status":"fail"}; both are reversible at any time.
type HeartbeatSender struct {
	url    string
	period time.Duration
	client *http.Client

	mu      sync.Mutex
	silent  bool
	failing bool
	sent    int
	lastErr error
}

// NewHeartbeatSender returns a sender posting to target, a URL on loopback,
// every period. A nil client uses one with a ten-second timeout.
func NewHeartbeatSender(target string, period time.Duration, client *http.Client) (*HeartbeatSender, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("heartbeat sender: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("heartbeat sender: %q is not an http or https URL", target)
	}
	if !loopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("heartbeat sender: %q is not on loopback", target)
	}
	if period < minFlapPeriod {
		return nil, fmt.Errorf("heartbeat sender: period %s is shorter than %s", period, minFlapPeriod)
	}
	if client == nil {
		client = &http.Client{Timeout: heartbeatTimeout}
	}
	return &HeartbeatSender{url: target, period: period, client: client}, nil
}

// Run posts a beat at once and then every period until ctx is done, and
// returns nil then. Failed posts are counted in Err, never fatal.
func (h *HeartbeatSender) Run(ctx context.Context) error {
	t := time.NewTicker(h.period)
	defer t.Stop()
	for {
		h.beat(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// beat posts one heartbeat unless the sender is silent.
func (h *HeartbeatSender) beat(ctx context.Context) {
	h.mu.Lock()
	silent, body := h.silent, heartbeatOK
	if h.failing {
		body = heartbeatFail
	}
	h.mu.Unlock()
	if silent || ctx.Err() != nil {
		return
	}
	err := h.post(ctx, body)
	if ctx.Err() != nil {
		return // stopping; the cut post is no failure
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastErr = err
	if err == nil {
		h.sent++
	}
}

func (h *HeartbeatSender) post(ctx context.Context, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	err = errors.Join(err, resp.Body.Close())
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("heartbeat: %s answered %s", h.url, resp.Status)
	}
	if err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	return nil
}

// SetSilent stops (true) or resumes (false) the posts.
func (h *HeartbeatSender) SetSilent(silent bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.silent = silent
}

// SetFailing makes the posts report "fail" (true) or "ok" (false).
func (h *HeartbeatSender) SetFailing(failing bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failing = failing
}

// Sent returns how many posts were answered with a 2xx status.
func (h *HeartbeatSender) Sent() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sent
}

// Err returns the error of the last post, nil when it succeeded.
func (h *HeartbeatSender) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastErr
}

// AddHeartbeat registers a sender under name, so that heartbeat faults and
// Reset reach it; the caller runs it.
func (f *Farm) AddHeartbeat(name string, h *HeartbeatSender) error {
	if name == "" || h == nil {
		return fmt.Errorf("add heartbeat: %w: empty name or nil sender", ErrInvalidFault)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.heartbeats[name] != nil {
		return fmt.Errorf("add heartbeat %s: %w: name taken", name, ErrInvalidFault)
	}
	f.heartbeats[name] = h
	return nil
}

// loopbackHost reports whether host is localhost or a loopback IP.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
