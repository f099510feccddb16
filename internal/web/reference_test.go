package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// CheckedByReference serves h and checks every request it accepts (2xx)
// against the API reference: the route is documented, its query
// parameters are, and its JSON body matches the documented schema. A
// mismatch fails the test: what the server takes is what the reference
// says. Tests of this package and of web_test serve through it.
func CheckedByReference(t testing.TB, h http.Handler) http.Handler {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	var ref map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &ref); err != nil {
		t.Fatalf("the API reference is no JSON: %v", err)
	}
	ops := http.NewServeMux()
	for path, methods := range ref["paths"].(map[string]any) {
		for method := range methods.(map[string]any) {
			ops.HandleFunc(strings.ToUpper(method)+" "+path, func(http.ResponseWriter, *http.Request) {})
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// What the handler reads is kept as it goes: the request streams
		// as it would without the check.
		var seen bytes.Buffer
		if r.Body != nil {
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.TeeReader(r.Body, &seen), r.Body}
		}
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		body := seen.Bytes()
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		if sw.status < 200 || sw.status > 299 {
			return
		}
		_, pattern := ops.Handler(r)
		if pattern == "" {
			t.Errorf("%s %s was served (%d) but the API reference has no such operation", r.Method, r.URL.Path, sw.status)
			return
		}
		method, path, _ := strings.Cut(pattern, " ")
		op := ref["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
		params, _ := op["parameters"].([]any)
		for name := range r.URL.Query() {
			if !slices.ContainsFunc(params, func(p any) bool {
				m := p.(map[string]any)
				return m["in"] == "query" && m["name"] == name
			}) {
				t.Errorf("%s took the query parameter %q, which the reference does not document", pattern, name)
			}
		}
		if len(bytes.TrimSpace(body)) == 0 || !strings.Contains(r.Header.Get("Content-Type"), "json") && r.Header.Get("Content-Type") != "" {
			return
		}
		schema := jsonSchemaOf(op)
		if schema == nil {
			return
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return
		}
		for _, problem := range validate(ref, schema, v, "body") {
			t.Errorf("%s accepted a body the reference refuses: %s\n%s", pattern, problem, body)
		}
	})
}

func jsonSchemaOf(op map[string]any) map[string]any {
	rb, _ := op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	schema, _ := media["schema"].(map[string]any)
	return schema
}

// validate checks v against the subset of JSON Schema the reference uses:
// $ref, type, properties, additionalProperties, items, format date-time.
func validate(ref, schema map[string]any, v any, at string) []string {
	if r, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(r, "#/components/schemas/")
		target, ok := ref["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: $ref %s names no schema", at, r)}
		}
		return validate(ref, target, v, at)
	}
	typ, _ := schema["type"].(string)
	switch typ {
	case "":
		return nil
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %T", at, v)}
		}
		props, _ := schema["properties"].(map[string]any)
		var out []string
		for k, val := range m {
			if p, ok := props[k].(map[string]any); ok {
				out = append(out, validate(ref, p, val, at+"."+k)...)
				continue
			}
			switch extra := schema["additionalProperties"].(type) {
			case bool:
				if !extra {
					out = append(out, fmt.Sprintf("%s: property %q is not in the reference", at, k))
				}
			case map[string]any:
				out = append(out, validate(ref, extra, val, at+"."+k)...)
			}
		}
		return out
	case "array":
		list, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an array, got %T", at, v)}
		}
		items, _ := schema["items"].(map[string]any)
		var out []string
		for i, item := range list {
			out = append(out, validate(ref, items, item, fmt.Sprintf("%s[%d]", at, i))...)
		}
		return out
	case "string":
		s, ok := v.(string)
		if !ok {
			return []string{fmt.Sprintf("%s: want a string, got %T", at, v)}
		}
		if schema["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				return []string{fmt.Sprintf("%s: want an RFC 3339 time, got %q", at, s)}
			}
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			return []string{fmt.Sprintf("%s: want an integer, got %v", at, v)}
		}
	case "number":
		if _, ok := v.(float64); !ok {
			return []string{fmt.Sprintf("%s: want a number, got %T", at, v)}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return []string{fmt.Sprintf("%s: want true or false, got %T", at, v)}
		}
	}
	return nil
}
