package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strings"
)

// bodyProblems lists every problem of a JSON object body against the
// struct v points to, by JSON field name and in plain words: each unknown
// field, each field of the wrong type. It is run once decoding failed, so
// that a sender learns everything wrong at once rather than one 400 at a
// time. It returns nil when it finds nothing to say field by field.
func bodyProblems(data []byte, v any) []map[string]string {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil
	}
	known := jsonFields(reflect.TypeOf(v))
	if known == nil {
		return nil
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	var out []map[string]string
	for _, name := range names {
		t, ok := known[name]
		if !ok {
			out = append(out, field(name, "unknown field; known fields: "+strings.Join(sortedKeys(known), ", ")))
			continue
		}
		dst := reflect.New(t).Interface()
		err := json.Unmarshal(fields[name], dst)
		var typ *json.UnmarshalTypeError
		switch {
		case err == nil:
		case errors.As(err, &typ):
			where := name
			if typ.Field != "" && typ.Field != name {
				where = name + "." + typ.Field
			}
			out = append(out, field(where, fmt.Sprintf("want %s, got %s", jsonKind(typ.Type), article(typ.Value))))
		default:
			out = append(out, field(name, plainJSONError(err)))
		}
	}
	return out
}

// jsonPath returns the path of a field as a sender writes it, from the path
// encoding/json reports in an UnmarshalTypeError for the type t: that one
// also names the embedded structs on the way ("DNSOptions.query" for the
// query of a check), which are no part of the JSON.
func jsonPath(t reflect.Type, path string) string {
	var out []string
	for seg := range strings.SplitSeq(path, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			t = nil
			out = append(out, seg)
			continue
		}
		if f, ok := t.FieldByName(seg); ok && f.Anonymous {
			t = f.Type
			continue
		}
		t = jsonFields(t)[seg]
		out = append(out, seg)
	}
	return strings.Join(out, ".")
}

// jsonFields maps the JSON names of a struct's fields (embedded structs
// included) to their types; nil when t is no struct.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	out := map[string]reflect.Type{}
	for name, ft := range jsonFieldsOf(t) {
		out[name] = ft
	}
	return out
}

// jsonFieldsOf yields the JSON name and type of each field of the struct
// type t as encoding/json sees them: fields of embedded structs flattened,
// "-" and unexported fields left out.
func jsonFieldsOf(t reflect.Type) iter.Seq2[string, reflect.Type] {
	return func(yield func(string, reflect.Type) bool) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				ft := f.Type
				for ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					for n, nt := range jsonFieldsOf(ft) {
						if !yield(n, nt) {
							return
						}
					}
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if !yield(name, f.Type) {
				return
			}
		}
	}
}

// jsonKind says in words what JSON a Go type takes: the words of its
// schema in the API reference.
func jsonKind(t reflect.Type) string {
	return schemaWords((&schemas{defs: map[string]any{}}).of(t))
}

// schemaWords says a schema's type in words.
func schemaWords(schema map[string]any) string {
	if _, ref := schema["$ref"]; ref {
		return "an object"
	}
	switch schema["type"] {
	case "string":
		return "a string"
	case "boolean":
		return "true or false"
	case "integer":
		if schema["minimum"] == 0 {
			return "a whole number, 0 or more"
		}
		return "a whole number"
	case "number":
		return "a number"
	case "array":
		items, _ := schema["items"].(map[string]any)
		words := schemaWords(items)
		words = strings.TrimPrefix(strings.TrimPrefix(words, "a "), "an ")
		return "an array of " + words + "s"
	case "object":
		return "an object"
	}
	return "another value"
}

// article names a JSON value kind as encoding/json reports it.
func article(kind string) string {
	switch {
	case strings.HasPrefix(kind, "number"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "array":
		return "an array"
	case kind == "object":
		return "an object"
	}
	return kind
}

// plainJSONError turns a decoding error into words without Go names.
func plainJSONError(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	if i := strings.Index(msg, "Go value of type"); i >= 0 {
		return "a value of the wrong type"
	}
	return msg
}

func sortedKeys(m map[string]reflect.Type) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// decodeBody decodes data, a whole JSON body, strictly into v; on failure
// the error lists every problem by field.
func decodeBody(data []byte, v any) error {
	err := decodeStrict(bytes.NewReader(data), v)
	if err == nil {
		return nil
	}
	var we *Error
	if errors.As(err, &we) && we.Status == 400 {
		if problems := bodyProblems(data, v); len(problems) > 0 {
			noun := "problems"
			if len(problems) == 1 {
				noun = "problem"
			}
			return &Error{Status: 400, Message: fmt.Sprintf("malformed JSON body: %d %s, by field", len(problems), noun),
				Details: map[string]any{"fields": problems}}
		}
	}
	return err
}
