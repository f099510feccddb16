package inventory

import (
	"slices"

	"go.yaml.in/yaml/v3"
)

// componentFields are the fields of a component, by their name in files.
var componentFields = []string{"name", "name_en", "group", "group_en", "description", "description_en", "covers", "assets"}

// componentEntry reads one entry of the components list. Its fields are
// checked by Check, with the inventory's assets.
func (y *yamlFile) componentEntry(n *yaml.Node, line int) {
	n, ok := y.unwrap(n, line)
	if !ok {
		return
	}
	if n == nil || n.Kind != yaml.MappingNode {
		y.ps.add(y.file, line, "want a component: a mapping of name, name_en, group, group_en, description, description_en, covers and assets")
		return
	}
	pairs, ok := y.pairs(n)
	if !ok {
		return
	}
	e := ComponentEntry{File: y.file, Line: line, FieldLines: map[string]int{}}
	for i := 0; i < len(pairs); i += 2 {
		name, kline, ok := y.key(pairs[i], line)
		if !ok {
			continue
		}
		if !slices.Contains(componentFields, name) {
			y.ps.add(y.file, kline, "unknown field %q", name)
			continue
		}
		if prev, dup := e.FieldLines[name]; dup {
			y.ps.add(y.file, kline, "duplicate field %q (also at line %d)", name, prev)
			continue
		}
		e.FieldLines[name] = kline
		v := pairs[i+1]
		switch name {
		case "covers":
			e.Covers = y.selector(&e, v, kline)
		case "assets":
			y.componentAssets(&e, v, kline)
		default:
			s, ok := y.scalar(v, kline, "%s: want a string, not a list or a mapping", name)
			if !ok {
				e.unread = append(e.unread, name)
			}
			*e.text(name) = s
		}
	}
	y.doc.Components = append(y.doc.Components, e)
}

// text returns the text field of the component named as in files.
func (e *ComponentEntry) text(name string) *string {
	switch name {
	case "name_en":
		return &e.NameEN
	case "group":
		return &e.Group
	case "group_en":
		return &e.GroupEN
	case "description":
		return &e.Description
	case "description_en":
		return &e.DescriptionEN
	}
	return &e.Name
}

// selector reads the covers mapping of kind and label; nil when it is
// null or cannot be read.
func (y *yamlFile) selector(e *ComponentEntry, v *yaml.Node, line int) *Selector {
	v, ok := y.unwrap(v, line)
	if !ok {
		e.unread = append(e.unread, "covers")
		return nil
	}
	if yamlNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		y.ps.add(y.file, line, "covers: want a mapping of kind and label")
		e.unread = append(e.unread, "covers")
		return nil
	}
	pairs, ok := y.pairs(v)
	if !ok {
		return nil
	}
	s := &Selector{}
	for i := 0; i < len(pairs); i += 2 {
		name, kline, ok := y.key(pairs[i], line)
		if !ok {
			continue
		}
		field := "covers." + name
		if name != "kind" && name != "label" {
			y.ps.add(y.file, kline, "covers: unknown field %q: want kind or label", name)
			continue
		}
		if prev, dup := e.FieldLines[field]; dup {
			y.ps.add(y.file, kline, "covers: duplicate field %q (also at line %d)", name, prev)
			continue
		}
		e.FieldLines[field] = kline
		text, ok := y.scalar(pairs[i+1], kline, "%s: want a string, not a list or a mapping", field)
		if !ok {
			e.unread = append(e.unread, "covers")
		}
		if name == "kind" {
			s.Kind = text
		} else {
			s.Label = text
		}
	}
	return s
}

// componentAssets reads a list of asset names, keeping the line of each.
func (y *yamlFile) componentAssets(e *ComponentEntry, v *yaml.Node, line int) {
	v, ok := y.unwrap(v, line)
	if !ok || yamlNull(v) {
		return
	}
	if v.Kind != yaml.SequenceNode {
		y.ps.add(y.file, line, "assets: want a list of asset names")
		e.unread = append(e.unread, "assets")
		return
	}
	e.Assets = make([]string, 0, len(v.Content))
	e.AssetLines = make([]int, 0, len(v.Content))
	for _, item := range v.Content {
		itemLine := y.line(item, line)
		name, ok := y.scalar(item, itemLine, "assets: want a list of asset names")
		if !ok {
			e.unread = append(e.unread, "assets")
			continue
		}
		e.Assets = append(e.Assets, name)
		e.AssetLines = append(e.AssetLines, itemLine)
	}
}
