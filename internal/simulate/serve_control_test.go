package simulate

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// call sends a request to the control API and decodes the JSON answer into
// out when out is not nil.
func call(t *testing.T, base, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

func TestControlAPIFaultsRoundTrip(t *testing.T) {
	f, _ := startFarm(t, 500)
	srv := httptest.NewServer(f.Handler())
	defer srv.Close()
	posts := []struct {
		body string
		code int
	}{
		{`{"fault":"stop-vm","target":"web-001"}`, 201},
		{`{"fault":"slow","target":"s0000200","delay":"50ms"}`, 201},
		{`{"fault":"status","target":"s0000201","code":503}`, 201},
		{`{"fault":"expire-cert","target":"s0000202","days":5}`, 201},
		{`{"fault":"flap","target":"s0000203","period":"1m"}`, 201},
		{`{"fault":"expire-cert","target":"s0000202"}`, 400},
		{`{"fault":"melt","target":"web-001"}`, 400},
		{`{"fault":"slow","target":"s0000200","delay":"soon"}`, 400},
		{`{"fault":"stop-vm","target":"web-001","colour":"red"}`, 400},
		{`{"fault":"stop-vm","target":"web-404"}`, 404},
		{`not json`, 400},
	}
	for _, p := range posts {
		if got := call(t, srv.URL, "POST", "/faults", p.body, nil); got != p.code {
			t.Errorf("POST %s = %d, want %d", p.body, got, p.code)
		}
	}
	var listed []faultJSON
	call(t, srv.URL, "GET", "/faults", "", &listed)
	if len(listed) != 5 || listed[0].Fault != FaultExpireCert || *listed[0].Days != 5 || listed[1].Period != "1m0s" || listed[0].Since.IsZero() {
		t.Errorf("GET /faults = %+v", listed)
	}
	if !refused(t, f, "www.s0000001.example:443") {
		t.Error("web-001 accepts after stop-vm through the API")
	}
	if got := call(t, srv.URL, "DELETE", "/faults?fault=stop-vm&target=web-001", "", nil); got != 204 {
		t.Errorf("DELETE one fault = %d", got)
	}
	if refused(t, f, "www.s0000001.example:443") {
		t.Error("web-001 refuses after its fault is deleted")
	}
	if got := call(t, srv.URL, "DELETE", "/faults?fault=stop-vm", "", nil); got != 400 {
		t.Errorf("DELETE without target = %d", got)
	}
	if got := call(t, srv.URL, "DELETE", "/faults", "", nil); got != 204 {
		t.Errorf("DELETE /faults = %d", got)
	}
	call(t, srv.URL, "GET", "/faults", "", &listed)
	if len(listed) != 0 {
		t.Errorf("faults after DELETE: %+v", listed)
	}
}

func TestControlAPIListsSites(t *testing.T) {
	f, _ := startFarm(t, 500)
	srv := httptest.NewServer(f.Handler())
	defer srv.Close()
	var sites []SiteInfo
	call(t, srv.URL, "GET", "/sites?vm=web-002", "", &sites)
	plain, secure := f.Addr("web-002")
	if len(sites) != 120 || sites[0].Site != "s0000121" || sites[0].URL != "https://www.s0000121.example/" ||
		sites[0].HTTP != plain || sites[0].HTTPS != secure {
		t.Errorf("GET /sites?vm=web-002 = %d sites, first %+v", len(sites), sites[0])
	}
	call(t, srv.URL, "GET", "/sites", "", &sites)
	if len(sites) != 500 {
		t.Errorf("GET /sites = %d sites", len(sites))
	}
	if got := call(t, srv.URL, "GET", "/sites?vm=dbvm-001", "", nil); got != 404 {
		t.Errorf("sites of a VM serving none = %d", got)
	}
}

// listening is a slog.Handler that hands over the address the control API
// says it listens on.
type listening chan string

func (l listening) Enabled(context.Context, slog.Level) bool { return true }
func (l listening) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l listening) WithGroup(string) slog.Handler            { return l }

func (l listening) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "farm control listening" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "addr" {
			l <- a.Value.String()
		}
		return true
	})
	return nil
}

func TestServeControlStopsWithContext(t *testing.T) {
	addrs := make(listening, 1)
	f, err := NewFarm(Generate(Params{Sites: 10}), FarmOptions{Logger: slog.New(addrs)})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	if err := f.ServeControl(t.Context(), "0.0.0.0:0"); err == nil {
		t.Error("ServeControl on every interface accepted")
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.ServeControl(ctx, "127.0.0.1:0") }()
	select {
	case addr := <-addrs:
		if got := call(t, "http://"+addr, "GET", "/faults", "", nil); got != 200 {
			t.Errorf("GET /faults = %d", got)
		}
	case err := <-done:
		t.Fatalf("ServeControl = %v before serving", err)
	case <-time.After(3 * time.Second):
		t.Fatal("ServeControl is not listening")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeControl = %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("ServeControl did not return after cancel")
	}
}
