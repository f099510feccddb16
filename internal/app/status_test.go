package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// publicHost is a small host with two customers on two VMs of a shared
// pool, a mail server, and the components the public sees.
const publicHost = `customers:
  - {id: C1, name: Alice Ateliers, email: alice@example.org}
  - {id: C2, name: Bruno Boulangerie, email: bruno@example.org}
assets:
  - {name: dc1, kind: datacenter}
  - {name: hv01, kind: hypervisor, depends_on: [dc1]}
  - {name: hv02, kind: hypervisor, depends_on: [dc1]}
  - {name: web-01, kind: vm, depends_on: [hv01], labels: {pool: shared}}
  - {name: web-02, kind: vm, depends_on: [hv02], labels: {pool: shared}}
  - {name: alice-blog, kind: site, owner: C1, depends_on: [web-01]}
  - {name: bruno-pains, kind: site, owner: C2, depends_on: [web-02]}
  - {name: mx1, kind: service, depends_on: [dc1]}
components:
  - name: Hébergement mutualisé
    name_en: Shared hosting
    group: Hébergement
    group_en: Hosting
    covers: {kind: vm, label: pool=shared}
    description: Sites PHP et bases MySQL
  - {name: Messagerie, name_en: Mail, assets: [mx1]}
`

// get fetches a public path and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitFor polls a public path until its body contains every part.
func waitFor(t *testing.T, url string, limit time.Duration, parts ...string) string {
	t.Helper()
	var body string
	ok := within(limit, func() bool {
		var code int
		code, body = get(t, url)
		if code != 200 {
			return false
		}
		for _, p := range parts {
			if !strings.Contains(body, p) {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatalf("%s never held %q within %v; last:\n%.600s", url, parts, limit, body)
	}
	return body
}

func TestTheStatusPageTellsAnIncidentToEveryoneAndEachCustomerTheirOwn(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) { testStatusPage(t, engine) })
	}
}

func testStatusPage(t *testing.T, engine store.Engine) {
	{
		ctx := context.Background()
		mirror := t.TempDir()
		cfg := app.Config{DB: storetest.DSN(t, engine), PublicURL: "https://status.example.org", PublicName: "Nuage Coop",
			Mirror: mirror, MirrorURL: "https://mirror.example.net"}
		s := startServer(t, ctx, cfg, publicHost, "")

		// Nothing wrong: everything operational.
		body := waitFor(t, s.base+"/api/v2/status.json", 5*time.Second, `"indicator":"none"`)
		if !strings.Contains(body, `"name":"Nuage Coop"`) {
			t.Errorf("status.json names no page: %s", body)
		}

		// Staff open an incident on hv01: web-01 of the shared pool is down.
		if code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["hv01"],"title":"hv01 down","severity":"major"}`, nil); code != 201 {
			t.Fatalf("open incident: %d %s", code, body)
		}
		summary := waitFor(t, s.base+"/api/v2/summary.json", 3*time.Second, `"partial_outage"`, `"status":"investigating"`)
		for _, secret := range []string{"hv01", "web-01", "alice-blog", "bruno-pains", "Alice", "Bruno", "C1", "C2"} {
			if strings.Contains(summary, secret) {
				t.Errorf("the public summary names %q:\n%s", secret, summary)
			}
		}
		waitFor(t, s.base+"/en/feed.atom", 3*time.Second, "Shared hosting")
		home := waitFor(t, s.base+"/", 3*time.Second, "Hébergement mutualisé", "https://mirror.example.net")
		if strings.Contains(home, "hv01") {
			t.Error("the public page names the hypervisor")
		}

		// A staff update in both languages reaches the page and the feed.
		var inc struct{ ID int64 }
		list := s.incidents("open")
		if len(list) != 1 {
			t.Fatalf("open incidents: %+v", list)
		}
		inc.ID = list[0].ID
		if code, body := s.call("POST", "/api/v1/incidents/"+itoa(inc.ID)+"/updates",
			`{"status":"identified","message_fr":"Une alimentation a lâché ; remplacement en cours.","message_en":"A power supply failed; replacing it."}`, nil); code != 201 {
			t.Fatalf("public update: %d %s", code, body)
		}
		// Once staff have their answer, the feed tells it: no waiting.
		if _, feed := get(t, s.base+"/en/feed.atom"); !strings.Contains(feed, "A power supply failed") {
			t.Errorf("the feed right after the staff update:\n%.800s", feed)
		}
		waitFor(t, s.base+"/incidents/"+itoa(inc.ID)+"/", 3*time.Second, "Une alimentation a lâché")

		// Each customer's own URL: their site named, the other's never.
		var url1, url2 struct{ URL string }
		if code, body := s.call("POST", "/api/v1/customers/C1/status-url", "", &url1); code != 201 {
			t.Fatalf("status URL: %d %s", code, body)
		}
		if code, body := s.call("POST", "/api/v1/customers/C2/status-url", "", &url2); code != 201 {
			t.Fatalf("status URL: %d %s", code, body)
		}
		local1 := strings.Replace(url1.URL, "https://status.example.org", s.base, 1)
		local2 := strings.Replace(url2.URL, "https://status.example.org", s.base, 1)
		for _, doc := range []string{"", "feed.atom", "en/feed.rss", "maintenance.ics", "api/v2/summary.json", "incidents/" + itoa(inc.ID) + "/"} {
			b1 := waitFor(t, local1+doc, 3*time.Second)
			_, b2 := get(t, local2+doc)
			for _, other := range []string{"bruno-pains", "C2", "Bruno"} {
				if strings.Contains(b1, other) {
					t.Errorf("customer C1's %q holds %q", doc, other)
				}
			}
			for _, other := range []string{"alice-blog", "C1", "Alice"} {
				if strings.Contains(b2, other) {
					t.Errorf("customer C2's %q holds %q", doc, other)
				}
			}
		}
		waitFor(t, local1, 3*time.Second, "alice-blog")
		if _, b2 := get(t, local2); strings.Contains(b2, "alice-blog") {
			t.Error("customer C2's page names C1's site")
		}

		// Another process hands alice-blog to C2: once this server's graph
		// has it, each customer's page follows.
		other, err := app.Open(ctx, app.Config{DB: cfg.DB})
		if err != nil {
			t.Fatal(err)
		}
		moved := strings.Replace(publicHost, "{name: alice-blog, kind: site, owner: C1,", "{name: alice-blog, kind: site, owner: C2,", 1)
		if _, err := other.Inventory.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(moved)}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		_ = other.Close()
		waitFor(t, local2, 10*time.Second, "alice-blog")
		if !within(5*time.Second, func() bool { _, b := get(t, local1); return !strings.Contains(b, "alice-blog") }) {
			t.Error("customer C1's page still names the site handed to C2")
		}

		// The mirror: served by a plain file server, it answers what the
		// live server answers.
		files := httptest.NewServer(http.FileServer(http.Dir(mirror)))
		defer files.Close()
		// A rebuild between reading the site and fetching it would make the
		// live answers newer than the mirror: compare again then.
		var problems []string
		for attempt := 0; attempt < 3; attempt++ {
			waitForMirror(t, s.app, mirror)
			site := s.app.Status.Site()
			problems = nil
			for path, f := range site.Files {
				code, live := get(t, s.base+"/"+path)
				mcode, mirrored := get(t, files.URL+"/"+path)
				if code != 200 || mcode != 200 || live != mirrored || live != string(f.Body) {
					problems = append(problems, fmt.Sprintf("%s: live %d, mirror %d, same %v", path, code, mcode, live == mirrored))
				}
			}
			if len(site.Files) < 20 {
				t.Errorf("only %d documents compared", len(site.Files))
			}
			if len(problems) == 0 || s.app.Status.Site() == site {
				break
			}
		}
		for _, p := range problems {
			t.Error(p)
		}
	}
}

// waitForMirror waits until the mirror holds the live site's home page.
func waitForMirror(t *testing.T, a *app.App, dir string) {
	t.Helper()
	if !within(5*time.Second, func() bool {
		site := a.Status.Site()
		b, err := os.ReadFile(filepath.Join(dir, status.FileName("")))
		return err == nil && site != nil && string(b) == string(site.Files[""].Body)
	}) {
		t.Fatal("the mirror never caught up with the live page")
	}
}

func TestExportStatusWritesTheSiteOnce(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, store.SQLite)
	cfg := app.Config{DB: dsn, PublicURL: "https://status.example.org"}
	s := startServer(t, ctx, cfg, publicHost, "")
	if code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["mx1"],"title":"mail down","severity":"critical"}`, nil); code != 201 {
		t.Fatalf("open incident: %d %s", code, body)
	}
	s.stop()
	a, err := app.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = a.Close() }()
	dir := t.TempDir()
	n, err := a.ExportStatus(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Errorf("%d files written", n)
	}
	b, err := os.ReadFile(filepath.Join(dir, "api", "v2", "incidents", "unresolved.json"))
	if err != nil || !strings.Contains(string(b), "Messagerie") || !strings.Contains(string(b), `"impact":"critical"`) {
		t.Errorf("unresolved.json: %v %s", err, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Error(err)
	}
}
