package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// remoteHost is one VM whose tcp check runs only from two remote locations.
func remoteHost(addr string) string {
	return `assets:
  - name: web1
    kind: vm
    address: "` + addr + `"
check_defaults:
  vm: {kind: tcp, interval: 1s, timeout: 500ms, locations: [paris, montreal]}
`
}

func (s signals) count(kind detect.SignalKind, location string) int {
	n := 0
	for _, sg := range s.list() {
		if sg.Kind == kind && (location == "" || sg.Location == location) {
			n++
		}
	}
	return n
}

func (s signals) waitFor(t *testing.T, kind detect.SignalKind, location string, within time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if s.count(kind, location) > 0 {
			return
		}
	}
	t.Fatalf("no %s signal for %q within %s; got %+v", kind, location, within, s.list())
}

// TestTwoRemoteProbesNeverGiveAFalseDown runs the server and two remote
// probes on loopback: one whose network sees everything failing, then one
// cut off. Neither makes the check DOWN: the first is a problem of its
// location, the second a silent location.
func TestTwoRemoteProbesNeverGiveAFalseDown(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = target.Close() }()
	go func() {
		for {
			c, err := target.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	a, err := app.Open(ctx, app.Config{DB: storetest.DSN(t, store.SQLite), Probe: true,
		SweepEvery: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sigs := signals{a.Detection}
	defer func() { _ = a.Close() }()
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(remoteHost(target.Addr().String()))}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, name := range []string{"paris", "montreal"} {
		if tokens[name], err = a.Locations.Add(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	// Short poll intervals so that a cut-off location falls silent quickly.
	if _, err := a.DB.ExecContext(ctx, `UPDATE probe_locations SET poll_interval_ms = 500`); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	server := "http://" + ln.Addr().String()

	var montrealBroken atomic.Bool
	montrealBroken.Store(true)
	brokenDial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if montrealBroken.Load() {
			return nil, errors.New("network unreachable from montreal")
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	start := func(name string, engine *check.Engine) context.CancelFunc {
		rctx, stop := context.WithCancel(ctx)
		r, err := probe.NewRemote(probe.RemoteOptions{Server: server, Token: tokens[name], BufferDir: t.TempDir(),
			Engine: engine, Wait: time.Second, PushEvery: 200 * time.Millisecond, Client: &http.Client{Timeout: 5 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = r.Run(rctx) }()
		return stop
	}
	stopParis := start("paris", check.NewEngine(check.Options{}))
	stopMontreal := start("montreal", check.NewEngine(check.Options{Dial: brokenDial}))
	defer stopMontreal()

	// Paris sees the VM up, Montreal sees it down: a majority of two is
	// needed either way, so the check is neither, and Montreal has a problem.
	sigs.waitFor(t, detect.LocationProblem, "montreal", 10*time.Second)
	if n := sigs.count(detect.CheckDown, ""); n != 0 {
		t.Fatalf("montreal's broken network made the check DOWN (%d signals)", n)
	}
	montrealBroken.Store(false)
	sigs.waitFor(t, detect.LocationRecovered, "montreal", 10*time.Second)
	sigs.waitFor(t, detect.CheckUp, "", 10*time.Second)
	stopParis()
	sigs.waitFor(t, detect.LocationSilent, "paris", 10*time.Second)
	// Two seconds of the detector's sweeps with paris silent.
	roundsAfter(t, a, "monitor", time.Now().Add(2*time.Second), 10*time.Second)
	if n := sigs.count(detect.CheckDown, ""); n != 0 {
		t.Fatalf("paris cut off made the check DOWN (%d signals)", n)
	}
	cancel()
	<-served
}

// TestBufferedResultsAreReplayedOnceAfterARestart stops the server while a
// remote probe keeps working, starts it again on the same database and
// address, and checks that every result the probe produced was taken once.
func TestBufferedResultsAreReplayedOnceAfterARestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = target.Close() }()
	dsn := storetest.DSN(t, store.SQLite)
	host := `assets:
  - name: web1
    kind: vm
    address: "` + target.Addr().String() + `"
check_defaults:
  vm: {kind: tcp, interval: 200ms, timeout: 100ms, locations: [paris]}
`
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	// serve runs one server process on the shared database until stop.
	serve := func(ln net.Listener) (*app.App, func()) {
		sctx, stop := context.WithCancel(ctx)
		a, err := app.Open(sctx, app.Config{DB: dsn, Probe: true, SweepEvery: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- a.Serve(sctx, ln) }()
		return a, func() {
			stop()
			if err := <-done; err != nil {
				t.Error(err)
			}
			_ = a.Close()
		}
	}
	first, stopFirst := serve(ln)
	if _, err := first.Inventory.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	token, err := first.Locations.Add(ctx, "paris")
	if err != nil {
		t.Fatal(err)
	}
	r, err := probe.NewRemote(probe.RemoteOptions{Server: "http://" + addr, Token: token, BufferDir: t.TempDir(),
		Wait: 500 * time.Millisecond, PushEvery: 100 * time.Millisecond, Client: &http.Client{Timeout: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	rctx, stopRemote := context.WithCancel(ctx)
	remoteDone := make(chan error, 1)
	go func() { remoteDone <- r.Run(rctx) }()

	waitUntil(t, 15*time.Second, "first results taken", func() bool { return first.Results.Accepted() >= 3 })
	stopFirst()
	takenFirst := first.Results.Accepted()
	// The server is down: results pile up in the probe's buffer.
	waitUntil(t, 10*time.Second, "results buffered", func() bool { return r.Buffered() >= 5 })

	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	second, stopSecond := serve(ln)
	waitUntil(t, 15*time.Second, "buffer replayed", func() bool { return r.Buffered() == 0 && second.Results.Accepted() > 5 })
	stopRemote()
	if err := <-remoteDone; err != nil {
		t.Fatal(err)
	}
	// The probe stopped: no push is in flight; compare what was produced
	// and taken.
	_, lastSeq, err := second.Locations.LastSeq(ctx, "paris")
	if err != nil {
		t.Fatal(err)
	}
	stopSecond()
	taken := takenFirst + second.Results.Accepted()
	if taken != lastSeq {
		t.Fatalf("results numbered 1..%d, taken %d times (%d before the restart): lost or doubled", lastSeq, taken, takenFirst)
	}
	t.Logf("%d results, %d taken before the restart, %d replayed or new after", lastSeq, takenFirst, taken-takenFirst)
}

func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for: %s", what)
}

// TestAReplayedBatchIsTakenOnce posts the same batch twice, and a batch
// overlapping it: each result counts once, across a new epoch too.
func TestAReplayedBatchIsTakenOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := app.Open(ctx, app.Config{DB: storetest.DSN(t, store.SQLite), Probe: true, SweepEvery: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = a.Close() }()
	host := "assets:\n  - {name: web1, kind: vm, address: \"127.0.0.1:9\"}\ncheck_defaults:\n  vm: {kind: tcp, interval: 1h, locations: [paris]}\n"
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "h.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
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
	post := func(body string) string {
		t.Helper()
		req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/api/v1/probe/results", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var out struct{ Ack string }
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("post: %d %v", resp.StatusCode, err)
		}
		return out.Ack
	}
	rec := func(seq int) string {
		return fmt.Sprintf(`{"seq":%d,"key":"web1/tcp","result":{"ok":true,"phase":"done","timings":{},"started":"2026-11-26T03:00:00Z"}}`, seq)
	}
	batch := `{"epoch":"e1","records":[` + rec(1) + `,` + rec(2) + `,` + rec(3) + `]}`
	steps := []struct {
		body  string
		ack   string
		taken uint64
	}{
		{batch, "3", 3},
		{batch, "3", 3},
		{`{"epoch":"e1","records":[` + rec(2) + `,` + rec(3) + `,` + rec(4) + `]}`, "4", 4},
		// The probe lost its disk: a new epoch counts from 1 again.
		{`{"epoch":"e2","records":[` + rec(1) + `]}`, "1", 5},
	}
	for i, s := range steps {
		if ack := post(s.body); ack != s.ack || a.Results.Accepted() != s.taken {
			t.Fatalf("step %d: ack %s taken %d, want %s and %d", i, ack, a.Results.Accepted(), s.ack, s.taken)
		}
	}
	req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/api/v1/probe/results", strings.NewReader(batch))
	req.Header.Set("Authorization", "Bearer vloc_nope_nope")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad location token: %d", resp.StatusCode)
	}
}

// TestHostAgentReportsAPowerSavingHypervisor runs the host agent on a fake
// /sys tree of a hypervisor in powersave: the violation is listed by the
// compliance API and signalled once; fixing the governor clears it.
func TestHostAgentReportsAPowerSavingHypervisor(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := app.Open(ctx, app.Config{DB: storetest.DSN(t, store.SQLite)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = a.Close() }()
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "h.yaml", Data: []byte("assets:\n  - {name: hv03, kind: hypervisor}\n")}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	agents := probe.NewAgentStore(a.DB)
	token, err := agents.Add(ctx, "hv03")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.AddUser(ctx, "ops@example.org", auth.RoleStaff, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	bearer, _, err := a.Auth.CreateToken(ctx, "ops@example.org", auth.TokenSpec{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	report := func(tree string) int {
		t.Helper()
		n, err := probe.ReportFacts(ctx, probe.AgentOptions{Server: srv.URL, Token: token, Asset: "hv03",
			Root: "../facts/testdata/hosts/" + tree})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := report("hypervisor-powersave"); n == 0 {
		t.Fatal("a powersave hypervisor reported no violation")
	}
	report("hypervisor-powersave") // the same again: no second signal
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/compliance", nil)
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Hosts []struct {
			Asset      string
			Facts      map[string]string
			Violations []struct{ Rule, Message string }
		}
	}
	err = json.NewDecoder(resp.Body).Decode(&list)
	_ = resp.Body.Close()
	if err != nil || len(list.Hosts) != 1 || list.Hosts[0].Facts["cpu.governor"] != "powersave" ||
		len(list.Hosts[0].Violations) == 0 || list.Hosts[0].Violations[0].Rule != "hypervisor-performance-governor" {
		t.Fatalf("compliance: %+v (%v)", list, err)
	}
	if n := report("hypervisor-ok"); n != 0 {
		t.Fatalf("a compliant hypervisor has %d violations", n)
	}
	sigs, err := a.Detection.Signals(ctx, detect.SignalFilter{Asset: "hv03"})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range sigs {
		kinds = append(kinds, string(s.Kind))
	}
	if got := strings.Join(kinds, " "); got != "compliance-ok compliance-violation" {
		t.Fatalf("signals: %s", got)
	}
}
