package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestALocationPushesOnlyItsOwnResults runs the whole server: paris reads
// only its checks, and results it sends for tokyo's are acknowledged,
// refused and counted, on both databases.
func TestALocationPushesOnlyItsOwnResults(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, srv, paris := parisAndTokyo(t, e)
			call := func(method, path, body string) (int, string) {
				t.Helper()
				req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+paris)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = resp.Body.Close() }()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			status, body := call("GET", "/api/v1/probe/assignments", "")
			if status != 200 || !strings.Contains(body, "for-paris") || strings.Contains(body, "tokyo") {
				t.Fatalf("paris's assignments: %d %s", status, body)
			}
			batch := `{"epoch": "e1", "records": [
				{"seq": 1, "key": "web1/paris-api", "result": {"ok": true}},
				{"seq": 2, "key": "web1/tokyo-api", "result": {"ok": false}}]}`
			status, body = call("POST", "/api/v1/probe/results", batch)
			var taken struct {
				Ack     string `json:"ack"`
				Refused int    `json:"refused"`
			}
			if err := json.Unmarshal([]byte(body), &taken); status != 200 || err != nil || taken.Ack != "2" || taken.Refused != 1 {
				t.Fatalf("results: %d %s", status, body)
			}
			resp, err := http.Get(srv.URL + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			metrics, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if !strings.Contains(string(metrics), `vigie_probe_results_refused_total{location="paris"} 1`) {
				t.Fatalf("metrics lack the refusal:\n%s", grepLines(string(metrics), "refused"))
			}
			list, err := a.Locations.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range list {
				if want := map[string]int64{"paris": 1, "tokyo": 0}[l.Name]; l.RefusedResults != want {
					t.Errorf("%s refused %d, want %d", l.Name, l.RefusedResults, want)
				}
			}
		})
	}
}

// parisAndTokyo starts a whole server on engine e whose host has a check
// for each of the locations paris and tokyo, and returns it with paris's
// token.
func parisAndTokyo(t *testing.T, e store.Engine) (*app.App, *httptest.Server, string) {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: storetest.DSN(t, e)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	host := `assets:
  - {name: web1, kind: vm, address: "127.0.0.1:1"}
checks:
  - {asset: web1, name: paris-api, kind: http, url: "http://127.0.0.1:1/", locations: [paris], headers: {Authorization: "Bearer for-paris"}}
  - {asset: web1, name: tokyo-api, kind: http, url: "http://127.0.0.1:1/", locations: [tokyo], headers: {Authorization: "Bearer for-tokyo"}}
`
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "h.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	paris, err := a.Locations.Add(ctx, "paris")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Locations.Add(ctx, "tokyo"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return a, srv, paris
}

// A batch in the binary form is taken as a JSON one is: results for the
// location's checks queued, the others refused and counted, sequence
// numbers already taken skipped. A malformed one is a 400 that names the
// record, and changes nothing.
func TestALocationPushesResultsInTheBinaryForm(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, srv, paris := parisAndTokyo(t, e)
			post := func(body []byte, gzipped bool, contentType string) (int, string) {
				t.Helper()
				if gzipped {
					var b bytes.Buffer
					zw := gzip.NewWriter(&b)
					_, _ = zw.Write(body)
					_ = zw.Close()
					body = b.Bytes()
				}
				req, _ := http.NewRequest("POST", srv.URL+"/api/v1/probe/results", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+paris)
				req.Header.Set("Content-Type", contentType)
				if gzipped {
					req.Header.Set("Content-Encoding", "gzip")
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = resp.Body.Close() }()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			refused := func() int64 {
				t.Helper()
				list, err := a.Locations.List(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range list {
					if l.Name == "paris" {
						return l.RefusedResults
					}
				}
				t.Fatal("no location paris")
				return 0
			}
			batch := probe.AppendResults(nil, "e1", []probe.Record{
				{Seq: 1, Key: "web1/paris-api", Result: check.Result{OK: true, Phase: check.PhaseDone}},
				{Seq: 2, Key: "web1/tokyo-api", Result: check.Result{Phase: check.PhaseConnect, Reason: check.ReasonRefused}},
			})
			status, body := post(batch[:len(batch)-1], true, probe.ResultsMediaType)
			if status != http.StatusBadRequest || !strings.Contains(body, "record 1 at byte") {
				t.Fatalf("a batch cut short: %d %s, want a 400 naming record 1", status, body)
			}
			if n := refused(); n != 0 {
				t.Fatalf("a refused batch counted %d refusals", n)
			}
			for i, want := range []struct {
				ack     string
				refused int
			}{{"2", 1}, {"2", 0}} {
				status, body := post(batch, i == 0, probe.ResultsMediaType)
				var taken struct {
					Ack     string `json:"ack"`
					Refused int    `json:"refused"`
				}
				if err := json.Unmarshal([]byte(body), &taken); status != 200 || err != nil || taken.Ack != want.ack || taken.Refused != want.refused {
					t.Fatalf("post %d: %d %s, want ack %s, %d refused", i, status, body, want.ack, want.refused)
				}
			}
			if n := refused(); n != 1 {
				t.Fatalf("refused %d, want 1", n)
			}
			// A small body that inflates past the bound is refused whole,
			// in either form, not read cut short.
			pad := bytes.Repeat([]byte(" "), 33<<20)
			for _, c := range []struct{ contentType, body string }{
				{probe.ResultsMediaType, string(batch) + string(pad)},
				{"application/json", `{"epoch": "e1", "records": [` + string(pad) + `]}`},
			} {
				if status, body := post([]byte(c.body), true, c.contentType); status != http.StatusRequestEntityTooLarge {
					t.Errorf("%s inflating to 33 MiB: %d %.200s, want 413", c.contentType, status, body)
				}
			}
		})
	}
}

func grepLines(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A probe's long poll waits its whole time: the route's read deadline
// (10 s) must not end it early, which the server would do by cancelling
// the request (the probe would see its connection closed).
func TestALongPollOutlivesTheReadDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 12 s")
	}
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			_, srv, paris := parisAndTokyo(t, e)
			get := func(etag, wait string) (*http.Response, error) {
				req, _ := http.NewRequest("GET", srv.URL+"/api/v1/probe/assignments?wait="+wait, nil)
				req.Header.Set("Authorization", "Bearer "+paris)
				if etag != "" {
					req.Header.Set("If-None-Match", etag)
				}
				return (&http.Client{Timeout: time.Minute}).Do(req)
			}
			resp, err := get("", "")
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("assignments: %v %v", resp, err)
			}
			_ = resp.Body.Close()
			etag := resp.Header.Get("ETag")
			start := time.Now()
			resp, err = get(etag, "12s")
			if err != nil {
				t.Fatalf("the long poll ended after %s: %v", time.Since(start).Round(time.Second), err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusNotModified || time.Since(start) < 12*time.Second {
				t.Fatalf("the long poll answered %d after %s, want 304 after its 12 s", resp.StatusCode, time.Since(start).Round(time.Second))
			}
		})
	}
}
