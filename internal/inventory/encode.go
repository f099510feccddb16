package inventory

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNotEncodable reports a value that the chosen file format cannot hold,
// such as invalid UTF-8 or a space inside a CSV depends_on name.
var ErrNotEncodable = errors.New("value cannot be encoded")

// WriteYAML writes inv in the inventory YAML format, customers then assets,
// in their given order, then checks, default checks, rules and public
// components, with labels sorted by key and empty optional fields left out.
func WriteYAML(w io.Writer, inv *Inventory) error {
	y := yamlWriter{w: bufio.NewWriterSize(w, 64<<10)}
	y.customers(inv.Customers)
	y.assets(inv.Assets)
	y.checks(inv)
	y.components(inv.Components)
	if y.err != nil {
		return fmt.Errorf("write yaml: %w", y.err)
	}
	if err := y.w.Flush(); err != nil {
		return fmt.Errorf("write yaml: %w", err)
	}
	return nil
}

// yamlWriter streams an inventory as YAML; its first error sticks.
type yamlWriter struct {
	w    *bufio.Writer
	err  error
	keys []string // reused to sort label keys
}

func (y *yamlWriter) customers(cs []Customer) {
	if len(cs) == 0 {
		y.put("customers: []\n")
		return
	}
	y.put("customers:\n")
	for i := range cs {
		if y.err != nil {
			return
		}
		c := &cs[i]
		y.field("  - id: ", c.ID, true, "customer", c.ID)
		y.field("\n    name: ", c.Name, true, "customer", c.ID)
		y.field("\n    email: ", c.Email, false, "customer", c.ID)
		y.field("\n    language: ", c.Language, false, "customer", c.ID)
		y.field("\n    timezone: ", c.Timezone, false, "customer", c.ID)
		y.putByte('\n')
	}
}

func (y *yamlWriter) assets(as []Asset) {
	if len(as) == 0 {
		y.put("assets: []\n")
		return
	}
	y.put("assets:\n")
	for i := range as {
		if y.err != nil {
			return
		}
		a := &as[i]
		y.field("  - name: ", a.Name, true, "asset", a.Name)
		y.field("\n    kind: ", a.Kind, true, "asset", a.Name)
		y.field("\n    owner: ", a.Owner, false, "asset", a.Name)
		if len(a.DependsOn) > 0 {
			y.put("\n    depends_on: [")
			for j, d := range a.DependsOn {
				if j > 0 {
					y.put(", ")
				}
				y.scalar(d, true, "asset", a.Name)
			}
			y.putByte(']')
		}
		y.field("\n    url: ", a.URL, false, "asset", a.Name)
		y.field("\n    address: ", a.Address, false, "asset", a.Name)
		if len(a.Labels) > 0 {
			y.put("\n    labels:")
			y.keys = sortedKeys(y.keys[:0], a.Labels)
			for _, k := range y.keys {
				y.put("\n      ")
				y.scalar(k, false, "asset", a.Name)
				y.put(": ")
				y.scalar(a.Labels[k], false, "asset", a.Name)
			}
		}
		y.putByte('\n')
	}
}

// field writes prefix and v, unless v is empty and the field optional.
func (y *yamlWriter) field(prefix, v string, required bool, what, id string) {
	if v == "" && !required {
		return
	}
	y.put(prefix)
	y.scalar(v, false, what, id)
}

// scalar writes v plain when that reads back as the same string, and
// double-quoted otherwise. In a flow list, commas and brackets need quotes.
func (y *yamlWriter) scalar(v string, flow bool, what, id string) {
	if plainYAML(v, flow) {
		y.put(v)
		return
	}
	if !utf8.ValidString(v) {
		if y.err == nil {
			y.err = fmt.Errorf("%s %q: %q is not valid UTF-8: %w", what, id, v, ErrNotEncodable)
		}
		return
	}
	y.quoted(v)
}

// plainYAML reports whether s can be written as a YAML plain scalar and read
// back as the same string by any YAML 1.1 or 1.2 reader. It is deliberately
// strict: a value it rejects is merely quoted.
func plainYAML(s string, flow bool) bool {
	if s == "" || s[len(s)-1] == ' ' {
		return false
	}
	// A letter first rules out indicators, numbers, dates, "~" and "---".
	if c := s[0]; c < utf8.RuneSelf {
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && c != '_' && c != '/' {
			return false
		}
	} else if r, _ := utf8.DecodeRuneInString(s); !unicode.IsLetter(r) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || !unicode.IsGraphic(r) || unicode.IsSpace(r) {
				return false
			}
			i += n - 1
			continue
		}
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == ':':
			// ": " starts a mapping value; in a flow list any colon is risky.
			if flow || i+1 == len(s) || s[i+1] == ' ' {
				return false
			}
		case c == ' ':
		case strings.IndexByte("-_./@+=()'&!?;~%$*^<", c) >= 0:
		default:
			// '#', quotes, backslash, flow indicators, '|', '>', '`' and
			// control characters.
			return false
		}
	}
	return !reservedYAML(s)
}

// reservedYAML reports whether s would be read as a boolean or a null.
func reservedYAML(s string) bool {
	if len(s) > 5 {
		return false
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		return true
	}
	return false
}

// put writes s, keeping the first error: bufio.Writer errors stick, and
// WriteYAML reports the one Flush returns when none came before.
func (y *yamlWriter) put(s string) {
	if _, err := y.w.WriteString(s); err != nil && y.err == nil {
		y.err = err
	}
}

func (y *yamlWriter) putByte(c byte) {
	if err := y.w.WriteByte(c); err != nil && y.err == nil {
		y.err = err
	}
}

// quoted writes the valid UTF-8 string s as a YAML double-quoted scalar.
func (y *yamlWriter) quoted(s string) {
	y.putByte('"')
	start := 0
	for i, r := range s {
		var esc string
		switch {
		case r == '"':
			esc = `\"`
		case r == '\\':
			esc = `\\`
		case r == '\n':
			esc = `\n`
		case r == '\t':
			esc = `\t`
		case r == '\r':
			esc = `\r`
		case r >= ' ' && r != 0x7f && (r < utf8.RuneSelf || unicode.IsGraphic(r)):
			continue
		}
		y.put(s[start:i])
		start = i + utf8.RuneLen(r)
		if esc != "" {
			y.put(esc)
			continue
		}
		// Control and other invisible characters are rare: no need to hurry.
		switch {
		case r < 0x100:
			y.put(fmt.Sprintf(`\x%02X`, r))
		case r < 0x10000:
			y.put(fmt.Sprintf(`\u%04X`, r))
		default:
			y.put(fmt.Sprintf(`\U%08X`, r))
		}
	}
	y.put(s[start:])
	y.putByte('"')
}

func sortedKeys(dst []string, m map[string]string) []string {
	for k := range m {
		dst = append(dst, k)
	}
	slices.Sort(dst)
	return dst
}

// WriteCSV writes inv as two CSV files, customers and assets, each with its
// header line. depends_on names are separated by single spaces, and labels
// are key=value pairs separated by spaces, sorted by key.
func WriteCSV(customers, assets io.Writer, inv *Inventory) error {
	if err := writeCustomersCSV(customers, inv.Customers); err != nil {
		return fmt.Errorf("write customers csv: %w", err)
	}
	if err := writeAssetsCSV(assets, inv.Assets); err != nil {
		return fmt.Errorf("write assets csv: %w", err)
	}
	return nil
}

func writeCustomersCSV(w io.Writer, cs []Customer) error {
	cw := csv.NewWriter(bufio.NewWriterSize(w, 64<<10))
	rec := []string{"id", "name", "email", "language", "timezone"}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for i := range cs {
		c := &cs[i]
		rec[0], rec[1], rec[2], rec[3], rec[4] = c.ID, c.Name, c.Email, c.Language, c.Timezone
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return flushCSV(cw)
}

func writeAssetsCSV(w io.Writer, as []Asset) error {
	cw := csv.NewWriter(bufio.NewWriterSize(w, 64<<10))
	rec := []string{"name", "kind", "owner", "depends_on", "url", "address", "labels"}
	if err := cw.Write(rec); err != nil {
		return err
	}
	var (
		buf  []byte
		keys []string
	)
	for i := range as {
		a := &as[i]
		deps, err := joinDepends(&buf, a)
		if err != nil {
			return err
		}
		labels, err := joinLabels(&buf, &keys, a)
		if err != nil {
			return err
		}
		rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], rec[6] = a.Name, a.Kind, a.Owner, deps, a.URL, a.Address, labels
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return flushCSV(cw)
}

// flushCSV flushes cw, and so the buffered writer it writes through:
// csv.NewWriter reuses a *bufio.Writer of 4 KiB or more instead of wrapping it.
func flushCSV(cw *csv.Writer) error {
	cw.Flush()
	return cw.Error()
}

func joinDepends(buf *[]byte, a *Asset) (string, error) {
	switch len(a.DependsOn) {
	case 0:
		return "", nil
	case 1:
		if !csvWord(a.DependsOn[0]) {
			return "", fmt.Errorf("asset %q: depends_on %q: %w", a.Name, a.DependsOn[0], ErrNotEncodable)
		}
		return a.DependsOn[0], nil
	}
	b := (*buf)[:0]
	for j, d := range a.DependsOn {
		if !csvWord(d) {
			return "", fmt.Errorf("asset %q: depends_on %q: %w", a.Name, d, ErrNotEncodable)
		}
		if j > 0 {
			b = append(b, ' ')
		}
		b = append(b, d...)
	}
	*buf = b
	return string(b), nil
}

func joinLabels(buf *[]byte, keys *[]string, a *Asset) (string, error) {
	if len(a.Labels) == 0 {
		return "", nil
	}
	*keys = sortedKeys((*keys)[:0], a.Labels)
	b := (*buf)[:0]
	for j, k := range *keys {
		v := a.Labels[k]
		if !csvWord(k) || strings.IndexByte(k, '=') >= 0 || strings.ContainsFunc(v, unicode.IsSpace) {
			return "", fmt.Errorf("asset %q: label %q=%q: %w", a.Name, k, v, ErrNotEncodable)
		}
		if j > 0 {
			b = append(b, ' ')
		}
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, v...)
	}
	*buf = b
	return string(b), nil
}

// csvWord reports whether s survives being joined with spaces and split again.
func csvWord(s string) bool {
	return s != "" && !strings.ContainsFunc(s, unicode.IsSpace)
}
