package web

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// events opens path as an event stream and returns the data of its
// "version" events as they come; the stream ends with the test.
func (b *browser) events(path string) <-chan string {
	b.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		b.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan string, 16)
	go func() {
		defer func() { _ = resp.Body.Close() }()
		sc := bufio.NewScanner(resp.Body)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "version":
				out <- strings.TrimPrefix(line, "data: ")
			}
		}
		close(out)
	}()
	return out
}

// next waits for the next version, failing after within.
func next(t *testing.T, versions <-chan string, within time.Duration) string {
	t.Helper()
	select {
	case v, ok := <-versions:
		if !ok {
			t.Fatal("the stream ended")
		}
		return v
	case <-time.After(within):
		t.Fatalf("no version within %s", within)
	}
	return ""
}

// TestTheConsoleStreamTellsOfAChange: the stream sends the version the
// dashboard was rendered at, then a new one soon after an incident opens,
// one a probe location going silent moves too; without a session there
// is no stream.
func TestTheConsoleStreamTellsOfAChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newDashSite(t, db)
		b, _ := site.staffBrowser(t, "mia@host.example", "Europe/Paris")
		_, page := b.get("/staff")
		versions := b.events("/staff/events")
		first := next(t, versions, 10*time.Second)
		if !strings.Contains(page, `data-live-version="`+first+`"`) {
			t.Fatalf("the page was rendered at another version than %s", first)
		}
		openIncident(t, site.d, incident.Incident{Title: "hv01 down", Status: incident.Investigating, Severity: incident.Major,
			Cause: incident.CauseOutage, RootAssets: []string{"hv01"}, ImpactStartedAt: *site.now, DetectedAt: *site.now})
		second := next(t, versions, 10*time.Second)
		if second == first {
			t.Fatalf("the same version after a change: %s", second)
		}

		// A location heard from now, then silent once the clock moves on:
		// no write, yet the version moves.
		token, err := site.d.Locations.Add(ctx, "montreal")
		if err != nil {
			t.Fatal(err)
		}
		site.tick(-time.Hour) // the location is dated by the real clock
		if _, err := site.d.Locations.Authenticate(ctx, token); err != nil {
			t.Fatal(err)
		}
		reporting := next(t, versions, 10*time.Second)
		site.tick(time.Hour)
		if silent := next(t, versions, 10*time.Second); silent == reporting {
			t.Fatalf("the same version once the location went silent: %s", silent)
		}

		anon := newBrowser(t, site.base)
		if resp, _ := anon.get("/staff/events"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("a stream without a session: %d", resp.StatusCode)
		}
	})
}

// TestTheConsoleScriptIsServedAsJavaScript: the script the pages link is
// served with its type (the CSP and nosniff need it); other names are not.
func TestTheConsoleScriptIsServedAsJavaScript(t *testing.T) {
	base := serveSessions(t, sessionDeps(t, storetest.Open(t, store.SQLite), Deps{}, ""), nil)
	b := newBrowser(t, base)
	resp, body := b.get("/assets/console.js")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
		!strings.Contains(body, "new EventSource(") {
		t.Fatalf("console.js: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := b.get("/assets/base.css"); resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Fatalf("base.css: %q", resp.Header.Get("Content-Type"))
	}
	for _, name := range []string{"console.txt", "..%2Flayout.html", "nothing.js"} {
		if resp, _ := b.get("/assets/" + name); resp.StatusCode != http.StatusNotFound {
			t.Errorf("/assets/%s: %d", name, resp.StatusCode)
		}
	}
}
