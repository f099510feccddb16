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

// TestTheFirstScreen: /server is a page naming Vigie, its version and
// health and where the API reference is; / is the public status page;
// other unknown paths stay JSON 404s.
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
	if resp, page := get("/"); resp.StatusCode != 200 || !strings.Contains(page, `<html lang="fr"`) {
		t.Fatalf("/ is not the status page: %d %.300s", resp.StatusCode, page)
	}
	resp, page := get("/server")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/server is %s", resp.Header.Get("Content-Type"))
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
