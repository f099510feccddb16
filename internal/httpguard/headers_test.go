package httpguard

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func headersOf(t *testing.T, srv *httptest.Server) http.Header {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot {
		t.Fatalf("status %d: the wrapped handler did not run", resp.StatusCode)
	}
	return resp.Header
}

var teapot = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })

func TestSecurityHeadersOverPlainHTTP(t *testing.T) {
	srv := httptest.NewServer(SecurityHeaders(teapot, HeaderOptions{}))
	defer srv.Close()
	h := headersOf(t, srv)
	want := map[string]string{
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "strict-origin-when-cross-origin",
		"Content-Security-Policy":   "frame-ancestors 'none'",
		"X-Frame-Options":           "DENY",
		"Strict-Transport-Security": "",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
}

func TestSecurityHeadersOverTLSAddHSTS(t *testing.T) {
	srv := httptest.NewTLSServer(SecurityHeaders(teapot, HeaderOptions{}))
	defer srv.Close()
	if got := headersOf(t, srv).Get("Strict-Transport-Security"); got != "max-age=63072000" {
		t.Fatalf("HSTS over TLS: %q", got)
	}
}

func TestSecurityHeadersWithFrameAncestors(t *testing.T) {
	opts := HeaderOptions{FrameAncestors: []string{"https://intranet.example.org/", "http://wall.example.org:8080", "https://x.org; script-src *"}}
	if err := opts.Check(); err == nil {
		t.Fatal("Check accepted an origin that writes a directive")
	}
	srv := httptest.NewServer(SecurityHeaders(teapot, opts))
	defer srv.Close()
	h := headersOf(t, srv)
	if got, want := h.Get("Content-Security-Policy"), "frame-ancestors https://intranet.example.org http://wall.example.org:8080"; got != want {
		t.Errorf("CSP %q, want %q", got, want)
	}
	if got := h.Get("X-Frame-Options"); got != "" {
		t.Errorf("X-Frame-Options %q would forbid the allowed origins", got)
	}
}

func TestHeaderOptionsCheck(t *testing.T) {
	for _, good := range []string{"https://a.example.org", "http://a.example.org:81", "https://a.example.org/"} {
		if err := (HeaderOptions{FrameAncestors: []string{good}}).Check(); err != nil {
			t.Errorf("Check(%q): %v", good, err)
		}
	}
	for _, bad := range []string{"", "*", "a.example.org", "https://", "https://a.example.org/path", "https://u@a.example.org", "'self'", "javascript:x", "https://a.org?x=1"} {
		if err := (HeaderOptions{FrameAncestors: []string{bad}}).Check(); err == nil {
			t.Errorf("Check(%q) accepted it", bad)
		}
	}
}
