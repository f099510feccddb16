package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestStatusCommandsGiveURLsAndWriteTheSite runs vigie status-url and
// vigie export-status as an operator would, and their refusals.
func TestStatusCommandsGiveURLsAndWriteTheSite(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	dir := t.TempDir()
	src := filepath.Join(dir, "host.yaml")
	host := "customers:\n  - {id: C1, name: One, email: one@example.org}\n" + componentsHost +
		"  - name: Blog\n    assets: [blog]\n"
	host = strings.Replace(host, "  - {name: mx1, kind: vm}\n", "  - {name: mx1, kind: vm}\n  - {name: blog, kind: site, owner: C1, depends_on: [web-01]}\n", 1)
	if err := os.WriteFile(src, []byte(host), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := vigie(t, dsn, "", "import", src); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	r := vigie(t, dsn, "", "status-url", "--public-url", "https://status.example.org/", "C1")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "https://status.example.org/c/vst_") || !strings.HasSuffix(r.stdout, "/\n") {
		t.Fatalf("status-url: %+v", r)
	}
	if r := vigie(t, dsn, "", "status-url", "--revoke", "C1"); r.code != 0 || !strings.Contains(r.stdout, "revoked") {
		t.Fatalf("revoke: %+v", r)
	}
	if r := vigie(t, dsn, "", "status-url", "--revoke", "C1"); r.code == 0 || !strings.Contains(r.stderr, "not found") {
		t.Fatalf("second revoke: %+v", r)
	}
	if r := vigie(t, dsn, "", "status-url", "C9"); r.code == 0 || !strings.Contains(r.stderr, "C9") {
		t.Fatalf("unknown customer: %+v", r)
	}

	out := filepath.Join(dir, "mirror")
	r = vigie(t, dsn, "", "export-status", "--public-name", "Nuage Coop", "--public-url", "https://status.example.org", out)
	if r.code != 0 || !strings.Contains(r.stdout, "files of the status page") {
		t.Fatalf("export-status: %+v", r)
	}
	for _, name := range []string{"index.html", "en/index.html", "feed.atom", "maintenance.ics", "api/v2/summary.json", "static/status.css"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("the export lacks %s: %v", name, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(out, "index.html")); !strings.Contains(string(b), "Nuage Coop") || !strings.Contains(string(b), "Hébergement mutualisé") {
		t.Errorf("index.html:\n%.500s", b)
	}

	for _, bad := range []struct {
		args []string
		says string
	}{
		{[]string{"export-status", "--public-url", "https://status.example.org"}, "give the directory"},
		{[]string{"export-status", out}, "--public-url is required"},
		{[]string{"export-status", "--public-url", "ftp://x", out}, "--public-url"},
		{[]string{"export-status", "--public-url", "https://status.example.org", "--status-zone", "Mars/Olympus", out}, "--status-zone"},
		{[]string{"status-url", "--mirror-url", "nowhere", "C1"}, "--mirror-url"},
		{[]string{"status-url", "C1", "C2"}, "one customer id"},
	} {
		if r := vigie(t, dsn, "", bad.args...); r.code != 2 || !strings.Contains(r.stderr, bad.says) {
			t.Errorf("%v: %+v", bad.args, r)
		}
	}
}
