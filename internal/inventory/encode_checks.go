package inventory

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteChecksYAML writes only the checks, default checks, rules and public
// components of inv, as a YAML file of their own (the CSV export has no
// place for them).
func WriteChecksYAML(w io.Writer, inv *Inventory) error {
	y := yamlWriter{w: bufio.NewWriterSize(w, 64<<10)}
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

// checks writes the checks and default checks, each as one flow mapping in
// JSON form, which YAML reads as it is.
func (y *yamlWriter) checks(inv *Inventory) {
	if len(inv.Checks) > 0 {
		y.put("checks:\n")
		for _, c := range inv.Checks {
			y.put("  - ")
			y.putJSON(c)
			y.put("\n")
		}
	}
	if len(inv.CheckDefaults) > 0 {
		y.put("check_defaults:\n")
		for _, d := range inv.CheckDefaults {
			y.put("  ")
			y.putJSON(d.AssetKind)
			y.put(": ")
			y.putJSON(d.Check)
			y.put("\n")
		}
	}
	if len(inv.Rules) > 0 {
		y.put("rules:\n")
		for _, r := range inv.Rules {
			y.put("  - ")
			y.putJSON(r)
			y.put("\n")
		}
	}
}

func (y *yamlWriter) putJSON(v any) {
	if y.err != nil {
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		y.err = err
		return
	}
	y.put(strings.TrimSuffix(buf.String(), "\n"))
}
