package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
)

// TestDigestShowsTheNightInTheReadersZone opens and resolves an incident
// during the Paris night and reads the digest from Montreal.
func TestDigestShowsTheNightInTheReadersZone(t *testing.T) {
	c := startServer(t, store.SQLite)
	// What the incident engine would have written, written directly.
	a, err := app.Open(context.Background(), app.Config{DB: c.dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = a.Close() }()
	night := time.Date(2026, 11, 27, 1, 13, 0, 0, time.UTC) // 02:13 Paris, 20:13 Montreal
	inc := incident.Incident{Title: "hv03 down: 333 sites, 267 customers", Status: incident.Investigating,
		Severity: incident.Major, Cause: incident.CauseOutage, RootAssets: []string{"hv03"}, Auto: true,
		ImpactStartedAt: night, DetectedAt: night.Add(time.Minute)}
	if _, err := a.Incidents.Create(context.Background(), &inc, incident.Event{At: night, Type: incident.EventOpened, Text: "opened"}); err != nil {
		t.Fatal(err)
	}
	resolved := night.Add(2 * time.Hour)
	inc.Status, inc.ResolvedAt = incident.Resolved, &resolved
	if err := a.Incidents.Update(context.Background(), &inc); err != nil {
		t.Fatal(err)
	}
	status, body := c.json("GET", "/api/v1/digest?since=2026-11-26T23:00:00Z&tz=America/Montreal", "")
	if status != 200 {
		t.Fatalf("%d %v", status, body)
	}
	raw, _ := json.Marshal(body)
	text := string(raw)
	for _, want := range []string{`"at":"2026-11-26T20:14:00-05:00","incident_id":1,"kind":"incident-opened"`,
		`"kind":"incident-resolved"`, `"postmortems_to_write":[{"incident_id":1`} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %s:\n%s", want, text)
		}
	}
	if status, _ := c.json("GET", "/api/v1/digest?tz=Mars/Olympus", ""); status != 400 {
		t.Fatalf("bad zone: %d", status)
	}
}
