package simulate

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigie/vigie/internal/inventory"
)

// File names of the CSV form of an inventory, written into a directory.
const (
	CustomersCSV = "customers.csv"
	AssetsCSV    = "assets.csv"
	// ChecksYAML holds what CSV has no columns for: checks, default
	// checks, rules and public components, as vigie export writes it.
	ChecksYAML = "checks.yaml"
)

// WriteFile writes inv to path: a path ending in .yaml or .yml gets the YAML
// form; any other path is a directory, created if missing, that receives
// customers.csv and assets.csv, and checks.yaml when the inventory has
// checks, defaults, rules or components.
func WriteFile(path string, inv *inventory.Inventory) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return writeFiles([]string{path}, func(ws []io.Writer) error {
			return inventory.WriteYAML(ws[0], inv)
		})
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return fmt.Errorf("write inventory: %w", err)
	}
	paths := []string{filepath.Join(path, CustomersCSV), filepath.Join(path, AssetsCSV)}
	if err := writeFiles(paths, func(ws []io.Writer) error {
		return inventory.WriteCSV(ws[0], ws[1], inv)
	}); err != nil {
		return err
	}
	if len(inv.Checks)+len(inv.CheckDefaults)+len(inv.Rules)+len(inv.Components) == 0 {
		return nil
	}
	return writeFiles([]string{filepath.Join(path, ChecksYAML)}, func(ws []io.Writer) error {
		return inventory.WriteChecksYAML(ws[0], inv)
	})
}

// writeFiles creates the files at paths, hands them to write and closes
// them, reporting the first error with the path when it is known.
func writeFiles(paths []string, write func([]io.Writer) error) (err error) {
	ws := make([]io.Writer, 0, len(paths))
	for _, p := range paths {
		f, err := os.Create(p)
		if err != nil {
			return fmt.Errorf("write inventory: %w", err)
		}
		defer func() {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("write inventory %s: %w", p, cerr)
			}
		}()
		ws = append(ws, f)
	}
	if err := write(ws); err != nil {
		return fmt.Errorf("write inventory %s: %w", strings.Join(paths, ", "), err)
	}
	return nil
}
