package inventory

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on a component's texts, in characters.
const (
	maxComponentNameLen = 100
	maxComponentTextLen = 1000
)

// ComponentEntry is a public component read from a file, with the line of
// each field (by its name in the file; "covers.kind" and "covers.label"
// for the selector's parts) and of each item of its assets list.
type ComponentEntry struct {
	Component
	File       string
	Line       int
	FieldLines map[string]int
	AssetLines []int
	// unread are the fields whose value could not be read: their problem
	// is reported, and a "required" on top would mislead.
	unread []string
}

// ComponentFieldError is a problem with one field of a component, named as
// in files and JSON ("covers.label").
type ComponentFieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ComponentInvalidError lists what is wrong with a component sent through
// the API.
type ComponentInvalidError struct {
	Fields []ComponentFieldError
}

func (e *ComponentInvalidError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid component: " + strings.Join(parts, "; ")
}

// componentReport receives the problems of a component; item is the index
// of the assets item concerned, or noItem.
type componentReport func(field string, item int, msg string)

// ValidateComponent trims the component's texts and checks every field
// that needs no inventory: whether the assets it lists exist is checked
// where the inventory is known.
func ValidateComponent(c *Component) []ComponentFieldError {
	var errs []ComponentFieldError
	validateComponent(c, func(field string, _ int, msg string) {
		errs = append(errs, ComponentFieldError{Field: field, Message: msg})
	})
	return errs
}

func validateComponent(c *Component, report componentReport) {
	for _, s := range []*string{&c.Name, &c.NameEN, &c.Group, &c.GroupEN, &c.Description, &c.DescriptionEN} {
		*s = strings.TrimSpace(*s)
	}
	switch {
	case c.Name == "":
		report("name", noItem, "required")
	case c.ID() == "":
		report("name", noItem, fmt.Sprintf("%q gives an empty id: use at least one ASCII letter or digit", c.Name))
	}
	if c.Group != "" {
		switch gid := ComponentID(c.Group); {
		case gid == "":
			report("group", noItem, fmt.Sprintf("%q gives an empty id: use at least one ASCII letter or digit", c.Group))
		case gid == c.ID():
			report("group", noItem, fmt.Sprintf("%q gives the id %q of the component itself: %s", c.Group, gid, sharedIDs))
		}
	}
	for _, f := range []struct {
		name, value string
		oneLine     bool
	}{
		{"name", c.Name, true}, {"name_en", c.NameEN, true},
		{"group", c.Group, true}, {"group_en", c.GroupEN, true},
		{"description", c.Description, false}, {"description_en", c.DescriptionEN, false},
	} {
		if msg := checkComponentText(f.value, f.oneLine); msg != "" {
			report(f.name, noItem, msg)
		}
	}
	if c.Covers == nil && len(c.Assets) == 0 {
		report("covers", noItem, "required unless assets are listed")
	}
	if c.Covers != nil {
		validateSelector(c.Covers, report)
	}
	for i, name := range c.Assets {
		c.Assets[i] = strings.TrimSpace(name)
		switch {
		case c.Assets[i] == "":
			report("assets", i, "empty asset name")
		case slices.Contains(c.Assets[:i], c.Assets[i]):
			report("assets", i, fmt.Sprintf("duplicate entry %q", c.Assets[i]))
		}
	}
	if len(c.Assets) == 0 {
		c.Assets = nil
	}
}

// sharedIDs says why a group may not have a component's id.
const sharedIDs = "groups and components need distinct ids"

// groupClashes returns the pairs {grouped, named} of indexes in comps where
// the group of comps[grouped] has the id of comps[named], the component
// itself included: groups and components share one id space on the status
// page's Statuspage API, where a group "DNS" beside a component "DNS" would
// be two objects of one id.
func groupClashes(comps []Component) [][2]int {
	byID := make(map[string]int, len(comps))
	for i := range comps {
		if id := comps[i].ID(); id != "" {
			byID[id] = i
		}
	}
	var out [][2]int
	for i := range comps {
		if comps[i].Group == "" {
			continue
		}
		if j, ok := byID[ComponentID(comps[i].Group)]; ok {
			out = append(out, [2]int{i, j})
		}
	}
	return out
}

// checkComponentText checks a text shown on the public page: a name or a
// group on one line, a description on several.
func checkComponentText(s string, oneLine bool) string {
	limit := maxComponentTextLen
	if oneLine {
		limit = maxComponentNameLen
	}
	switch {
	case oneLine && strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "must not contain control characters"
	case utf8.RuneCountInString(s) > limit:
		return fmt.Sprintf("must be at most %d characters", limit)
	}
	return ""
}

func validateSelector(s *Selector, report componentReport) {
	s.Kind = strings.TrimSpace(s.Kind)
	s.Label = strings.TrimSpace(s.Label)
	if s.Kind == "" && s.Label == "" {
		report("covers", noItem, "want a kind, a label or both")
		return
	}
	if s.Label == "" {
		return
	}
	k, v, ok := strings.Cut(s.Label, "=")
	switch {
	case !ok || !validLabelKey(k):
		report("covers.label", noItem, fmt.Sprintf("want key=value, a label key of letters, digits and _ . / -, got %q", s.Label))
	case utf8.RuneCountInString(v) > maxLabelValueLen:
		report("covers.label", noItem, fmt.Sprintf("value is longer than %d characters", maxLabelValueLen))
	}
}

// labelPair returns the key and value the selector's label asks for; ok is
// false when it has no label. A label without "=" asks for the key alone.
func (s *Selector) labelPair() (key, value string, hasValue, ok bool) {
	if s.Label == "" {
		return "", "", false, false
	}
	key, value, hasValue = strings.Cut(s.Label, "=")
	return key, value, hasValue, true
}
