package inventory

import "go.yaml.in/yaml/v3"

// The tags the parser gives to a null value and to the merge key "<<".
const (
	nullTag  = "!!null"
	mergeTag = "!!merge"
)

// line returns the line of node n, or fallback when it has none.
func (y *yamlFile) line(n *yaml.Node, fallback int) int {
	if n == nil || n.Line < 1 {
		return max(fallback, 1)
	}
	return n.Line
}

// quotedStyles are the styles of a scalar written between quotes or as a
// block: empty, it is still an empty string.
const quotedStyles = yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle

// yamlNull reports whether n is absent or null: "~", "null", or nothing but
// perhaps a tag, as in "assets: !!seq".
func yamlNull(n *yaml.Node) bool {
	if n == nil {
		return true
	}
	return n.Kind == yaml.ScalarNode && (n.Tag == nullTag || n.Value == "" && n.Style&quotedStyles == 0)
}

// unwrap returns the value an alias names, or n when it is not an alias.
// Aliases of lists and mappings are refused: expanding them could make a
// small file very costly. ok is false when n was refused, the problem
// already reported at line.
func (y *yamlFile) unwrap(n *yaml.Node, line int) (_ *yaml.Node, ok bool) {
	if n == nil || n.Kind != yaml.AliasNode {
		return n, true
	}
	switch {
	case n.Alias == nil:
		y.ps.add(y.file, y.line(n, line), "unknown alias %q", n.Value)
		return nil, false
	case n.Alias.Kind != yaml.ScalarNode:
		y.ps.add(y.file, line, "alias %q: only aliases of single values are supported", n.Value)
		return nil, false
	}
	return n.Alias, true
}

// scalarText returns the text of a single value as written, so that
// `id: 0123` reads as "0123" whatever the type YAML gives it; ok is false
// for lists and mappings. A missing value or null reads as "".
func scalarText(n *yaml.Node) (text string, ok bool) {
	switch {
	case yamlNull(n):
		return "", true
	case n.Kind == yaml.ScalarNode:
		return n.Value, true
	}
	return "", false
}

// scalar returns the text of the single value n, found at line. When n is
// a list or a mapping it reports the problem given by format and args; ok is
// false then, and when n was refused by unwrap.
func (y *yamlFile) scalar(n *yaml.Node, line int, format string, args ...any) (string, bool) {
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

// pairs returns the keys and values of the mapping n, alternating. Beyond
// maxKeys keys the file is refused and ok is false.
func (y *yamlFile) pairs(n *yaml.Node) (_ []*yaml.Node, ok bool) {
	if len(n.Content) > 2*maxKeys {
		y.refuse(y.line(n.Content[2*maxKeys], n.Line), "invalid YAML: a mapping with more than %d keys", maxKeys)
		return nil, false
	}
	return n.Content[:len(n.Content)&^1], true
}

// key returns the text of the mapping key k and its line; ok is false, the
// problem reported, when the key is not a single value.
func (y *yamlFile) key(k *yaml.Node, fallback int) (name string, line int, ok bool) {
	line = y.line(k, fallback)
	k, ok = y.unwrap(k, line)
	if !ok {
		return "", line, false
	}
	if k != nil && k.Kind == yaml.ScalarNode && k.Tag == mergeTag {
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
