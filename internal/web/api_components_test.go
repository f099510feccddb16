package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const componentHostYAML = `assets:
  - {name: web-01, kind: vm, labels: {pool: shared}}
  - {name: web-02, kind: vm, labels: {pool: shared}}
  - {name: mx1, kind: vm}
components:
  - name: Hébergement mutualisé
    name_en: Shared hosting
    covers: {kind: vm, label: pool=shared}
`

// TestComponentsAPI walks the public components through the staff API:
// list, create, show with coverage, conflict, bad input by field, replace
// in place, delete.
func TestComponentsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		base := serveAPI(t, db, Deps{}, componentHostYAML)
		steps := []struct {
			method, path, body string
			status             int
			contains           string
		}{
			{"GET", "/api/v1/components", ``, 200, `{"components":[{"component":{"covers":{"kind":"vm","label":"pool=shared"},"name":"Hébergement mutualisé","name_en":"Shared hosting"},"id":"hebergement-mutualise"}]}`},
			{"POST", "/api/v1/components", `{"name":"Courriel","group":"Messagerie","assets":["mx1"]}`, 201, `"id":"courriel"`},
			{"POST", "/api/v1/components", `{"name":"COURRIEL","assets":["mx1"]}`, 409, `"message":"component \"courriel\" already exists"`},
			{"POST", "/api/v1/components", `{"name":"DNS"}`, 422, `"fields":[{"field":"covers","message":"required unless assets are listed"}]`},
			{"POST", "/api/v1/components", `{"name":"DNS","assets":["ns9"]}`, 422, `{"field":"assets","message":"unknown asset \"ns9\""}`},
			{"POST", "/api/v1/components", `{"name":"DNS","covers":{"label":"role"}}`, 422, `"field":"covers.label"`},
			{"POST", "/api/v1/components", `{"name":"DNS","colour":"red","assets":"mx1"}`, 400, `"fields":[{"field":"assets","message":"want an array of strings, got a string"},{"field":"colour","message":"unknown field; known fields: assets, covers, description, description_en, group, group_en, name, name_en"}]`},
			{"POST", "/api/v1/components", `{"name":"DNS","covers":{"pool":"x"}}`, 400, `unknown field \"pool\"`},
			{"POST", "/api/v1/components", `{"name":"DNS",`, 400, `malformed JSON`},
			{"GET", "/api/v1/components/hebergement-mutualise", ``, 200, `"covered":["web-01","web-02"]`},
			{"GET", "/api/v1/components/courriel", ``, 200, `"covered":["mx1"],"id":"courriel"`},
			{"GET", "/api/v1/components/dns", ``, 404, `component \"dns\" not found`},
			{"PUT", "/api/v1/components/courriel", `{"name":"Mail","assets":["mx1"]}`, 400, `name \"Mail\" gives the id \"mail\", not \"courriel\"`},
			{"PUT", "/api/v1/components/dns", `{"name":"DNS","assets":["mx1"]}`, 404, `not found`},
			{"PUT", "/api/v1/components/courriel", `{"assets":["mx1"]}`, 422, `{"field":"name","message":"required"}`},
			{"PUT", "/api/v1/components/hebergement-mutualise", `{"name":"Hébergement Mutualisé","covers":{"kind":"vm"}}`, 200, `"name":"Hébergement Mutualisé"`},
			{"GET", "/api/v1/components/hebergement-mutualise", ``, 200, `"covered":["mx1","web-01","web-02"]`},
			{"GET", "/api/v1/components", ``, 200, `"id":"hebergement-mutualise"},{"component":{"assets":["mx1"],"group":"Messagerie","name":"Courriel"},"id":"courriel"}]`},
			{"DELETE", "/api/v1/components/hebergement-mutualise", ``, 204, ``},
			{"DELETE", "/api/v1/components/hebergement-mutualise", ``, 404, `not found`},
			{"GET", "/api/v1/components", ``, 200, `{"components":[{"component":{"assets":["mx1"],"group":"Messagerie","name":"Courriel"},"id":"courriel"}]}`},
		}
		for _, s := range steps {
			status, body := callComponents(t, s.method, base+s.path, s.body)
			if status != s.status || !strings.Contains(body, s.contains) {
				t.Fatalf("%s %s %s: %d %s; want %d containing %s", s.method, s.path, s.body, status, body, s.status, s.contains)
			}
		}
	})
}

// callComponents sends a JSON request and returns the status and the
// answer as compact JSON.
func callComponents(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 {
		return resp.StatusCode, ""
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %q", method, url, raw)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return resp.StatusCode, strings.TrimSpace(buf.String())
}
