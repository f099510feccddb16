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
	places := map[string]componentPlace{}
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
			places[id] = componentPlace{file, e}
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
	c.checkGroupIDs(out, places)
	return out
}

// componentPlace is where the documents declare a component.
type componentPlace struct {
	file  string
	entry *ComponentEntry
}

// checkGroupIDs reports the groups of comps that have the id of another
// component (a component's own is validateComponent's), on the group's
// line when a document declares that component, else on the line of the
// other's name. Clashes only among base components are left alone: no line
// of the documents is to blame.
func (c *checker) checkGroupIDs(comps []Component, places map[string]componentPlace) {
	for _, clash := range groupClashes(comps) {
		if clash[0] == clash[1] {
			continue
		}
		grouped, named := &comps[clash[0]], &comps[clash[1]]
		gp, gDeclared := places[grouped.ID()]
		np, nDeclared := places[named.ID()]
		gid := ComponentID(grouped.Group)
		switch {
		case gDeclared:
			at := ""
			if nDeclared {
				at = " (at " + placeString(np.file, np.entry.fieldLine("name", noItem)) + ")"
			}
			c.ps.add(gp.file, gp.entry.fieldLine("group", noItem), "group: %q gives the id %q of component %q%s: %s",
				grouped.Group, gid, named.Name, at, sharedIDs)
		case nDeclared:
			c.ps.add(np.file, np.entry.fieldLine("name", noItem), "name: id %q is the id of group %q of component %q: %s",
				gid, grouped.Group, grouped.Name, sharedIDs)
		}
	}
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
