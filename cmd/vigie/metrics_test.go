package main

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestMetricsPassPromlint reads /metrics of a running server, with the
// built-in probe and after an alert, and lints it as Prometheus would
// have it: every metric of Vigie is there and none has a problem.
func TestMetricsPassPromlint(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = target.Close() }()
	go (&connLog{}).serve(target)
	importYAML(t, dsn, fmt.Sprintf("assets:\n  - {name: hv1, kind: hypervisor, address: %q}\n"+
		"check_defaults:\n  hypervisor: {kind: tcp, interval: 1s}\n", target.Addr().String()))
	token := staffToken(t, dsn)
	srv := startServe(t, "server", dsn, "--sweep", "200ms")
	postAlert(t, srv, token, alertmanagerBody("hv1", "fp-hv1", false))

	want := []string{"vigie_leader", "vigie_component_lag_seconds", "vigie_signals_appended_total",
		"vigie_intake_requests_total", "vigie_db_query_duration_seconds", "vigie_probe_runs_total"}
	var body []byte
	waitFor(t, 15*time.Second, "/metrics shows every metric of Vigie", func() bool {
		status, b, err := srv.call("GET", "/metrics", "", "")
		if err != nil || status != 200 {
			return false
		}
		body = b
		for _, name := range want {
			if !bytes.Contains(b, []byte("\n# TYPE "+name+" ")) {
				return false
			}
		}
		return true
	})
	if !bytes.Contains(body, []byte("vigie_leader 1\n")) ||
		!bytes.Contains(body, []byte(`vigie_intake_requests_total{intake="alertmanager",outcome="ok"} 1`)) {
		t.Errorf("leader or intake count wrong:\n%s", grepLines(body, "vigie_leader", "vigie_intake"))
	}
	problems, err := promlint.New(bytes.NewReader(body)).Lint()
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	srv.stop(t)
}

// grepLines returns the lines of b that start with one of the prefixes.
func grepLines(b []byte, prefixes ...string) string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
