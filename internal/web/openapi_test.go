package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestTheAPIReferenceMatchesTheRouter reads /api/v1/openapi.json as a
// stranger would (no token) and holds it against the router: every route
// is documented with its summary, permission and query parameters, every
// documented operation is a route, every path parameter is declared, and
// every schema reference resolves.
func TestTheAPIReferenceMatchesTheRouter(t *testing.T) {
	a, err := app.Open(context.Background(), app.Config{DB: storetest.DSN(t, store.SQLite)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var ref struct {
		OpenAPI    string                               `json:"openapi"`
		Info       map[string]any                       `json:"info"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := json.NewDecoder(resp.Body).Decode(&ref); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ref.OpenAPI, "3.") || ref.Info["title"] == nil || ref.Info["version"] == nil {
		t.Fatalf("not an OpenAPI 3 document: %s %v", ref.OpenAPI, ref.Info)
	}
	documented := map[string]bool{}
	for path, ops := range ref.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	routes := a.Routes()
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		op, ok := ref.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s is served but not documented", rt.Pattern)
			continue
		}
		delete(documented, rt.Pattern)
		if op["summary"] != rt.Summary || rt.Summary == "" {
			t.Errorf("%s: summary %q, route says %q", rt.Pattern, op["summary"], rt.Summary)
		}
		if rt.Permission != "" && op["x-vigie-permission"] != string(rt.Permission) {
			t.Errorf("%s: documented permission %v, route needs %s", rt.Pattern, op["x-vigie-permission"], rt.Permission)
		}
		var inPath, inQuery []string
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			m := p.(map[string]any)
			switch m["in"] {
			case "path":
				inPath = append(inPath, m["name"].(string))
			case "query":
				inQuery = append(inQuery, m["name"].(string))
			}
		}
		var want []string
		for _, m := range param.FindAllStringSubmatch(path, -1) {
			want = append(want, m[1])
		}
		if !slices.Equal(inPath, want) {
			t.Errorf("%s: path parameters %v documented, %v in the path", rt.Pattern, inPath, want)
		}
		if !slices.Equal(inQuery, rt.Query) {
			t.Errorf("%s: query parameters %v documented, route takes %v", rt.Pattern, inQuery, rt.Query)
		}
	}
	for pattern := range documented {
		t.Errorf("%s is documented but no route serves it", pattern)
	}
	// Every $ref names a schema of the document.
	raw, _ := json.Marshal(ref)
	for _, m := range regexp.MustCompile(`"\$ref":"#/components/schemas/([^"]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := ref.Components.Schemas[m[1]]; !ok {
			t.Errorf("$ref to %s, which the document does not define", m[1])
		}
	}
	if len(routes) < 60 {
		t.Fatalf("only %d routes", len(routes))
	}
}

// TestUnknownQueryParametersAreRefused: a misspelt filter is a 400 naming
// it, not everything.
func TestUnknownQueryParametersAreRefused(t *testing.T) {
	c := startServer(t, store.SQLite)
	status, body := c.json("GET", "/api/v1/incidents?customer=C1&status=all", "")
	if status != http.StatusBadRequest || body["message"] != "unknown query parameter customer: this route takes only status" {
		t.Fatalf("%d %v", status, body)
	}
	status, body = c.json("GET", "/api/v1/compliance?asset=hv03", "")
	if status != http.StatusBadRequest || body["message"] != "unknown query parameter asset: this route takes no query parameter" {
		t.Fatalf("%d %v", status, body)
	}
}
