package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// startIncidentWriter serves the API on loopback as ops@example.org, at the
// time *now, over a hypervisor and one customer's site on it.
func startIncidentWriter(t *testing.T, db *store.DB, now *time.Time) (string, *incident.Store) {
	t.Helper()
	st := incident.NewStore(db)
	base := serveAPI(t, db, Deps{Incidents: st, Now: fixedClock(now)}, `
customers:
  - id: C1
    name: Client One
    email: c1@example.org
assets:
  - name: hv1
    kind: hypervisor
  - name: s1
    kind: site
    owner: C1
    url: https://s1.example/
    depends_on: [hv1]
components:
  - {name: Shared hosting, assets: [s1]}
  - {name: DNS, covers: {kind: dns}}
`)
	return base, st
}

func call(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp.StatusCode, out
}

func TestIncidentWriteAPIOpensEditsAndCounts(t *testing.T) {
	now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := now
		base, st := startIncidentWriter(t, db, &clock)
		code, inc := call(t, "POST", base+"/api/v1/incidents", `{"root_assets": ["hv1"], "severity": "major"}`)
		if code != http.StatusCreated || inc["title"] != "hv1 down: 1 sites, 1 customers" || inc["severity"] != "major" || inc["auto"] != false {
			t.Fatalf("open: %d %v", code, inc)
		}
		id := int64(inc["id"].(float64))
		path := base + "/api/v1/incidents/" + jsonNumber(id)
		code, inc = call(t, "PATCH", path, `{"status": "identified", "lead": "ops", "communication": "eve", "first_customer_contact_at": "2026-11-27T02:05:00Z"}`)
		if code != http.StatusOK || inc["status"] != "identified" || inc["lead"] != "ops" || inc["communication"] != "eve" ||
			inc["acknowledged_at"] != "2026-11-27T02:00:00Z" || inc["first_customer_contact_at"] != "2026-11-27T02:05:00Z" {
			t.Fatalf("edit: %d %v", code, inc)
		}
		events, err := st.Events(context.Background(), id)
		if err != nil || len(events) != 5 || events[1].Author != "ops@example.org" || events[1].Type != incident.EventStatus {
			t.Fatalf("timeline %+v %v", events, err)
		}
		code, body := call(t, "PATCH", path, `{"status": "investigating"}`)
		if code != http.StatusUnprocessableEntity || body["fields"] == nil {
			t.Fatalf("forbidden move: %d %v", code, body)
		}
		clock = now.Add(time.Hour)
		code, body = call(t, "GET", base+"/api/v1/incidents/stats", "")
		if code != http.StatusOK || body["count"] != 1.0 {
			t.Fatalf("stats: %d %v", code, body)
		}
		ack := body["time_to_acknowledge"].(map[string]any)
		if ack["n"] != 1.0 || ack["median_seconds"] != 0.0 {
			t.Fatalf("stats: %v", body)
		}
		code, body = call(t, "GET", base+"/api/v1/incidents/stats?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z", "")
		if code != http.StatusOK || body["count"] != 0.0 {
			t.Fatalf("stats of december: %d %v", code, body)
		}
	})
}

func TestIncidentWriteAPIRefusesBadRequests(t *testing.T) {
	base, _ := startIncidentWriter(t, storetest.Open(t, store.SQLite), new(time.Now()))
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/api/v1/incidents", `{"root_assets": ["nope"]}`, http.StatusUnprocessableEntity},
		{"POST", "/api/v1/incidents", `{"roots": ["hv1"]}`, http.StatusBadRequest},
		{"PATCH", "/api/v1/incidents/42", `{"acknowledge": true}`, http.StatusNotFound},
		{"PATCH", "/api/v1/incidents/x", `{}`, http.StatusBadRequest},
		{"PATCH", "/api/v1/incidents/42", `{"status": 3}`, http.StatusBadRequest},
		{"POST", "/api/v1/incidents", `{"root_assets": "hv1", "severity": 2, "title": ["x"]}`, http.StatusBadRequest},
		{"GET", "/api/v1/incidents/stats?from=yesterday", "", http.StatusBadRequest},
		{"GET", "/api/v1/incidents/stats?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", "", http.StatusBadRequest},
	} {
		code, body := call(t, tc.method, base+tc.path, tc.body)
		if code != tc.want {
			t.Errorf("%s %s %s: %d %v, want %d", tc.method, tc.path, tc.body, code, body, tc.want)
		}
		// Answers speak JSON, never Go.
		if text := fmt.Sprint(body); strings.Contains(text, "incident.") || strings.Contains(text, "int64") || strings.Contains(text, "[]string") {
			t.Errorf("%s %s %s: the answer names Go types: %v", tc.method, tc.path, tc.body, body)
		}
	}
}

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
