package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"go.yaml.in/yaml/v3"
)

var customerFields = map[string]Field{
	"id": FieldID, "name": FieldName, "email": FieldEmail,
	"language": FieldLanguage, "timezone": FieldTimezone,
}

var assetFields = map[string]Field{
	"name": FieldName, "kind": FieldKind, "owner": FieldOwner, "depends_on": FieldDependsOn,
	"url": FieldURL, "address": FieldAddress, "labels": FieldLabels,
}

// Limits on the shape of a YAML file. An inventory is one document with a
// few keys per mapping: a file beyond these is refused as a whole. The rest
// costs in proportion to the file: the parser's time and memory grow
// linearly, it refuses collections nested more than 10,000 levels deep, and
// only the levels an inventory has are walked, anything deeper being a
// value of the wrong type.
const (
	maxKeys      = 1000
	maxDocuments = 100
)

// yamlFile walks the syntax tree of a YAML inventory file into a Document.
type yamlFile struct {
	file string
	doc  *Document
	ps   Problems
	// refusal, when set, is why the file as a whole cannot be read: it is
	// then the only problem reported, and the document is left empty.
	refusal *Problem
}

// parseYAML reads a YAML inventory file, one document after the other.
func parseYAML(file string, data []byte) (*Document, Problems) {
	y := &yamlFile{file: file, doc: &Document{File: file}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for docs := 1; y.refusal == nil; docs++ {
		var n yaml.Node
		err := decodeYAML(dec, &n)
		if errors.Is(err, io.EOF) {
			break
		}
		switch {
		case err != nil:
			line, msg := yamlSyntaxError(data, err)
			y.refuse(line, "%s", msg)
		case docs > maxDocuments:
			y.refuse(n.Line, "invalid YAML: more than %d documents", maxDocuments)
		default:
			y.top(&n)
		}
	}
	if y.refusal != nil {
		return &Document{File: file}, Problems{*y.refusal}
	}
	return y.doc, y.ps
}

// refuse records why the file cannot be read, found at line.
func (y *yamlFile) refuse(line int, format string, args ...any) {
	if y.refusal == nil {
		y.refusal = &Problem{File: y.file, Line: max(line, 1), Message: fmt.Sprintf(format, args...)}
	}
}

// decodeYAML reads the next document into n, turning a panic of the parser
// into an error: no input may crash the server.
func decodeYAML(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML parser failed: %v", r)
		}
	}()
	return dec.Decode(n)
}

// top reads the body of one YAML document.
func (y *yamlFile) top(d *yaml.Node) {
	if d.Kind != yaml.DocumentNode || len(d.Content) == 0 {
		return
	}
	n, ok := y.unwrap(d.Content[0], max(d.Line, 1))
	if !ok || yamlNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		y.ps.add(y.file, y.line(n, 1), "want a mapping with the keys customers, assets, checks, check_defaults, rules and components")
		return
	}
	pairs, ok := y.pairs(n)
	if !ok {
		return
	}
	var seen [len(topKeys)]int
	for i := 0; i < len(pairs); i += 2 {
		name, line, ok := y.key(pairs[i], y.line(n, 1))
		if !ok {
			continue
		}
		k := slices.Index(topKeys[:], name)
		if k < 0 {
			y.ps.add(y.file, line, "unknown key %q: want customers, assets, checks, check_defaults, rules or components", name)
			continue
		}
		if seen[k] != 0 {
			y.ps.add(y.file, line, "duplicate key %q (also at line %d)", name, seen[k])
			continue
		}
		seen[k] = line
		switch name {
		case "customers":
			y.list(pairs[i+1], line, name, y.customer)
		case "assets":
			y.list(pairs[i+1], line, name, y.asset)
		case "checks":
			y.list(pairs[i+1], line, name, y.checkEntry)
		case "check_defaults":
			y.checkDefaults(pairs[i+1], line)
		case "rules":
			y.list(pairs[i+1], line, name, y.ruleEntry)
		case "components":
			y.list(pairs[i+1], line, name, y.componentEntry)
		}
	}
}

// topKeys are the sections of an inventory file.
var topKeys = [...]string{"customers", "assets", "checks", "check_defaults", "rules", "components"}

// list reads the entries of the list under key, found at line.
func (y *yamlFile) list(n *yaml.Node, line int, key string, entry func(*yaml.Node, int)) {
	n, ok := y.unwrap(n, line)
	if !ok || yamlNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		y.ps.add(y.file, line, "%s: want a list of %s", key, key)
		return
	}
	switch key {
	case "customers":
		y.doc.Customers = slices.Grow(y.doc.Customers, len(n.Content))
	case "assets":
		y.doc.Assets = slices.Grow(y.doc.Assets, len(n.Content))
	}
	for _, item := range n.Content {
		if y.refusal != nil {
			return
		}
		entry(item, y.line(item, line))
	}
}

// fieldSet is a set of fields, here those whose value could not be read:
// their problem is reported, and checking the empty value left would only
// add a misleading "required".
type fieldSet uint16

func (s *fieldSet) add(f Field)     { *s |= 1 << f }
func (s fieldSet) has(f Field) bool { return s&(1<<f) != 0 }

// fields reads the fields of the entry n, reporting unknown and repeated
// ones, recording the line of each and calling set with its value.
func (y *yamlFile) fields(n *yaml.Node, known map[string]Field, lines *Lines, set func(f Field, v *yaml.Node, line int)) {
	pairs, ok := y.pairs(n)
	if !ok {
		return
	}
	for i := 0; i < len(pairs); i += 2 {
		name, line, ok := y.key(pairs[i], int(lines[FieldEntry]))
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
		set(f, pairs[i+1], line)
	}
}

// text reads the value of a single-valued field, adding f to unread when
// it cannot.
func (y *yamlFile) text(f Field, v *yaml.Node, line int, unread *fieldSet) string {
	s, ok := y.scalar(v, line, "%s: want a string, not a list or a mapping", f)
	if !ok {
		unread.add(f)
	}
	return s
}

func (y *yamlFile) customer(n *yaml.Node, line int) {
	n, ok := y.unwrap(n, line)
	if !ok {
		return
	}
	if n.Kind != yaml.MappingNode {
		y.ps.add(y.file, line, "want a customer: a mapping of id, name, email, language and timezone")
		return
	}
	e := CustomerEntry{File: y.file}
	e.Lines[FieldEntry] = int32(y.line(n, line))
	var unread fieldSet
	y.fields(n, customerFields, &e.Lines, func(f Field, v *yaml.Node, line int) {
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

func (y *yamlFile) asset(n *yaml.Node, line int) {
	n, ok := y.unwrap(n, line)
	if !ok {
		return
	}
	if n.Kind != yaml.MappingNode {
		y.ps.add(y.file, line, "want an asset: a mapping of name, kind, owner, depends_on, url, address and labels")
		return
	}
	e := AssetEntry{File: y.file}
	e.Lines[FieldEntry] = int32(y.line(n, line))
	var unread fieldSet
	y.fields(n, assetFields, &e.Lines, func(f Field, v *yaml.Node, line int) {
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
func (y *yamlFile) dependsOn(e *AssetEntry, v *yaml.Node, line int) {
	v, ok := y.unwrap(v, line)
	if !ok || yamlNull(v) {
		return
	}
	if v.Kind != yaml.SequenceNode {
		y.ps.add(y.file, line, "depends_on: want a list of asset names")
		return
	}
	e.DependsOn = make([]string, 0, len(v.Content))
	e.DependsOnLines = make([]int32, 0, len(v.Content))
	for _, item := range v.Content {
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
func (y *yamlFile) labels(v *yaml.Node, line int) map[string]string {
	v, ok := y.unwrap(v, line)
	if !ok || yamlNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		y.ps.add(y.file, line, "labels: want a mapping of strings")
		return nil
	}
	pairs, ok := y.pairs(v)
	if !ok {
		return nil
	}
	labels := make(map[string]string, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		k, keyLine, ok := y.key(pairs[i], line)
		if !ok {
			continue
		}
		if _, dup := labels[k]; dup {
			y.ps.add(y.file, keyLine, "labels: duplicate key %q", k)
			continue
		}
		s, ok := y.scalar(pairs[i+1], keyLine, "labels: value of %q must be a string, not a list or a mapping", k)
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
