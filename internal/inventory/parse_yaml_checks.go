package inventory

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/facts"
)

// checkShape says how a check field is written in a file.
type checkShape uint8

const (
	shapeText checkShape = iota
	shapeNumber
	shapeBool
	shapeDuration
	shapeList
	shapeMapping
)

// checkFields maps every field of a check, by its name in files, to its
// shape. It is derived once from check.Check's JSON names, so that a field
// added there is read from files too; ruleFields likewise for rules.
var (
	checkFields = shapesOf(reflect.TypeFor[check.Check]())
	ruleFields  = shapesOf(reflect.TypeFor[facts.Rule]())
)

// shapesOf returns the shape of each JSON field of a struct type.
func shapesOf(t reflect.Type) map[string]checkShape {
	shapes := map[string]checkShape{}
	addShapes(shapes, t)
	return shapes
}

// addShapes adds the shapes of the JSON fields of t to shapes, those of
// embedded structs (a check's options) included, as encoding/json
// flattens them.
func addShapes(shapes map[string]checkShape, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addShapes(shapes, ft)
				continue
			}
		}
		switch {
		case f.Type == reflect.TypeFor[check.Duration]():
			shapes[name] = shapeDuration
		case f.Type.Kind() == reflect.Int:
			shapes[name] = shapeNumber
		case f.Type.Kind() == reflect.Bool,
			f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Bool:
			shapes[name] = shapeBool
		case f.Type.Kind() == reflect.Slice:
			shapes[name] = shapeList
		case f.Type.Kind() == reflect.Map:
			shapes[name] = shapeMapping
		default:
			shapes[name] = shapeText
		}
	}
}

// checkEntry reads one entry of the checks list.
func (y *yamlFile) checkEntry(n *yaml.Node, line int) {
	c, lines := y.readCheck(n, line, "check")
	y.doc.Checks = append(y.doc.Checks, CheckEntry{Check: c, File: y.file, Line: line, FieldLines: lines})
}

// checkDefaults reads the check_defaults mapping: asset kind → check.
func (y *yamlFile) checkDefaults(n *yaml.Node, line int) {
	n, ok := y.unwrap(n, line)
	if !ok || yamlNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		y.ps.add(y.file, line, "check_defaults: want a mapping of asset kinds to checks")
		return
	}
	pairs, ok := y.pairs(n)
	if !ok {
		return
	}
	for i := 0; i < len(pairs); i += 2 {
		kind, kline, ok := y.key(pairs[i], line)
		if !ok {
			continue
		}
		c, lines := y.readCheck(pairs[i+1], kline, "default check")
		y.doc.CheckDefaults = append(y.doc.CheckDefaults, CheckDefaultEntry{
			CheckDefault: CheckDefault{AssetKind: kind, Check: c}, File: y.file, Line: kline, FieldLines: lines})
	}
}

// readCheck reads a check mapping, reporting unknown, repeated and
// ill-shaped fields at their line. The check's own rules are applied later,
// with the asset it is on.
func (y *yamlFile) readCheck(n *yaml.Node, line int, what string) (check.Check, map[string]int) {
	var c check.Check
	lines := y.readFlat(n, line, what, checkFields, &c)
	return c, lines
}

// ruleEntry reads one entry of the rules list.
func (y *yamlFile) ruleEntry(n *yaml.Node, line int) {
	var r facts.Rule
	lines := y.readFlat(n, line, "rule", ruleFields, &r)
	y.doc.Rules = append(y.doc.Rules, RuleEntry{Rule: r, File: y.file, Line: line, FieldLines: lines})
}

// readFlat reads a mapping of single values, lists and string maps into
// dst (a pointer to a struct with JSON field names), reporting unknown,
// repeated and ill-shaped fields at their line; it returns the line of
// each field.
func (y *yamlFile) readFlat(n *yaml.Node, line int, what string, fields map[string]checkShape, dst any) map[string]int {
	lines := map[string]int{}
	n, ok := y.unwrap(n, line)
	if !ok {
		return lines
	}
	if n == nil || n.Kind != yaml.MappingNode {
		y.ps.add(y.file, line, "want a %s: a mapping of its fields", what)
		return lines
	}
	pairs, ok := y.pairs(n)
	if !ok {
		return lines
	}
	obj := make(map[string]any, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		name, kline, ok := y.key(pairs[i], line)
		if !ok {
			continue
		}
		shape, known := fields[name]
		if !known {
			y.ps.add(y.file, kline, "unknown field %q", name)
			continue
		}
		if prev, dup := lines[name]; dup {
			y.ps.add(y.file, kline, "duplicate field %q (also at line %d)", name, prev)
			continue
		}
		lines[name] = kline
		if v, ok := y.checkValue(name, shape, pairs[i+1], kline); ok {
			obj[name] = v
		}
	}
	// Every value was checked against its shape above, so this cannot fail;
	// JSON keeps one definition of the field names.
	if data, err := json.Marshal(obj); err == nil {
		_ = json.Unmarshal(data, dst)
	}
	return lines
}

// checkValue reads the value of one check field according to its shape.
func (y *yamlFile) checkValue(name string, shape checkShape, v *yaml.Node, line int) (any, bool) {
	v, ok := y.unwrap(v, line)
	if !ok || yamlNull(v) {
		return nil, false
	}
	switch shape {
	case shapeList:
		if v.Kind != yaml.SequenceNode {
			y.ps.add(y.file, line, "%s: want a list", name)
			return nil, false
		}
		out := make([]string, 0, len(v.Content))
		for _, item := range v.Content {
			s, ok := y.scalar(item, y.line(item, line), "%s: want a list of single values", name)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	case shapeMapping:
		if v.Kind != yaml.MappingNode {
			y.ps.add(y.file, line, "%s: want a mapping of names to values", name)
			return nil, false
		}
		out := map[string]string{}
		pairs, ok := y.pairs(v)
		if !ok {
			return nil, false
		}
		for i := 0; i < len(pairs); i += 2 {
			k, kline, ok := y.key(pairs[i], line)
			if !ok {
				return nil, false
			}
			val, ok := y.scalar(pairs[i+1], kline, "%s: value of %q must be a single value", name, k)
			if !ok {
				return nil, false
			}
			out[k] = val
		}
		return out, true
	}
	s, ok := y.scalar(v, line, "%s: want a single value, not a list or a mapping", name)
	if !ok {
		return nil, false
	}
	switch shape {
	case shapeNumber:
		n, err := strconv.Atoi(s)
		if err != nil {
			y.ps.add(y.file, line, "%s: want a whole number, got %q", name, s)
			return nil, false
		}
		return n, true
	case shapeBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			y.ps.add(y.file, line, "%s: want true or false, got %q", name, s)
			return nil, false
		}
		return b, true
	case shapeDuration:
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			y.ps.add(y.file, line, "%s: want a duration such as 30s or 2m, got %q", name, s)
			return nil, false
		}
		return d.String(), true
	}
	return s, true
}
