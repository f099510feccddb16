package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The helpers of this file run vigie as real processes: the test binary
// itself, made to act as the command by TestMain.

// proc is one vigie process started by a test.
type proc struct {
	name string
	addr string // host:port of a serve, else ""
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed once the process has exited
}

// syncBuffer is a bytes.Buffer the process's output goroutine and the test
// may use together.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startVigie starts vigie with args on the database dsn. The process is
// killed at the end of the test if it still runs, and its output is shown
// when the test failed.
func startVigie(t *testing.T, name, dsn string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "VIGIE_TEST_AS_MAIN=1", "VIGIE_DB="+dsn)
	p := &proc{name: name, cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("output of %s (vigie %s):\n%s", name, strings.Join(args, " "), p.out.String())
		}
	})
	return p
}

// startServe starts vigie serve on a free loopback port with the given
// flags and waits until it answers /healthz.
func startServe(t *testing.T, name, dsn string, flags ...string) *proc {
	t.Helper()
	addr := freeAddr(t)
	p := startVigie(t, name, dsn, append([]string{"serve", "--listen", addr}, flags...)...)
	p.addr = addr
	waitFor(t, 20*time.Second, name+" answers /healthz", func() bool {
		if p.exited() {
			t.Fatalf("%s exited with %d before answering:\n%s", name, p.exitCode(), p.out.String())
		}
		resp, err := httpClient.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitCode is the status the process exited with; call it once exited.
func (p *proc) exitCode() int { return p.cmd.ProcessState.ExitCode() }

// signal sends sig to the process.
func (p *proc) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %s: %v", p.name, err)
	}
}

// wait waits up to limit for the process to exit and returns how long it
// took; it fails the test when the process is still running.
func (p *proc) wait(t *testing.T, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	select {
	case <-p.done:
		return time.Since(start)
	case <-time.After(limit):
		t.Fatalf("%s still running after %s:\n%s", p.name, limit, p.out.String())
		return 0
	}
}

// stop ends a server with SIGTERM and requires a clean exit within 15 s.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.signal(t, syscall.SIGTERM)
	p.wait(t, 15*time.Second)
	if code := p.exitCode(); code != 0 {
		t.Fatalf("%s exited with %d after SIGTERM:\n%s", p.name, code, p.out.String())
	}
}

// httpClient bounds every request of these tests; long polls use their own.
var httpClient = &http.Client{Timeout: 10 * time.Second}

// call makes one request to the server with a bearer token and returns the
// status and the body.
func (p *proc) call(method, path, token, body string) (int, []byte, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://"+p.addr+path, r)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// getJSON decodes the answer of GET path into v, requiring 200.
func (p *proc) getJSON(path, token string, v any) error {
	status, body, err := p.call("GET", path, token, "")
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, status, body)
	}
	return json.Unmarshal(body, v)
}

// readiness is what the tests read of /readyz.
type readiness struct {
	Ready    bool `json:"ready"`
	Leader   bool `json:"leader"`
	Database struct {
		OK bool `json:"ok"`
	} `json:"database"`
}

// readyz reads /readyz, whatever its status (503 says not ready).
func (p *proc) readyz() (readiness, error) {
	var r readiness
	_, body, err := p.call("GET", "/readyz", "", "")
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return r, fmt.Errorf("readyz: %w: %s", err, body)
	}
	return r, nil
}

// waitFor polls cond every 50 ms until it holds, failing the test with
// what when limit passes first.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting until %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// staffToken makes a user and an API token for it with the CLI.
func staffToken(t *testing.T, dsn string) string {
	t.Helper()
	if r := vigie(t, dsn, "a long enough password\n", "user", "add", "--email", "ops@example.org", "--role", "admin"); r.code != 0 {
		t.Fatalf("user add: %+v", r)
	}
	r := vigie(t, dsn, "", "token", "create", "--user", "ops@example.org", "--name", "test")
	token := strings.TrimSpace(r.stdout)
	if r.code != 0 || !strings.HasPrefix(token, "vigie_") {
		t.Fatalf("token create: %+v", r)
	}
	return token
}

// importYAML imports an inventory given as text with vigie import.
func importYAML(t *testing.T, dsn, text string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "inventory.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := vigie(t, dsn, "", "import", path); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
}

// alertmanagerBody is an Alertmanager (version 4) webhook with one alert on
// the asset named by its label; resolved sets endsAt.
func alertmanagerBody(asset, fingerprint string, resolved bool) string {
	status, ends := "firing", "0001-01-01T00:00:00Z"
	if resolved {
		status, ends = "resolved", time.Now().UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf(`{"version":"4","groupKey":"{}:{alertname=\"HostDown\"}","status":%q,"receiver":"vigie",
 "groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093",
 "alerts":[{"status":%q,"labels":{"alertname":"HostDown","asset":%q},"annotations":{"summary":"%s is down"},
   "startsAt":"2026-11-27T02:10:00Z","endsAt":%q,"fingerprint":%q}]}`,
		status, status, asset, asset, ends, fingerprint)
}

// postAlert posts an Alertmanager webhook with one matched alert and
// requires it to be taken as one new signal.
func postAlert(t *testing.T, p *proc, token, body string) {
	t.Helper()
	status, answer, err := p.call("POST", "/api/v1/alertmanager", token, body)
	var got map[string]int
	if err == nil {
		err = json.Unmarshal(answer, &got)
	}
	if err != nil || status != http.StatusOK || got["matched"] != 1 || got["new_signals"] != 1 {
		t.Fatalf("alert to %s: %d %s %v", p.name, status, answer, err)
	}
}
