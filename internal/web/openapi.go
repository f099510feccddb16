package web

import (
	"encoding"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// doc is what a route says of itself for the API reference: a summary,
// the query parameters it takes ("name: what it means"; any other is
// refused with 400), and its body: a value of the JSON type it decodes
// (nil for none), or the media type of a body that is not JSON.
type doc struct {
	summary string
	query   []string
	body    any
	rawBody string
	// anyQuery routes are pages people share with tracking parameters
	// added (?utm_source=…): they read the parameters they know and
	// ignore the others.
	anyQuery bool
}

// queryNames returns the names of the declared query parameters.
func (d doc) queryNames() []string {
	names := make([]string, len(d.query))
	for i, q := range d.query {
		names[i], _, _ = strings.Cut(q, ":")
	}
	return names
}

// checkQuery refuses, naming them, the query parameters a route does not
// take: a misspelt filter must not silently return everything.
func (s *Server) checkQuery(d doc, next http.Handler) http.Handler {
	allowed := d.queryNames()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var unknown []string
		for name := range r.URL.Query() {
			if !slices.Contains(allowed, name) {
				unknown = append(unknown, name)
			}
		}
		if len(unknown) > 0 {
			slices.Sort(unknown)
			takes := "takes no query parameter"
			if len(allowed) > 0 {
				takes = "takes only " + strings.Join(allowed, ", ")
			}
			s.deny(w, r, badRequest("unknown query parameter %s: this route %s", strings.Join(unknown, ", "), takes))
			return
		}
		next.ServeHTTP(w, r)
	})
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// openAPI builds the OpenAPI 3 document of every route, once.
func (s *Server) openAPI() []byte {
	s.apiDocOnce.Do(func() {
		rt := s.router()
		sc := &schemas{defs: map[string]any{}}
		paths := map[string]map[string]any{}
		for _, r := range rt.routes {
			method, path, _ := strings.Cut(r.Pattern, " ")
			op := map[string]any{
				"summary":     r.doc.summary,
				"operationId": operationID(method, path),
				"tags":        []string{r.surface},
				"responses": map[string]any{
					"2XX":     map[string]any{"description": "done; the body, when there is one, is JSON"},
					"default": map[string]any{"description": "refused or failed", "content": jsonContent(map[string]any{"$ref": "#/components/schemas/Error"})},
				},
			}
			switch r.Credential {
			case staffToken.String():
				op["security"] = []any{map[string]any{"token": []string{}}}
				op["description"] = "Needs a user's token with the `" + string(r.Permission) + "` permission."
				op["x-vigie-permission"] = string(r.Permission)
			case staffSession.String():
				op["description"] = "A staff page, for a staff member signed in by cookie (forms carry the session's csrf token)."
				if r.Permission != "" {
					op["description"] = "A staff page, for a staff member signed in by cookie whose role has the `" + string(r.Permission) +
						"` permission (forms carry the session's csrf token)."
					op["x-vigie-permission"] = string(r.Permission)
				}
			case locationToken.String(), agentToken.String():
				op["security"] = []any{map[string]any{"token": []string{}}}
				op["description"] = "Needs a " + r.Credential + "."
			default:
				op["security"] = []any{}
			}
			var params []any
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
			}
			for _, q := range r.doc.query {
				name, what, _ := strings.Cut(q, ":")
				params = append(params, map[string]any{"name": name, "in": "query", "description": strings.TrimSpace(what),
					"schema": map[string]any{"type": "string"}})
			}
			if len(params) > 0 {
				op["parameters"] = params
			}
			switch {
			case r.doc.body != nil:
				op["requestBody"] = map[string]any{"required": true, "content": jsonContent(sc.of(reflect.TypeOf(r.doc.body)))}
			case r.doc.rawBody != "":
				op["requestBody"] = map[string]any{"required": true, "content": map[string]any{r.doc.rawBody: map[string]any{"schema": map[string]any{"type": "string"}}}}
			}
			if paths[path] == nil {
				paths[path] = map[string]any{}
			}
			paths[path][strings.ToLower(method)] = op
		}
		sc.defs["Error"] = map[string]any{"type": "object", "properties": map[string]any{
			"error":   map[string]any{"type": "string", "description": "the HTTP status text"},
			"message": map[string]any{"type": "string", "description": "what went wrong, in plain words"},
			"fields": map[string]any{"type": "array", "description": "every problem of the body, by JSON field",
				"items": map[string]any{"type": "object", "properties": map[string]any{"field": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"}}}},
		}, "required": []string{"error", "message"}}
		out := map[string]any{
			"openapi": "3.0.3",
			"info": map[string]any{"title": "Vigie API", "version": "v1",
				"description": "The API of a Vigie server. Times are RFC 3339 (2026-11-27T02:00:00Z) except maintenance windows, " +
					"which take local times (2026-11-27T02:00) with an explicit IANA zone field. Errors are JSON: error, message, " +
					"and fields listing every problem of a body. Query parameters a route does not take are refused."},
			"paths": paths,
			"components": map[string]any{
				"schemas":         sc.defs,
				"securitySchemes": map[string]any{"token": map[string]any{"type": "http", "scheme": "bearer"}},
			},
		}
		s.apiDoc, _ = json.MarshalIndent(out, "", "  ")
	})
	return s.apiDoc
}

func jsonContent(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

// operationID names an operation after its method and path.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		part = strings.Trim(part, "{}")
		for _, w := range strings.FieldsFunc(part, func(r rune) bool { return r == '_' || r == '.' || r == '-' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// schemas turns Go types into JSON schemas, named structs as components.
type schemas struct {
	defs map[string]any
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func (sc *schemas) of(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler) {
		if t.Kind() == reflect.String || pt.Implements(textUnmarshaler) {
			return map[string]any{"type": "string"}
		}
		// Its own JSON form (a duration as "30s" or seconds, say).
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string"}
		}
		return map[string]any{"type": "array", "items": sc.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": sc.of(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return sc.object(t)
		}
		name := strings.ReplaceAll(strings.TrimPrefix(t.String(), "web."), "*", "")
		if _, ok := sc.defs[name]; !ok {
			sc.defs[name] = map[string]any{} // a placeholder against recursion
			sc.defs[name] = sc.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// object is the schema of a struct: its JSON fields, and no others.
func (sc *schemas) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	sc.fields(t, props)
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}

func (sc *schemas) fields(t reflect.Type, props map[string]any) {
	for name, ft := range jsonFieldsOf(t) {
		props[name] = sc.of(ft)
	}
}

// apiDocState keeps the built document.
type apiDocState struct {
	apiDocOnce sync.Once
	apiDoc     []byte
}
