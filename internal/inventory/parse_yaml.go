package inventory

import (
	"errors"
	"fmt"
	"slices"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

var customerFields = map[string]Field{
	"id": FieldID, "name": FieldName, "email": FieldEmail,
	"language": FieldLanguage, "timezone": FieldTimezone,
}

var assetFields = map[string]Field{
	"name": FieldName, "kind": FieldKind, "owner": FieldOwner, "depends_on": FieldDependsOn,
	"url": FieldURL, "address": FieldAddress, "labels": FieldLabels,
}

// yamlFile walks the syntax tree of a YAML inventory file into a Document.
type yamlFile struct {
	file    string
	doc     *Document
	ps      Problems
	anchors map[string]ast.Node
}

// tokenError is what the YAML parser's errors tell of their place.
type tokenError interface {
	GetMessage() string
	GetToken() *token.Token
}

func parseYAML(file string, data []byte) (*Document, Problems) {
	y := &yamlFile{file: file, doc: &Document{File: file}}
	f, err := parseYAMLTree(data)
	if err != nil {
		y.syntaxError(err)
		return y.doc, y.ps
	}
	for _, d := range f.Docs {
		if d != nil {
			y.top(d.Body)
		}
	}
	return y.doc, y.ps
}

// Limits on the shape of a YAML file. An inventory needs four levels of
// nesting, a few keys per mapping and one document, while the parser's time
// and memory grow with the square of each: a few hundred kilobytes of "[[[["
// or of keys in one mapping would exhaust the server.
const (
	maxNesting   = 32
	maxKeys      = 1000
	maxDocuments = 100
)

// parseYAMLTree parses data, turning a panic of the parser into an error:
// no input may crash the server.
func parseYAMLTree(data []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("the YAML parser failed: %v", r)
		}
	}()
	tokens := lexer.Tokenize(string(data))
	if err := checkShape(tokens); err != nil {
		return nil, err
	}
	// Repeated keys are reported here, with both lines, and without
	// stopping at the first one.
	return parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
}

// shapeError is a YAML file beyond the limits on its shape.
type shapeError struct {
	line int
	msg  string
}

func (e *shapeError) Error() string { return e.msg }

// checkShape refuses tokens beyond the limits on nesting, keys and
// documents. Flow collections nest by their brackets; block ones opened on
// a single line ("- - - x") by the block indicators on that line, while
// block nesting by indentation costs a line per level and stays bounded by
// the file's size. The keys of a block mapping are the keys found at one
// column until a line starts further left.
func checkShape(tokens token.Tokens) error {
	type blockMap struct{ column, keys int }
	var (
		maps                     []blockMap
		flow, line, onLine, docs int
		prev                     *token.Token
	)
	for _, tk := range tokens {
		if tk == nil || tk.Position == nil || tk.Type == token.CommentType {
			continue
		}
		if tk.Position.Line != line {
			line, onLine = tk.Position.Line, 0
			for len(maps) > 0 && maps[len(maps)-1].column > tk.Position.Column {
				maps = maps[:len(maps)-1]
			}
		}
		switch tk.Type {
		case token.DocumentHeaderType:
			if docs++; docs > maxDocuments {
				return &shapeError{line, fmt.Sprintf("more than %d documents", maxDocuments)}
			}
			maps = maps[:0]
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.SequenceEntryType, token.MappingKeyType:
			if flow == 0 {
				onLine++
			}
		case token.MappingValueType:
			if flow > 0 {
				break
			}
			onLine++
			column := tk.Position.Column
			if prev != nil && prev.Position.Line == line {
				column = prev.Position.Column
			}
			for len(maps) > 0 && maps[len(maps)-1].column > column {
				maps = maps[:len(maps)-1]
			}
			if n := len(maps); n > 0 && maps[n-1].column == column {
				if maps[n-1].keys++; maps[n-1].keys > maxKeys {
					return &shapeError{line, fmt.Sprintf("a mapping with more than %d keys", maxKeys)}
				}
			} else {
				maps = append(maps, blockMap{column: column, keys: 1})
			}
		}
		if flow > maxNesting || onLine > maxNesting {
			return &shapeError{line, fmt.Sprintf("collections nested more than %d levels deep", maxNesting)}
		}
		prev = tk
	}
	return nil
}

func (y *yamlFile) syntaxError(err error) {
	line, msg := 1, err.Error()
	var te tokenError
	var se *shapeError
	switch {
	case errors.As(err, &se):
		line = max(se.line, 1)
	case errors.As(err, &te):
		msg = te.GetMessage()
		if tk := te.GetToken(); tk != nil && tk.Position != nil && tk.Position.Line > 0 {
			line = tk.Position.Line
		}
	}
	y.ps.add(y.file, line, "invalid YAML: %s", msg)
}

// line returns the line of node n, or fallback when it has none.
func (y *yamlFile) line(n ast.Node, fallback int) int {
	if n == nil {
		return max(fallback, 1)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil || tk.Position.Line < 1 {
		return max(fallback, 1)
	}
	return tk.Position.Line
}

// unwrap returns the value under anchors and tags, and the single value an
// alias names. Aliases of lists and mappings are refused: expanding them
// could make a small file very costly. ok is false when n was refused, the
// problem already reported at line.
func (y *yamlFile) unwrap(n ast.Node, line int) (_ ast.Node, ok bool) {
	alias := "" // the alias followed, if any
	for range 64 {
		switch v := n.(type) {
		case *ast.AnchorNode:
			if v.Name != nil && v.Name.GetToken() != nil {
				if y.anchors == nil {
					y.anchors = make(map[string]ast.Node)
				}
				y.anchors[v.Name.GetToken().Value] = v.Value
			}
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			alias = ""
			if v.Value != nil && v.Value.GetToken() != nil {
				alias = v.Value.GetToken().Value
			}
			target, found := y.anchors[alias]
			if !found {
				y.ps.add(y.file, y.line(n, line), "unknown alias %q", alias)
				return nil, false
			}
			n = target
		default:
			if _, single := scalarText(n); alias != "" && !single {
				y.ps.add(y.file, line, "alias %q: only aliases of single values are supported", alias)
				return nil, false
			}
			return n, true
		}
	}
	y.ps.add(y.file, line, "too many nested anchors, tags or aliases")
	return nil, false
}

// scalarText returns the text of a single value as written, so that
// `id: 0123` reads as "0123"; ok is false for lists and mappings. A missing
// value or null reads as "".
func scalarText(n ast.Node) (text string, ok bool) {
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return "", true
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value, true
		}
		return "", true
	}
	return "", false
}

// scalar returns the text of the single value n, found at line. When n is
// a list or a mapping it reports the problem given by format and args; ok is
// false then, and when n was refused by unwrap.
func (y *yamlFile) scalar(n ast.Node, line int, format string, args ...any) (string, bool) {
	n, ok := y.unwrap(n, line)
	if !ok {
		return "", false
	}
	text, ok := scalarText(n)
	if !ok {
		y.ps.add(y.file, line, format, args...)
	}
	return text, ok
}

// yamlNull reports whether n is absent or null.
func yamlNull(n ast.Node) bool {
	_, null := n.(*ast.NullNode)
	return n == nil || null
}

// yamlMapping returns the key-value pairs of a mapping node.
func yamlMapping(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{v}, true
	}
	return nil, false
}

// key returns the text of a mapping key and its line; ok is false, the
// problem reported, when the key is not a single value.
func (y *yamlFile) key(mv *ast.MappingValueNode, fallback int) (name string, line int, ok bool) {
	var k ast.Node
	if mv.Key != nil {
		k = mv.Key
	}
	line = y.line(k, fallback)
	if mk, isKey := k.(*ast.MappingKeyNode); isKey {
		k = mk.Value
	}
	if _, merge := k.(*ast.MergeKeyNode); merge {
		y.ps.add(y.file, line, "merge keys (<<) are not supported")
		return "", line, false
	}
	if yamlNull(k) {
		y.ps.add(y.file, line, "want a name as key")
		return "", line, false
	}
	name, ok = y.scalar(k, line, "want a name as key")
	return name, line, ok
}

// top reads the body of one YAML document.
func (y *yamlFile) top(n ast.Node) {
	n, ok := y.unwrap(n, 1)
	if !ok || yamlNull(n) {
		return
	}
	values, ok := yamlMapping(n)
	if !ok {
		y.ps.add(y.file, y.line(n, 1), "want a mapping with the keys customers and assets")
		return
	}
	var seen [2]int
	for _, mv := range values {
		if mv == nil {
			continue
		}
		name, line, ok := y.key(mv, y.line(n, 1))
		if !ok {
			continue
		}
		var i int
		switch name {
		case "customers":
			i = 0
		case "assets":
			i = 1
		default:
			y.ps.add(y.file, line, "unknown key %q: want customers or assets", name)
			continue
		}
		if seen[i] != 0 {
			y.ps.add(y.file, line, "duplicate key %q (also at line %d)", name, seen[i])
			continue
		}
		seen[i] = line
		if i == 0 {
			y.list(mv.Value, line, name, y.customer)
		} else {
			y.list(mv.Value, line, name, y.asset)
		}
	}
}

// list reads the entries of the list under key, found at line.
func (y *yamlFile) list(n ast.Node, line int, key string, entry func(ast.Node, int)) {
	n, ok := y.unwrap(n, line)
	if !ok || yamlNull(n) {
		return
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		y.ps.add(y.file, line, "%s: want a list of %s", key, key)
		return
	}
	switch key {
	case "customers":
		y.doc.Customers = slices.Grow(y.doc.Customers, len(seq.Values))
	case "assets":
		y.doc.Assets = slices.Grow(y.doc.Assets, len(seq.Values))
	}
	for _, item := range seq.Values {
		entry(item, y.line(item, line))
	}
}

// fieldSet is a set of fields, here those whose value could not be read:
// their problem is reported, and checking the empty value left would only
// add a misleading "required".
type fieldSet uint16

func (s *fieldSet) add(f Field)     { *s |= 1 << f }
func (s fieldSet) has(f Field) bool { return s&(1<<f) != 0 }

// fields reads the fields of an entry, reporting unknown and repeated ones,
// recording the line of each and calling set with its value.
func (y *yamlFile) fields(values []*ast.MappingValueNode, known map[string]Field, lines *Lines, set func(f Field, v ast.Node, line int)) {
	for _, mv := range values {
		if mv == nil {
			continue
		}
		name, line, ok := y.key(mv, int(lines[FieldEntry]))
		if !ok {
			continue
		}
		f, ok := known[name]
		if !ok {
			y.ps.add(y.file, line, "unknown field %q", name)
			continue
		}
		if lines[f] != 0 {
			y.ps.add(y.file, line, "duplicate field %q (also at line %d)", name, lines[f])
			continue
		}
		lines[f] = int32(line)
		set(f, mv.Value, line)
	}
}

// text reads the value of a single-valued field, adding f to unread when
// it cannot.
func (y *yamlFile) text(f Field, v ast.Node, line int, unread *fieldSet) string {
	s, ok := y.scalar(v, line, "%s: want a string, not a list or a mapping", f)
	if !ok {
		unread.add(f)
	}
	return s
}

func (y *yamlFile) customer(n ast.Node, line int) {
	n, ok := y.unwrap(n, line)
	if !ok {
		return
	}
	values, ok := yamlMapping(n)
	if !ok {
		y.ps.add(y.file, line, "want a customer: a mapping of id, name, email, language and timezone")
		return
	}
	e := CustomerEntry{File: y.file}
	e.Lines[FieldEntry] = int32(y.line(n, line))
	var unread fieldSet
	y.fields(values, customerFields, &e.Lines, func(f Field, v ast.Node, line int) {
		s := y.text(f, v, line, &unread)
		switch f {
		case FieldID:
			e.ID = s
		case FieldName:
			e.Name = s
		case FieldEmail:
			e.Email = s
		case FieldLanguage:
			e.Language = s
		case FieldTimezone:
			e.Timezone = s
		}
	})
	validateCustomerEntry(&e, y.file, unread, &y.ps)
	y.doc.Customers = append(y.doc.Customers, e)
}

func (y *yamlFile) asset(n ast.Node, line int) {
	n, ok := y.unwrap(n, line)
	if !ok {
		return
	}
	values, ok := yamlMapping(n)
	if !ok {
		y.ps.add(y.file, line, "want an asset: a mapping of name, kind, owner, depends_on, url, address and labels")
		return
	}
	e := AssetEntry{File: y.file}
	e.Lines[FieldEntry] = int32(y.line(n, line))
	var unread fieldSet
	y.fields(values, assetFields, &e.Lines, func(f Field, v ast.Node, line int) {
		switch f {
		case FieldName:
			e.Name = y.text(f, v, line, &unread)
		case FieldKind:
			e.Kind = y.text(f, v, line, &unread)
		case FieldOwner:
			e.Owner = y.text(f, v, line, &unread)
		case FieldURL:
			e.URL = y.text(f, v, line, &unread)
		case FieldAddress:
			e.Address = y.text(f, v, line, &unread)
		case FieldDependsOn:
			y.dependsOn(&e, v, line)
		case FieldLabels:
			e.Labels = y.labels(v, line)
		}
	})
	validateAssetEntry(&e, y.file, unread, &y.ps)
	y.doc.Assets = append(y.doc.Assets, e)
}

// dependsOn reads a list of asset names, keeping the line of each.
func (y *yamlFile) dependsOn(e *AssetEntry, v ast.Node, line int) {
	v, ok := y.unwrap(v, line)
	if !ok || yamlNull(v) {
		return
	}
	seq, ok := v.(*ast.SequenceNode)
	if !ok {
		y.ps.add(y.file, line, "depends_on: want a list of asset names")
		return
	}
	e.DependsOn = make([]string, 0, len(seq.Values))
	e.DependsOnLines = make([]int32, 0, len(seq.Values))
	for _, item := range seq.Values {
		itemLine := y.line(item, line)
		name, ok := y.scalar(item, itemLine, "depends_on: want a list of asset names")
		if !ok {
			continue
		}
		e.DependsOn = append(e.DependsOn, name)
		e.DependsOnLines = append(e.DependsOnLines, int32(itemLine))
	}
}

// labels reads a mapping of label names to single values.
func (y *yamlFile) labels(v ast.Node, line int) map[string]string {
	v, ok := y.unwrap(v, line)
	if !ok || yamlNull(v) {
		return nil
	}
	values, ok := yamlMapping(v)
	if !ok {
		y.ps.add(y.file, line, "labels: want a mapping of strings")
		return nil
	}
	labels := make(map[string]string, len(values))
	for _, mv := range values {
		if mv == nil {
			continue
		}
		k, keyLine, ok := y.key(mv, line)
		if !ok {
			continue
		}
		if _, dup := labels[k]; dup {
			y.ps.add(y.file, keyLine, "labels: duplicate key %q", k)
			continue
		}
		s, ok := y.scalar(mv.Value, keyLine, "labels: value of %q must be a string, not a list or a mapping", k)
		if !ok {
			continue
		}
		labels[k] = s
	}
	if len(labels) == 0 {
		return nil
	}
	return labels
}
