package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestTheFirstScreen: / is a page naming Vigie, its version and health
// and where the API reference is; other unknown paths stay JSON 404s.
func TestTheFirstScreen(t *testing.T) {
	a, err := app.Open(context.Background(), app.Config{DB: storetest.DSN(t, store.SQLite), Version: "v1.2.3 (abc)"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, page := get("/")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/ is %s", resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"<title>Vigie", "Version v1.2.3 (abc)", `href="/api/v1/openapi.json"`, "vigie token create", "The database answers"} {
		if !strings.Contains(page, want) {
			t.Errorf("/ lacks %q:\n%s", want, page)
		}
	}
	if resp, body := get("/nowhere"); resp.StatusCode != 404 || !strings.Contains(body, `"no such endpoint"`) {
		t.Fatalf("/nowhere: %d %s", resp.StatusCode, body)
	}
}
