package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
)

// server is a Vigie server run in-process on loopback for a test.
type server struct {
	t      *testing.T
	app    *app.App
	base   string
	bearer string
	stop   func()
}

// startServer opens dsn, imports host (when not empty), makes a staff
// token (or reuses bearer) and serves until stop.
func startServer(t *testing.T, ctx context.Context, cfg app.Config, host, bearer string) *server {
	t.Helper()
	a, err := app.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if bearer == "" {
		if _, err := a.Auth.AddUser(ctx, "ops@example.org", auth.RoleAdmin, "a long enough password"); err != nil {
			t.Fatal(err)
		}
		if bearer, _, err = a.Auth.CreateToken(ctx, "ops@example.org", auth.TokenSpec{Name: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Serve(sctx, ln) }()
	var once sync.Once
	s := &server{t: t, app: a, base: "http://" + ln.Addr().String(), bearer: bearer}
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			_ = a.Close()
		})
	}
	t.Cleanup(s.stop)
	return s
}

// call makes an API call and decodes the JSON answer into out (when not
// nil); it returns the status and the raw body.
func (s *server) call(method, path, body string, out any) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(bytes.NewReader(raw)).Decode(out); err != nil {
			s.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, string(raw)
}

// incidents returns the incidents of a status (open, resolved, all).
func (s *server) incidents(status string) []incident.Incident {
	s.t.Helper()
	var page struct{ Incidents []incident.Incident }
	if code, body := s.call("GET", "/api/v1/incidents?status="+status, "", &page); code != 200 {
		s.t.Fatalf("list incidents: %d %s", code, body)
	}
	return page.Incidents
}

// openOn returns the open incidents whose roots include asset.
func (s *server) openOn(asset string) []incident.Incident {
	var out []incident.Incident
	for _, inc := range s.incidents("open") {
		for _, r := range inc.RootAssets {
			if r == asset {
				out = append(out, inc)
			}
		}
	}
	return out
}

// alert returns an Alertmanager delivery of one alert on asset.
func alert(asset, fingerprint string, firing bool) string {
	status, ends := "firing", "0001-01-01T00:00:00Z"
	if !firing {
		status, ends = "resolved", "2026-11-27T03:00:00Z"
	}
	return fmt.Sprintf(`{"version":"4","groupKey":"g","status":%q,"receiver":"vigie","groupLabels":{},"commonLabels":{},
 "commonAnnotations":{},"externalURL":"http://127.0.0.1:9093","alerts":[{"status":%q,
 "labels":{"alertname":"NodeDown","asset":%q},"annotations":{"summary":"%s unreachable"},
 "startsAt":"2026-11-27T02:10:00Z","endsAt":%q,"fingerprint":%q}]}`, status, status, asset, asset, ends, fingerprint)
}

// alerts joins several alerts' deliveries into one.
func alerts(bodies ...string) string {
	var list []string
	for _, b := range bodies {
		i := strings.Index(b, `"alerts":[`)
		list = append(list, strings.TrimSuffix(b[i+len(`"alerts":[`):], "]}"))
	}
	first := bodies[0]
	return first[:strings.Index(first, `"alerts":[`)] + `"alerts":[` + strings.Join(list, ",") + "]}"
}

// readiness returns the server's /readyz body.
type readiness struct {
	Ready      bool
	Leader     bool
	Components map[string]struct {
		State  string
		LastOK *time.Time `json:"last_ok"`
		Errors int
	}
}

func (s *server) ready() (int, readiness) {
	var r readiness
	resp, err := http.Get(s.base + "/readyz")
	if err != nil {
		return 0, r
	}
	defer func() { _ = resp.Body.Close() }()
	_ = json.NewDecoder(resp.Body).Decode(&r)
	return resp.StatusCode, r
}

// roundsAfter waits until the incident engine finished a round that
// started after t: whatever it was going to do with what it had, it did.
func (s *server) roundsAfter(t time.Time, within time.Duration) {
	s.t.Helper()
	waitUntil(s.t, within, "an incident engine round", func() bool {
		_, r := s.ready()
		c, ok := r.Components["incidents"]
		return ok && c.LastOK != nil && c.LastOK.After(t)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// waitNote waits until the timeline of incident id has an entry whose
// text holds every one of parts.
func (s *server) waitNote(id int64, parts ...string) {
	s.t.Helper()
	waitUntil(s.t, 10*time.Second, "a timeline entry with "+strings.Join(parts, ", "), func() bool {
		var shown struct{ Timeline []incident.Event }
		s.call("GET", "/api/v1/incidents/"+itoa(id), "", &shown)
		for _, e := range shown.Timeline {
			found := true
			for _, p := range parts {
				found = found && strings.Contains(e.Text, p)
			}
			if found {
				return true
			}
		}
		return false
	})
}
