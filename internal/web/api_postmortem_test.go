package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// postmortemServer serves the API over db on loopback and returns its
// address.
func postmortemServer(t *testing.T, db *store.DB) string {
	t.Helper()
	return serveAPI(t, db, Deps{PostMortems: incident.NewPostMortemStore(db, incident.NewStore(db))}, "")
}

type pmResponse struct {
	status int
	header http.Header
	body   string
	json   map[string]any
}

func pmCall(t *testing.T, method, url, body string) pmResponse {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	out := pmResponse{status: resp.StatusCode, header: resp.Header, body: string(data)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(data, &out.json); err != nil {
			t.Fatalf("%s %s: %v in %q", method, url, err, data)
		}
	}
	return out
}

// postmortemField reads one field of the post-mortem in a JSON answer.
func postmortemField(r pmResponse, name string) any {
	pm, _ := r.json["postmortem"].(map[string]any)
	return pm[name]
}

func TestAPIPostMortemLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		incidents := incident.NewStore(db)
		start := time.Date(2026, 7, 2, 22, 10, 0, 0, time.UTC)
		end := start.Add(45 * time.Minute)
		inc := incident.Incident{Title: "hv03 down", Status: incident.Investigating, Severity: incident.Critical,
			Cause: incident.CauseOutage, RootAssets: []string{"hv03"}, ImpactStartedAt: start, DetectedAt: start.Add(time.Minute)}
		if _, err := incidents.Create(ctx, &inc, incident.Event{At: start.Add(time.Minute), Type: incident.EventOpened, Text: "<b>opened</b>"}); err != nil {
			t.Fatal(err)
		}
		inc.Status, inc.ResolvedAt = incident.Resolved, &end
		if err := incidents.Update(ctx, &inc); err != nil {
			t.Fatal(err)
		}
		base := postmortemServer(t, db)
		pmURL := base + "/api/v1/incidents/" + strconv.FormatInt(inc.ID, 10) + "/postmortem"

		r := pmCall(t, "GET", base+"/api/v1/postmortems/pending?tz=America/New_York", "")
		list, _ := r.json["incidents"].([]any)
		if r.status != 200 || len(list) != 1 || !strings.HasSuffix(list[0].(map[string]any)["started_at"].(string), "-04:00") {
			t.Fatalf("pending: %d %s", r.status, r.body)
		}

		r = pmCall(t, "GET", pmURL, "")
		updated, _ := time.Parse(time.RFC3339Nano, postmortemField(r, "updated_at").(string))
		_, offset := updated.Zone()
		_, parisOffset := updated.In(postmortemZone(t)).Zone()
		if r.status != 200 || postmortemField(r, "state") != "draft" ||
			!strings.Contains(postmortemField(r, "timeline").(string), "00:11") || offset != parisOffset {
			t.Fatalf("draft in Paris time: %d %s", r.status, r.body)
		}
		if r := pmCall(t, "GET", pmURL+"?tz=Mars/Olympus", ""); r.status != 400 {
			t.Fatalf("unknown zone: %d %s", r.status, r.body)
		}
		if r := pmCall(t, "GET", base+"/api/v1/incidents/999/postmortem", ""); r.status != 404 {
			t.Fatalf("unknown incident: %d %s", r.status, r.body)
		}

		r = pmCall(t, "PUT", pmURL, `{"summary": "x", "actions": [{"title": "", "type": "pray", "due": "soon", "status": "open"}]}`)
		fields, _ := r.json["fields"].([]any)
		if r.status != 422 || len(fields) != 3 {
			t.Fatalf("invalid actions: %d %s", r.status, r.body)
		}
		if r := pmCall(t, "PUT", pmURL, `{"state": "published"}`); r.status != 400 {
			t.Fatalf("state through PUT: %d %s", r.status, r.body)
		}
		r = pmCall(t, "PUT", pmURL, `{"summary": "hv03 lost power <script>alert(1)</script>",
			"actions": [{"title": "Dual PSU", "type": "prevent", "due": "2026-08-31", "status": "open"}]}`)
		if r.status != 200 || postmortemField(r, "trigger") == "" || len(postmortemField(r, "actions").([]any)) != 1 {
			t.Fatalf("save: %d %s", r.status, r.body)
		}

		if r := pmCall(t, "POST", pmURL+"/state", `{"public": true}`); r.status != 409 {
			t.Fatalf("public while draft: %d %s", r.status, r.body)
		}
		if r := pmCall(t, "POST", pmURL+"/state", `{"state": "in_review"}`); r.status != 200 || postmortemField(r, "state") != "in_review" {
			t.Fatalf("to review: %d %s", r.status, r.body)
		}
		r = pmCall(t, "POST", pmURL+"/state", `{"state": "published"}`)
		if fields, _ := r.json["fields"].([]any); r.status != 422 || len(fields) != 2 {
			t.Fatalf("publish without root cause: %d %s", r.status, r.body)
		}
		if r := pmCall(t, "POST", pmURL+"/state", `{"state": "final"}`); r.status != 400 {
			t.Fatalf("unknown state: %d %s", r.status, r.body)
		}
		if r := pmCall(t, "PUT", pmURL, `{"root_cause": "One PSU.", "resolution": "VMs moved."}`); r.status != 200 {
			t.Fatalf("complete: %d %s", r.status, r.body)
		}
		r = pmCall(t, "POST", pmURL+"/state", `{"state": "published", "public": true}`)
		if r.status != 200 || postmortemField(r, "state") != "published" || postmortemField(r, "public") != true {
			t.Fatalf("publish: %d %s", r.status, r.body)
		}
		if r := pmCall(t, "PUT", pmURL, `{"summary": "rewritten"}`); r.status != 409 {
			t.Fatalf("edit published: %d %s", r.status, r.body)
		}

		r = pmCall(t, "GET", pmURL+"?format=markdown", "")
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/markdown") ||
			!strings.Contains(r.body, "# Post-mortem: hv03 down") || !strings.Contains(r.body, "| Dual PSU |") {
			t.Fatalf("markdown: %d %s", r.status, r.body)
		}
		r = pmCall(t, "GET", pmURL+"?format=html", "")
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
			r.header.Get("Content-Security-Policy") != "default-src 'none'; frame-ancestors 'none'" ||
			!strings.Contains(r.body, "<h2>Root cause</h2>") || strings.Contains(r.body, "<script>") {
			t.Fatalf("html: %d %v %s", r.status, r.header, r.body)
		}
		if r := pmCall(t, "GET", pmURL+"?format=pdf", ""); r.status != 400 {
			t.Fatalf("unknown format: %d %s", r.status, r.body)
		}

		r = pmCall(t, "GET", base+"/api/v1/postmortems/pending", "")
		if list, _ := r.json["incidents"].([]any); r.status != 200 || len(list) != 0 {
			t.Fatalf("pending after publishing: %d %s", r.status, r.body)
		}
	})
}

func postmortemZone(t *testing.T) *time.Location {
	t.Helper()
	zone, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return zone
}
