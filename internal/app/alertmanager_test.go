package app_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const alertPayload = `{"version":"4","groupKey":"{}:{alertname=\"DiskFull\"}","status":"firing","receiver":"vigie",
 "groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093",
 "alerts":[
  {"status":"firing","labels":{"alertname":"DiskFull","instance":"127.0.3.1:9100"},"annotations":{"summary":"/var 98% full"},
   "startsAt":"2026-11-27T02:10:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"aa01"},
  {"status":"firing","labels":{"alertname":"Weird","asset":"nowhere"},"annotations":{},
   "startsAt":"2026-11-27T02:10:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"bb02"}]}`

// TestAlertmanagerDeliveredTwiceCountsOnce posts the same webhook twice:
// one signal per alert, the unmatched one kept, and an incident on the
// asset the firing alert maps to (by its instance address).
func TestAlertmanagerDeliveredTwiceCountsOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dsn := storetest.DSN(t, store.SQLite)
	// No built-in probe: alerts alone must still open incidents.
	a, err := app.Open(ctx, app.Config{DB: dsn, Probe: false, SweepEvery: 100 * time.Millisecond, Settle: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = a.Close() }()
	host := "assets:\n  - {name: db-07, kind: service, address: \"127.0.3.1:3306\"}\n  - {name: s1, kind: site, depends_on: [db-07]}\n"
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "h.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.AddUser(ctx, "am@example.org", auth.RoleStaff, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	bearer, _, err := a.Auth.CreateToken(ctx, "am@example.org", auth.TokenSpec{Name: "alertmanager", Scopes: []auth.Scope{auth.ScopeAlertmanager}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.Serve(ctx, ln) }()
	post := func(body string) (int, map[string]int) {
		t.Helper()
		req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/api/v1/alertmanager", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+bearer)
		var resp *http.Response
		waitUntil(t, 10*time.Second, "server up", func() bool { resp, err = http.DefaultClient.Do(req); return err == nil })
		defer func() { _ = resp.Body.Close() }()
		out := map[string]int{}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	for i, want := range []int{2, 0} {
		status, out := post(alertPayload)
		if status != 200 || out["matched"] != 1 || out["unmatched"] != 1 || out["new_signals"] != want {
			t.Fatalf("delivery %d: %d %v", i, status, out)
		}
	}
	if status, _ := post(`{"version":"3","alerts":[]}`); status != http.StatusBadRequest {
		t.Fatalf("version 3: %d", status)
	}
	sigs, err := a.Detection.Signals(ctx, detect.SignalFilter{})
	if err != nil || len(sigs) != 2 {
		t.Fatalf("stored signals: %+v %v", sigs, err)
	}
	waitUntil(t, 10*time.Second, "incident on db-07", func() bool {
		open, err := a.Incidents.List(ctx, "open", 0)
		return err == nil && len(open) == 1 && open[0].RootAssets[0] == "db-07"
	})
	// A restarted server remembers what it has seen: the same delivery
	// again is still no news.
	b, err := app.Open(ctx, app.Config{DB: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b.Close() }()
	srv := httptest.NewServer(b.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/alertmanager", strings.NewReader(alertPayload))
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || out["new_signals"] != 0 {
		t.Fatalf("after a restart: %d %v", resp.StatusCode, out)
	}
}
