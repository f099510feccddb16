package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// fetch gets path without credentials, as a framed page is fetched.
func fetch(t *testing.T, base, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// sameAnswer fails the test unless two answers have the same status,
// body and security headers.
func sameAnswer(t *testing.T, what string, a *http.Response, aBody string, b *http.Response, bBody string) {
	t.Helper()
	if a.StatusCode != b.StatusCode || aBody != bBody {
		t.Errorf("%s: %d %q, want %d %q", what, a.StatusCode, aBody, b.StatusCode, bBody)
	}
	for _, h := range []string{"Content-Type", "Content-Security-Policy", "X-Frame-Options", "Cache-Control"} {
		if a.Header.Get(h) != b.Header.Get(h) {
			t.Errorf("%s: %s %q, want %q", what, h, a.Header.Get(h), b.Header.Get(h))
		}
	}
}

// worksPanel is a server whose works panel may be framed by two origins:
// customers A and B both touched by an incident on hv01, B alone by another
// and by a maintenance; each with a status URL token.
type worksPanel struct {
	*server
	tokens    map[string]string
	hv, alone int64
}

func startWorksPanel(t *testing.T) *worksPanel {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	cfg := app.Config{DB: storetest.DSN(t, store.SQLite), PublicURL: "https://status.example.org", Now: func() time.Time { return now },
		EmbedOrigins: []string{"https://panel.example.net", "http://intranet.example.org:8443/"}}
	p := &worksPanel{server: startServer(t, ctx, cfg, overviewHost, ""), tokens: map[string]string{}}
	s := p.server
	for _, body := range []string{`{"root_assets":["hv01"],"title":"hv01 down","severity":"major"}`,
		`{"root_assets":["bruno-vm"],"title":"bruno-vm down","severity":"minor"}`} {
		if code, raw := s.call("POST", "/api/v1/incidents", body, nil); code != 201 {
			t.Fatalf("open incident: %d %s", code, raw)
		}
	}
	for _, in := range s.incidents("open") {
		if strings.Contains(in.Title, "hv01") {
			p.hv = in.ID
		} else {
			p.alone = in.ID
		}
	}
	if code, raw := s.call("POST", "/api/v1/incidents/"+itoa(p.hv)+"/updates",
		`{"status":"identified","message_fr":"Une alimentation a lâché.","message_en":"A power supply failed."}`, nil); code != 201 {
		t.Fatalf("public update: %d %s", code, raw)
	}
	win := incident.Window{Title: "Disques de bruno-vm", TitleEN: "bruno-vm disks", Assets: []string{"bruno-vm"},
		Start: "2026-11-28T02:00", End: "2026-11-28T03:00", Zone: "Europe/Paris"}
	if err := s.app.Maintenance.Create(ctx, &win, "ops@example.org"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"CA", "CB"} {
		var u struct{ Token string }
		if code, raw := s.call("POST", "/api/v1/customers/"+c+"/status-url", "", &u); code != 201 {
			t.Fatalf("status URL of %s: %d %s", c, code, raw)
		}
		p.tokens[c] = u.Token
	}
	waitUntil(t, 10*time.Second, "the maintenance on B's panel", func() bool {
		_, b := fetch(t, s.base, "/embed/"+p.tokens["CB"])
		return strings.Contains(b, "Disques de bruno-vm")
	})
	return p
}

func TestTheWorksPanelShowsOneCustomersWorksOnly(t *testing.T) {
	p := startWorksPanel(t)
	resp, a := fetch(t, p.base, "/embed/"+p.tokens["CA"])
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("A's panel: %d %s", resp.StatusCode, a)
	}
	for _, want := range []string{"Travaux et incidents", "Cause identifiée", "Une alimentation a lâché.",
		"alice-blog", `href="/c/` + p.tokens["CA"] + `/incidents/` + itoa(p.hv) + `/" target="_blank" rel="noopener"`, `lang="fr"`} {
		if !strings.Contains(a, want) {
			t.Errorf("A's panel lacks %q:\n%s", want, a)
		}
	}
	for _, theirs := range []string{"bruno", "Bruno", "/incidents/" + itoa(p.alone) + "/", "Disques", p.tokens["CB"], "<script", "style="} {
		if strings.Contains(a, theirs) {
			t.Errorf("A's panel holds %q:\n%s", theirs, a)
		}
	}
	_, b := fetch(t, p.base, "/embed/"+p.tokens["CB"])
	if !strings.Contains(b, "/incidents/"+itoa(p.alone)+"/") || !strings.Contains(b, "/incidents/"+itoa(p.hv)+"/") ||
		!strings.Contains(b, "bruno-pains") || strings.Contains(b, "alice") {
		t.Errorf("B's panel:\n%s", b)
	}

	// In English, in the reader's zone.
	resp, en := fetch(t, p.base, "/embed/"+p.tokens["CA"]+"?lang=en&tz=America/Montreal")
	if resp.StatusCode != 200 || !strings.Contains(en, "A power supply failed.") || !strings.Contains(en, `lang="en"`) ||
		!strings.Contains(en, "Montreal time") || !strings.Contains(en, `/c/`+p.tokens["CA"]+`/en/incidents/`) {
		t.Errorf("A's panel in English: %d\n%s", resp.StatusCode, en)
	}
	for _, bad := range []string{"?lang=de", "?tz=Mars/Olympus", "?tz=Local", "?colour=red"} {
		if resp, body := fetch(t, p.base, "/embed/"+p.tokens["CA"]+bad); resp.StatusCode != 400 {
			t.Errorf("%s: %d %s, want 400", bad, resp.StatusCode, body)
		}
	}
}

func TestTheWorksPanelMayBeFramedByThePanelsOriginsOnly(t *testing.T) {
	p := startWorksPanel(t)
	resp, _ := fetch(t, p.base, "/embed/"+p.tokens["CA"])
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.HasSuffix(csp, "; frame-ancestors https://panel.example.net http://intranet.example.org:8443") {
		t.Errorf("the panel's CSP %q does not name the panel's origins", csp)
	}
	if strings.Contains(csp, "'unsafe-inline'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("the panel's CSP %q", csp)
	}
	if xfo := resp.Header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("the panel sends X-Frame-Options %q, which forbids every frame", xfo)
	}
	// Its style sheet may be framed too; every other page still may not.
	if resp, _ := fetch(t, p.base, "/embed/panel.css"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("panel.css: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, path := range []string{"/", "/c/" + p.tokens["CA"] + "/", "/healthz"} {
		resp, _ := fetch(t, p.base, path)
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: CSP %q, X-Frame-Options %q; want no frame", path, csp, resp.Header.Get("X-Frame-Options"))
		}
	}
}

func TestAnUnknownTokenOnTheWorksPanelIsAnyOther404(t *testing.T) {
	p := startWorksPanel(t)
	miss, missBody := fetch(t, p.base, "/embedded/"+p.tokens["CA"])
	// The same lookup id with another secret (a last character that
	// differs).
	forged, last := p.tokens["CA"][:len(p.tokens["CA"])-1], p.tokens["CA"][len(p.tokens["CA"])-1]
	if last == 'A' {
		forged += "B"
	} else {
		forged += "A"
	}
	for _, bad := range []string{"nobody", "vst_0123456789abcdef0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", forged} {
		resp, body := fetch(t, p.base, "/embed/"+bad)
		sameAnswer(t, "unknown token "+bad, resp, body, miss, missBody)
	}
	if code, raw := p.call("DELETE", "/api/v1/customers/CA/status-url", "", nil); code != 204 {
		t.Fatalf("revoke: %d %s", code, raw)
	}
	waitUntil(t, 10*time.Second, "the revoked token refused", func() bool {
		resp, _ := fetch(t, p.base, "/embed/"+p.tokens["CA"])
		return resp.StatusCode == 404
	})
	resp, body := fetch(t, p.base, "/embed/"+p.tokens["CA"])
	sameAnswer(t, "revoked token", resp, body, miss, missBody)
}

func TestWithoutEmbedOriginsThereIsNoWorksPanel(t *testing.T) {
	ctx := context.Background()
	cfg := app.Config{DB: storetest.DSN(t, store.SQLite), PublicURL: "https://status.example.org"}
	s := startServer(t, ctx, cfg, overviewHost, "")
	var u struct{ Token string }
	if code, raw := s.call("POST", "/api/v1/customers/CA/status-url", "", &u); code != 201 {
		t.Fatalf("status URL: %d %s", code, raw)
	}
	if resp, _ := fetch(t, s.base, "/c/"+u.Token+"/"); resp.StatusCode != 200 {
		t.Fatalf("the customer's status page: %d", resp.StatusCode)
	}
	miss, missBody := fetch(t, s.base, "/embedded/"+u.Token)
	for _, path := range []string{"/embed/" + u.Token, "/embed/panel.css"} {
		resp, body := fetch(t, s.base, path)
		sameAnswer(t, path, resp, body, miss, missBody)
	}

	for _, bad := range [][]string{{"panel.example.net"}, {"https://panel.example.net/path"}, {"ftp://panel.example.net"},
		{"https://panel.example.net 'unsafe-inline'"}, {"https://a.example.net,https://b.example.net"}} {
		if _, err := app.Open(ctx, app.Config{DB: storetest.DSN(t, store.SQLite), EmbedOrigins: bad}); err == nil ||
			!strings.Contains(err.Error(), "embed origins") {
			t.Errorf("EmbedOrigins %q: %v, want an error naming them", bad, err)
		}
	}
}
