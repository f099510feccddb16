package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/web"
)

// client talks to a whole Vigie server started in-process on loopback.
type client struct {
	t     *testing.T
	base  string
	token string
	// dsn is the server's database, for tests that set up state the API
	// does not create.
	dsn string
}

func startServer(t *testing.T, e store.Engine) *client {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t, e)
	a, err := app.Open(ctx, app.Config{DB: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if _, err := a.Auth.AddUser(ctx, "ops@example.org", auth.RoleAdmin, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	token, _, err := a.Auth.CreateToken(ctx, "ops@example.org", auth.TokenSpec{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.CheckedByReference(t, a.Handler()))
	t.Cleanup(srv.Close)
	return &client{t: t, base: srv.URL, token: token, dsn: dsn}
}

func (c *client) do(method, path, contentType string, body []byte) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			c.t.Fatalf("%s %s: body is not JSON: %q", method, path, data)
		}
	}
	return resp.StatusCode, out
}

func (c *client) json(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	return c.do(method, path, "application/json", []byte(body))
}

func TestAPIRequiresABearerToken(t *testing.T) {
	c := startServer(t, store.SQLite)
	for _, tok := range []string{"", "vigie_nonsense", c.token + "x"} {
		anon := &client{t: t, base: c.base, token: tok}
		status, body := anon.json("GET", "/api/v1/assets", "")
		if status != http.StatusUnauthorized || body["message"] == nil {
			t.Errorf("token %q: %d %v", tok, status, body)
		}
	}
	if status, _ := c.json("GET", "/api/v1/assets", ""); status != http.StatusOK {
		t.Fatalf("valid token: %d", status)
	}
}

func TestAPIAssetLifecycle(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			c := startServer(t, e)
			steps := []struct {
				method, path, body string
				status             int
				contains           string
			}{
				{"POST", "/api/v1/customers", `{"id":"C1","name":"Alice","email":"alice@example.org","language":"fr"}`, 201, `"timezone":"Europe/Paris"`},
				{"POST", "/api/v1/customers", `{"id":"C1","name":"Alice","email":"alice@example.org"}`, 409, "already exists"},
				{"POST", "/api/v1/customers", `{"id":"C2","name":"Bob","email":"nope","language":"de"}`, 422, `"field":"language"`},
				{"POST", "/api/v1/assets", `{"name":"hv1","kind":"hypervisor"}`, 201, `"name":"hv1"`},
				{"POST", "/api/v1/assets", `{"name":"vm1","kind":"vm","depends_on":["hv1"]}`, 201, `"depends_on":["hv1"]`},
				{"POST", "/api/v1/assets", `{"name":"s1","kind":"site","owner":"C1","depends_on":["vm1"],"url":"https://s1.example/"}`, 201, `"owner":"C1"`},
				{"POST", "/api/v1/assets", `{"name":"s2","kind":"site","depends_on":["nowhere"]}`, 422, `unknown asset`},
				{"POST", "/api/v1/assets", `{"name":"s2","kind":"site","colour":"red","depends_on":"vm1"}`, 400,
					`[{"field":"colour","message":"unknown field; known fields: address, depends_on, kind, labels, name, owner, url"},{"field":"depends_on","message":"want an array of strings, got a string"}]`},
				{"POST", "/api/v1/assets", `{"name":"s2","kind":`, 400, `malformed JSON`},
				{"POST", "/api/v1/assets", `{"name":"s2","kind":3}`, 400, `{"field":"kind","message":"want a string, got a number"}`},
				{"GET", "/api/v1/assets/hv1/impact", ``, 200, `"customers":["C1"]`},
				{"GET", "/api/v1/impact/vm1", ``, 200, `"sites":1`},
				{"PUT", "/api/v1/assets/hv1", `{"kind":"hypervisor","depends_on":["s1"]}`, 422, `dependency cycle: hv1 -> s1 -> vm1 -> hv1`},
				{"PUT", "/api/v1/assets/hv1", `{"kind":"hypervisor","labels":{"rack":"r2"}}`, 200, `"rack":"r2"`},
				{"GET", "/api/v1/assets?label=rack%3Dr2", ``, 200, `"name":"hv1"`},
				{"GET", "/api/v1/assets?limit=0", ``, 400, `limit`},
				{"DELETE", "/api/v1/assets/vm1", ``, 409, `"used_by":["s1"]`},
				{"DELETE", "/api/v1/customers/C1", ``, 409, `"used_by":["s1"]`},
				{"DELETE", "/api/v1/assets/s1", ``, 204, ``},
				{"GET", "/api/v1/assets/s1", ``, 404, `asset \"s1\" not found`},
				{"GET", "/api/v1/assets/hv1/impact", ``, 200, `"customers":[]`},
				{"GET", "/api/v1/nothing-here", ``, 404, `no such endpoint`},
			}
			for _, s := range steps {
				status, body := c.json(s.method, s.path, s.body)
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				_ = enc.Encode(body)
				compact := strings.TrimSpace(buf.String())
				if status != s.status || !strings.Contains(compact, s.contains) {
					t.Fatalf("%s %s %s: %d %s; want %d containing %s", s.method, s.path, s.body, status, compact, s.status, s.contains)
				}
			}
		})
	}
}

func TestAPIImportReportsProblemsWithFileAndLine(t *testing.T) {
	c := startServer(t, store.SQLite)
	bad := "assets:\n  - name: a\n    kind: vm\n    depends_on: [b]\n"
	status, body := c.do("POST", "/api/v1/import?name=inv.yaml", "application/yaml", []byte(bad))
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d %v", status, body)
	}
	errs, _ := body["errors"].([]any)
	if len(errs) != 1 {
		t.Fatalf("errors = %v", body["errors"])
	}
	first := errs[0].(map[string]any)
	if first["file"] != "inv.yaml" || first["line"] != float64(4) || !strings.Contains(first["message"].(string), `unknown asset "b"`) {
		t.Fatalf("error = %v", first)
	}

	// Two files in one multipart request, then the same again: unchanged.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, _ := mw.CreateFormFile("file", "customers.csv")
	_, _ = io.WriteString(part, "id,name,email,language,timezone\nC1,Alice,alice@example.org,fr,Europe/Paris\n")
	part, _ = mw.CreateFormFile("file", "assets.csv")
	_, _ = io.WriteString(part, "name,kind,owner,depends_on,url,address\nvm1,vm,,,,127.0.0.2:22\ns1,site,C1,vm1,https://s1.example/,\n")
	_ = mw.Close()
	for i, wantUnchanged := range []bool{false, true} {
		status, body = c.do("POST", "/api/v1/import", mw.FormDataContentType(), buf.Bytes())
		if status != http.StatusOK || body["unchanged"] != wantUnchanged {
			t.Fatalf("import %d: %d %v", i, status, body)
		}
	}
	status, body = c.json("GET", "/api/v1/assets?kind=site", "")
	assets, _ := body["assets"].([]any)
	if status != 200 || len(assets) != 1 {
		t.Fatalf("after import: %d %v", status, body)
	}
}

func TestAPIRefusesOversizedBodies(t *testing.T) {
	c := startServer(t, store.SQLite)
	big := `{"name":"x","kind":"vm","url":"` + strings.Repeat("a", 2<<20) + `"}`
	status, body := c.json("POST", "/api/v1/assets", big)
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d %v", status, body)
	}
}

func TestAPIListsPageByCursor(t *testing.T) {
	c := startServer(t, store.SQLite)
	for _, n := range []string{"a", "b", "c"} {
		if status, body := c.json("POST", "/api/v1/assets", `{"name":"`+n+`","kind":"vm"}`); status != 201 {
			t.Fatalf("%d %v", status, body)
		}
	}
	var seen []string
	path := "/api/v1/assets?limit=2"
	for range 3 {
		_, body := c.json("GET", path, "")
		for _, a := range body["assets"].([]any) {
			seen = append(seen, a.(map[string]any)["name"].(string))
		}
		next, _ := body["next"].(string)
		if next == "" {
			break
		}
		path = "/api/v1/assets?limit=2&after=" + next
	}
	if !slices.Equal(seen, []string{"a", "b", "c"}) {
		t.Fatalf("pages gave %v", seen)
	}
}

func TestAPIChecks(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			c := startServer(t, e)
			steps := []struct {
				method, path, body string
				status             int
				contains           string
			}{
				{"POST", "/api/v1/assets", `{"name":"vm1","kind":"vm","address":"127.0.0.5:22"}`, 201, ``},
				{"POST", "/api/v1/assets", `{"name":"s1","kind":"site","depends_on":["vm1"],"url":"https://s1.example/"}`, 201, ``},
				{"GET", "/api/v1/checks?effective=true", ``, 200, `"interval":"1m0s","kind":"http","method":"GET","name":"http","timeout":"10s","url":"https://s1.example/"`},
				{"GET", "/api/v1/checks?effective=true&asset=vm1", ``, 200, `"address":"127.0.0.5:22"`},
				{"POST", "/api/v1/checks", `{"asset":"s1","kind":"http","body_contains":"Welcome","interval":"30s"}`, 201, `"body_contains":"Welcome"`},
				{"POST", "/api/v1/checks", `{"asset":"s1","kind":"http"}`, 409, `already exists`},
				{"POST", "/api/v1/checks", `{"asset":"s1","name":"x","kind":"http","banner":"hi"}`, 422, `"field":"banner"`},
				{"POST", "/api/v1/checks", `{"asset":"nope","kind":"tcp"}`, 422, `unknown asset`},
				{"POST", "/api/v1/checks", `{"asset":"s1","kind":"http","interval":"soon"}`, 400, `{"field":"interval","message":"want a duration such as 30s or 2m, got \"soon\""}`},
				{"GET", "/api/v1/checks/s1/http", ``, 200, `"interval":"30s"`},
				{"PUT", "/api/v1/checks/s1/http", `{"kind":"http","body_contains":"Bienvenue"}`, 200, `Bienvenue`},
				{"GET", "/api/v1/checks?effective=true&asset=s1", ``, 200, `"body_contains":"Bienvenue"`},
				{"DELETE", "/api/v1/checks/s1/http", ``, 204, ``},
				{"GET", "/api/v1/checks/s1/http", ``, 404, `not found`},
			}
			for _, s := range steps {
				status, body := c.json(s.method, s.path, s.body)
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				_ = enc.Encode(body)
				compact := strings.TrimSpace(buf.String())
				if status != s.status || !strings.Contains(compact, s.contains) {
					t.Fatalf("%s %s %s: %d %s; want %d containing %s", s.method, s.path, s.body, status, compact, s.status, s.contains)
				}
			}
		})
	}
}
