package inventory

import (
	"slices"
)

// mergeComponents checks the documents' components and merges them over
// the base's, by id: a later file's component replaces an earlier one's,
// while one id twice in a file is an error. The result follows the
// documents' order; a base component no document names keeps its place
// after the one it followed in the base.
func (c *checker) mergeComponents() []Component {
	byID := map[string]Component{}
	var declared []string
	for _, d := range c.docs {
		if d == nil {
			continue
		}
		seen := map[string]string{}
		for i := range d.Components {
			e := &d.Components[i]
			file := entryFile(e.File, d)
			c.checkComponent(file, e)
			id := e.ID()
			if id == "" {
				continue // reported by checkComponent
			}
			line := lineOf(e.FieldLines, "name", e.Line)
			if prev, dup := seen[id]; dup {
				c.ps.add(file, line, "duplicate component %q (also at %s)", id, prev)
				continue
			}
			seen[id] = placeString(file, line)
			if _, again := byID[id]; !again {
				declared = append(declared, id)
			}
			byID[id] = e.Component
		}
	}
	if len(declared) == 0 {
		return slices.Clone(c.base.Components)
	}
	// Base components no document names follow the last one they followed
	// that a document names, or come first ("").
	after := map[string][]Component{}
	anchor := ""
	for _, b := range c.base.Components {
		id := b.ID()
		if _, named := byID[id]; named {
			anchor = id
			continue
		}
		after[anchor] = append(after[anchor], b)
	}
	out := make([]Component, 0, len(declared)+len(c.base.Components))
	out = append(out, after[""]...)
	for _, id := range declared {
		out = append(out, byID[id])
		out = append(out, after[id]...)
	}
	return out
}

// checkComponent normalises a component entry and reports its problems,
// the assets it lists that the desired inventory lacks included.
func (c *checker) checkComponent(file string, e *ComponentEntry) {
	report := func(field string, item int, msg string) {
		// A field that could not be read is reported already; so is the
		// missing selector of a component whose assets could not be read.
		if slices.Contains(e.unread, field) || field == "covers" && e.Covers == nil && slices.Contains(e.unread, "assets") {
			return
		}
		c.ps.add(file, e.fieldLine(field, item), "%s: %s", field, msg)
	}
	validateComponent(&e.Component, report)
	for i, name := range e.Assets {
		if _, ok := c.assets[name]; !ok && name != "" {
			c.ps.add(file, e.fieldLine("assets", i), "assets: unknown asset %q", name)
		}
	}
}

// fieldLine returns the line of a field of the entry, or of its assets
// item, falling back on the selector's line and on the entry's.
func (e *ComponentEntry) fieldLine(field string, item int) int {
	if field == "assets" && item >= 0 && item < len(e.AssetLines) {
		return e.AssetLines[item]
	}
	fallback := e.Line
	if field == "covers.kind" || field == "covers.label" {
		fallback = lineOf(e.FieldLines, "covers", e.Line)
	}
	return lineOf(e.FieldLines, field, fallback)
}
