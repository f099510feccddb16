package inventory

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// grammarProblems are the parser's problems with a token it cannot take
// where it stands. The parser places them at the start of the enclosing
// collection, counted from 0, which may be far above the token: they are
// placed instead on the last line it read. Its problems with characters
// are placed right, on the line it gives, or on the last line read when
// it gives none.
var grammarProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found undefined tag handle":             true,
}

// directiveProblems are the parser's problems with a directive ("%YAML
// 1.1"): the last one it read before the document.
var directiveProblems = map[string]bool{
	"found duplicate %YAML directive":  true,
	"found incompatible YAML document": true,
	"found duplicate %TAG directive":   true,
}

// yamlSyntaxError returns the line and the message of err, an error of the
// YAML parser on data.
func yamlSyntaxError(data []byte, err error) (line int, msg string) {
	line, msg = splitYAMLError(err)
	if name, ok := unknownAnchor(msg); ok {
		return aliasLine(data[:lastRead(data)], name), "unknown alias " + strconv.Quote(name)
	}
	switch {
	case directiveProblems[msg]:
		line = directiveLine(data[:lastRead(data)])
	case line == 0 || grammarProblems[msg]:
		line = lineAt(data, lastRead(data))
	}
	return line, "invalid YAML: " + msg
}

// splitYAMLError splits an error of the form "yaml: line 3: message" into
// its line, 0 when it has none, and its message.
func splitYAMLError(err error) (line int, msg string) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	rest, found := strings.CutPrefix(msg, "line ")
	if !found {
		return 0, msg
	}
	n, text, found := strings.Cut(rest, ": ")
	line, err = strconv.Atoi(n)
	if !found || err != nil {
		return 0, msg
	}
	return line, text
}

// unknownAnchor returns the name in the parser's message for an alias of
// no anchor.
func unknownAnchor(msg string) (name string, ok bool) {
	name, ok = strings.CutPrefix(msg, "unknown anchor '")
	if !ok {
		return "", false
	}
	return strings.CutSuffix(name, "' referenced")
}

// lastRead parses data again up to the error it holds, handing it to the
// parser a line at a time, and returns how much was read. The parser reads
// only the characters it needs: the last line read is that of the token
// it could not take, or a line after it when it had to look ahead.
func lastRead(data []byte) int {
	r := &lineReader{data: data}
	dec := yaml.NewDecoder(r)
	for {
		var n yaml.Node
		if err := decodeYAML(dec, &n); err != nil {
			return r.off
		}
	}
}

// lineAt returns the line of the last byte before offset end.
func lineAt(data []byte, end int) int {
	return 1 + bytes.Count(data[:max(end-1, 0)], []byte{'\n'})
}

// aliasLine returns the line of the last alias "*name" in data, or of the
// end of data when there is none.
func aliasLine(data []byte, name string) int {
	alias := []byte("*" + name)
	for end := len(data); end > 0; {
		i := bytes.LastIndex(data[:end], alias)
		if i < 0 {
			break
		}
		if j := i + len(alias); j == len(data) || !isAnchorChar(data[j]) {
			return lineAt(data, i+1)
		}
		end = i
	}
	return lineAt(data, len(data))
}

// directiveLine returns the line of the last directive in data, a line
// starting with "%", or of the end of data when there is none.
func directiveLine(data []byte) int {
	for end := len(data); end > 0; {
		i := bytes.LastIndexByte(data[:end], '%')
		if i < 0 {
			break
		}
		if i == 0 || data[i-1] == '\n' {
			return lineAt(data, i+1)
		}
		end = i
	}
	return lineAt(data, len(data))
}

// isAnchorChar reports whether c may be part of an anchor's name.
func isAnchorChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-'
}

// lineReader hands out data a line at a time, so that how much was read
// tells which line the parser had reached.
type lineReader struct {
	data []byte
	off  int
}

// Read hands out the rest of the current line, as much of it as p holds.
func (r *lineReader) Read(p []byte) (int, error) {
	rest := r.data[r.off:]
	if len(rest) == 0 {
		return 0, io.EOF
	}
	rest = rest[:min(len(rest), len(p))]
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i+1]
	}
	n := copy(p, rest)
	r.off += n
	return n, nil
}
