package web

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// pagesSource is a Source whose fingerprint the test moves.
type pagesSource struct {
	mu sync.Mutex
	fp string
}

func (s *pagesSource) Fingerprint(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fp, nil
}

func (s *pagesSource) Load(context.Context) (*status.Input, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// What the stores hold shows on the page.
	return &status.Input{Zone: time.UTC, Name: s.fp}, nil
}

func (s *pagesSource) set(fp string) {
	s.mu.Lock()
	s.fp = fp
	s.mu.Unlock()
}

// pagesSite renders a small site naming the page's version and customer.
func pagesSite(p *status.Page) (*status.Site, error) {
	who := "everyone"
	if p.Customer != nil {
		who = "customer " + p.Customer.ID
	}
	s := status.NewSite(p.Version, p.Generated)
	big := strings.Repeat("<p>padding that compresses well</p>", 40)
	s.Add(status.File{Path: "", ContentType: "text/html; charset=utf-8", Body: []byte("<h1>fr " + who + " " + p.Version + "</h1>" + big)},
		status.File{Path: "en/", ContentType: "text/html; charset=utf-8", Body: []byte("<h1>en " + who + "</h1>")},
		status.File{Path: "incidents/7/", ContentType: "text/html; charset=utf-8", Body: []byte("<h1>incident 7</h1>")},
		status.File{Path: "api/v2/summary.json", ContentType: "application/json", Body: []byte(`{"who":"` + who + `","pad":"` + big + `"}`)})
	return s, nil
}

func servePages(t *testing.T, db *store.DB) (url string, src *pagesSource, pub *status.Publisher, tokens *status.TokenStore) {
	t.Helper()
	return servePagesWith(t, db, Deps{})
}

func servePagesWith(t *testing.T, db *store.DB, d Deps) (url string, src *pagesSource, pub *status.Publisher, tokens *status.TokenStore) {
	t.Helper()
	src = &pagesSource{fp: "1"}
	tokens = status.NewTokenStore(db)
	pub = status.NewPublisher(status.PublisherOptions{Source: src, Tokens: tokens, Render: pagesSite,
		Build: func(in *status.Input, customer string) *status.Page {
			return &status.Page{Generated: in.Now, Name: in.Name}
		}})
	if err := pub.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopping := make(chan struct{})
	t.Cleanup(func() { close(stopping) })
	d.Status, d.StatusTokens, d.Stopping = pub, tokens, stopping
	srv := httptest.NewServer(NewServer(d).Handler())
	t.Cleanup(srv.Close)
	return srv.URL, src, pub, tokens
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func fetch(t *testing.T, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: noRedirect, Transport: &http.Transport{DisableCompression: true}}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestStatusPagesServeFromMemoryWithValidatorsAndGzip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		url, _, _, _ := servePages(t, db)
		resp, body := fetch(t, url+"/?utm_source=mastodon", nil)
		if resp.StatusCode != 200 || !strings.HasPrefix(body, "<h1>fr everyone") {
			t.Fatalf("home: %d %.60q", resp.StatusCode, body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("page CSP %q", csp)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "public") || !strings.Contains(cc, "max-age=") {
			t.Errorf("Cache-Control %q", cc)
		}
		etag := resp.Header.Get("ETag")
		if resp.Header.Get("Last-Modified") == "" || etag == "" {
			t.Fatalf("no validators: %v", resp.Header)
		}
		if resp, _ := fetch(t, url+"/", map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match: %d", resp.StatusCode)
		}
		resp, gz := fetch(t, url+"/api/v2/summary.json", map[string]string{"Accept-Encoding": "gzip, br"})
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("summary headers: %v", resp.Header)
		}
		zr, err := gzip.NewReader(strings.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if !strings.HasPrefix(string(plain), `{"who":"everyone"`) {
			t.Errorf("gunzipped summary %.40q", plain)
		}
		if resp.Header.Get("ETag") == etag || !strings.HasSuffix(resp.Header.Get("ETag"), `-gz"`) {
			t.Errorf("gzip ETag %q", resp.Header.Get("ETag"))
		}
		if resp, _ := fetch(t, url+"/incidents/7", nil); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/incidents/7/" {
			t.Errorf("no slash: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, body := fetch(t, url+"/incidents/8/", nil); resp.StatusCode != http.StatusNotFound ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, `<html lang="fr">`) {
			t.Errorf("unknown incident: %d %s %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if resp, body := fetch(t, url+"/en/incidents/8/", nil); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Page not found") {
			t.Errorf("unknown incident in English: %d %.200s", resp.StatusCode, body)
		}
		if resp, body := fetch(t, url+"/api/v2/nothing.json", nil); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `"error"`) {
			t.Errorf("unknown document: %d %.200s", resp.StatusCode, body)
		}
	})
}

func TestStatusPagesSpeakTheReadersLanguageAndRememberTheSwitch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		url, _, _, _ := servePages(t, db)
		resp, _ := fetch(t, url+"/", map[string]string{"Accept-Language": "en-CA,en;q=0.9,fr;q=0.5"})
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/en/" {
			t.Errorf("English reader: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Language") {
			t.Errorf("Vary %q", resp.Header.Get("Vary"))
		}
		if resp, body := fetch(t, url+"/", map[string]string{"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}); resp.StatusCode != 200 || !strings.HasPrefix(body, "<h1>fr") {
			t.Errorf("French reader: %d %.20q", resp.StatusCode, body)
		}
		// The switch: ?lang=fr sets the cookie, which then wins over the browser.
		resp, body := fetch(t, url+"/?lang=fr", map[string]string{"Accept-Language": "en"})
		if resp.StatusCode != 200 || !strings.HasPrefix(body, "<h1>fr") {
			t.Fatalf("switch to French: %d %.20q", resp.StatusCode, body)
		}
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == langCookie {
				cookie = c
			}
		}
		if cookie == nil || cookie.Value != "fr" || cookie.MaxAge <= 0 {
			t.Fatalf("language cookie %+v", cookie)
		}
		if resp.Header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("a response setting a cookie may be cached: %q", resp.Header.Get("Cache-Control"))
		}
		if resp, _ := fetch(t, url+"/", map[string]string{"Accept-Language": "en", "Cookie": langCookie + "=fr"}); resp.StatusCode != 200 {
			t.Errorf("remembered French: %d", resp.StatusCode)
		}
		if resp, _ := fetch(t, url+"/", map[string]string{"Cookie": langCookie + "=en"}); resp.StatusCode != http.StatusFound {
			t.Errorf("remembered English: %d", resp.StatusCode)
		}
		if resp, body := fetch(t, url+"/?lang=de", nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "lang") {
			t.Errorf("bad lang: %d %s", resp.StatusCode, body)
		}
	})
}

func TestCustomerPagesNeedTheirLiveToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, id := range []string{"c1", "c2"} {
			if _, err := db.ExecContext(ctx, `INSERT INTO customers (id, name, email, language, timezone) VALUES ($1, $1, 'x@example.org', 'fr', 'Europe/Paris')`, id); err != nil {
				t.Fatal(err)
			}
		}
		url, _, pub, tokens := servePages(t, db)
		t1, err := tokens.Issue(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if err := pub.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		resp, body := fetch(t, url+"/c/"+t1+"/api/v2/summary.json", nil)
		if resp.StatusCode != 200 || !strings.Contains(body, "customer c1") {
			t.Fatalf("customer summary: %d %.60q", resp.StatusCode, body)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
			t.Errorf("a customer's document is cacheable by a CDN: %q", cc)
		}
		if resp, _ := fetch(t, url+"/c/vst_0000000000000000_"+strings.Repeat("A", 43)+"/", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown token: %d", resp.StatusCode)
		}
		if err := tokens.Revoke(ctx, "c1"); err != nil {
			t.Fatal(err)
		}
		if err := pub.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if resp, body := fetch(t, url+"/c/"+t1+"/", nil); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "c1") {
			t.Errorf("revoked token: %d %q", resp.StatusCode, body)
		}
	})
}

func TestEventStreamTellsEachNewVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		url, src, pub, _ := servePages(t, db)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/events", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("content type %q", ct)
		}
		lines := bufio.NewScanner(resp.Body)
		next := func() string {
			for lines.Scan() {
				if v, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
					return v
				}
			}
			t.Fatalf("stream ended: %v", lines.Err())
			return ""
		}
		first := next()
		if first != pub.Site().Version {
			t.Fatalf("first event %q, site %q", first, pub.Site().Version)
		}
		src.set("2")
		if err := pub.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if second := next(); second == first || second != pub.Site().Version {
			t.Errorf("after a change: %q (was %q, site %q)", second, first, pub.Site().Version)
		}
	})
}

func TestLiveStreamsPastTheirCapAreToldToStop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		url, _, _, _ := servePagesWith(t, db, Deps{MaxStreams: 2})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		open := func() *http.Response {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/events", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}
		first, second := open(), open()
		for _, r := range []*http.Response{first, second} {
			if r.StatusCode != http.StatusOK {
				t.Fatalf("a stream under the cap: %d", r.StatusCode)
			}
		}
		third := open()
		_ = third.Body.Close()
		if third.StatusCode != http.StatusNoContent {
			t.Fatalf("a stream past the cap: %d, want 204", third.StatusCode)
		}
		// A closed stream frees its slot.
		_ = first.Body.Close()
		defer func() { _ = second.Body.Close() }()
		var again *http.Response
		if !pollUntil(5*time.Second, func() bool {
			again = open()
			if again.StatusCode == http.StatusOK {
				return true
			}
			_ = again.Body.Close()
			return false
		}) {
			t.Fatal("a freed slot was never given again")
		}
		_ = again.Body.Close()
	})
}

// pollUntil checks cond every 20 ms until it holds or d has passed.
func pollUntil(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func TestChoosingALanguageLeadsToThatLanguagesPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		url, _, _, _ := servePages(t, db)
		for _, c := range []struct{ path, to string }{
			{"/?lang=en", "/en/"},
			{"/incidents/7/?lang=en", "/en/incidents/7/"},
			{"/en/incidents/7/?lang=fr", "/incidents/7/"},
		} {
			resp, _ := fetch(t, url+c.path, nil)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != c.to {
				t.Errorf("%s: %d to %q, want %q", c.path, resp.StatusCode, resp.Header.Get("Location"), c.to)
			}
			if len(resp.Cookies()) != 1 || resp.Header.Get("Cache-Control") != "private, no-store" {
				t.Errorf("%s: cookies %v, Cache-Control %q", c.path, resp.Cookies(), resp.Header.Get("Cache-Control"))
			}
		}
		// The negotiated redirect is the reader's own: no shared cache keeps it.
		resp, _ := fetch(t, url+"/", map[string]string{"Accept-Language": "en"})
		if cc := resp.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
			t.Errorf("negotiated redirect Cache-Control %q", cc)
		}
	})
}
