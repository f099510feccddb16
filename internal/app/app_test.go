package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const backupHost = `assets:
  - name: vm1
    kind: vm
  - name: backup-vm1
    kind: backup
    depends_on: [vm1]
checks:
  - asset: backup-vm1
    kind: heartbeat
    period: 2s
    grace: 1s
    interval: 1s
    timeout: 500ms
    attempts: 1
`

// signals reads the signal log of a server, for tests to wait on.
type signals struct{ st *detect.Store }

// list returns the latest signals, oldest first.
func (s signals) list() []detect.Signal {
	got, err := s.st.Signals(context.Background(), detect.SignalFilter{Limit: detect.MaxSignalLimit})
	if err != nil {
		return nil
	}
	out := make([]detect.Signal, len(got))
	for i, sg := range got {
		out[len(got)-1-i] = sg.Signal
	}
	return out
}

func (s signals) last(key string) (detect.Signal, bool) {
	list := s.list()
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Check == key && (list[i].Kind == detect.CheckDown || list[i].Kind == detect.CheckUp) {
			return list[i], true
		}
	}
	return detect.Signal{}, false
}

func (s signals) wait(t *testing.T, key string, kind detect.SignalKind, within time.Duration) detect.Signal {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if sig, ok := s.last(key); ok && sig.Kind == kind {
			return sig
		}
		time.Sleep(50 * time.Millisecond)
	}
	sig, _ := s.last(key)
	t.Fatalf("no %s for %s within %s; last: %+v", kind, key, within, sig)
	return detect.Signal{}
}

// TestHeartbeatsThroughTheServer runs the server with its built-in probe:
// a job's heartbeats keep its check up, a "fail" takes it down at once, and
// silence past period + grace takes it down as missed.
func TestHeartbeatsThroughTheServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	a, err := app.Open(ctx, app.Config{DB: storetest.DSN(t, store.SQLite), Probe: true,
		SweepEvery: 100 * time.Millisecond, CheckOptions: check.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	sigs := signals{a.Detection}
	defer func() { _ = a.Close() }()
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(backupHost)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.AddUser(ctx, "ops@example.org", auth.RoleAdmin, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	bearer, _, err := a.Auth.CreateToken(ctx, "ops@example.org", auth.TokenSpec{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	req, _ := http.NewRequest("POST", base+"/api/v1/checks/backup-vm1/heartbeat/token", nil)
	req.Header.Set("Authorization", "Bearer "+bearer)
	var tok struct{ URL string }
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&tok)
			_ = resp.Body.Close()
			if resp.StatusCode == 200 && err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("token call never succeeded: %v", err)
		}
	}
	ping := func(body string) {
		t.Helper()
		resp, err := http.Post(base+tok.URL, "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("ping: %d", resp.StatusCode)
		}
	}
	key := "backup-vm1/heartbeat"
	ping(`{"status":"ok","size":1024,"duration":12}`)
	sigs.wait(t, key, detect.CheckUp, 5*time.Second)
	ping(`{"status":"fail","message":"disk full on backup target"}`)
	down := sigs.wait(t, key, detect.CheckDown, 5*time.Second)
	if down.Reason != check.ReasonFailed || !strings.Contains(down.Message, "disk full") {
		t.Fatalf("fail ping gave %+v", down)
	}
	ping(``)
	sigs.wait(t, key, detect.CheckUp, 5*time.Second)
	// Now stop: past period + grace (3 s) the check is missed.
	missed := sigs.wait(t, key, detect.CheckDown, 8*time.Second)
	if missed.Reason != check.ReasonMissed {
		t.Fatalf("silence gave %+v", missed)
	}
	// The signals and the last state are stored and served by the API.
	get := func(path string, v any) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+bearer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	var page struct {
		Signals []struct{ Kind, Check, Reason string }
	}
	get("/api/v1/signals?check="+key, &page)
	var kinds []string
	for _, sg := range page.Signals {
		kinds = append(kinds, sg.Kind+":"+sg.Reason)
	}
	// Newest first; an up signal names the failure it ends.
	if got := strings.Join(kinds, " "); got != "check-down:missed check-up:failed check-down:failed check-up:" {
		t.Fatalf("stored signals: %s", got)
	}
	var states struct {
		States []struct{ Check, State, Reason string }
	}
	get("/api/v1/states", &states)
	if len(states.States) != 1 || states.States[0].State != "down" || states.States[0].Reason != "missed" {
		t.Fatalf("states: %+v", states)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	for _, want := range []string{"vigie_probe_lateness_seconds_bucket", `vigie_probe_runs_total{kind="heartbeat",result="ok"}`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
}
