package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/inventory"
)

func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export", "[--format yaml|csv] [--out DIR|FILE] [--db DSN]",
		"Write the inventory in the import formats: YAML to a file or stdout, or customers.csv, assets.csv (and checks.yaml) into a directory")
	db := dbFlag(fs, e)
	format := fs.String("format", "yaml", "yaml or csv")
	out := fs.String("out", "", "file (yaml, default stdout) or directory (csv)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if *format != "yaml" && *format != "csv" {
		return fmt.Errorf("%w: --format: want yaml or csv, got %q", errUsage, *format)
	}
	if *format == "csv" && *out == "" {
		return fmt.Errorf("%w: --format csv needs --out DIR for customers.csv and assets.csv", errUsage)
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	inv, err := a.Inventory.Export(ctx)
	if err != nil {
		return err
	}
	if *format == "yaml" {
		if *out == "" {
			w := bufio.NewWriter(e.stdout)
			if err := inventory.WriteYAML(w, inv); err != nil {
				return err
			}
			return w.Flush()
		}
		return writeFile(*out, func(w *bufio.Writer) error { return inventory.WriteYAML(w, inv) })
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	cpath, apath := filepath.Join(*out, "customers.csv"), filepath.Join(*out, "assets.csv")
	cf, err := os.Create(cpath)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer func() { _ = cf.Close() }() // closed again below, reporting errors
	err = writeFile(apath, func(w *bufio.Writer) error {
		cw := bufio.NewWriter(cf)
		if err := inventory.WriteCSV(cw, w, inv); err != nil {
			return err
		}
		return cw.Flush()
	})
	if err != nil {
		return err
	}
	if err := cf.Close(); err != nil {
		return fmt.Errorf("export %s: %w", cpath, err)
	}
	if len(inv.Checks)+len(inv.CheckDefaults)+len(inv.Rules)+len(inv.Components) > 0 {
		kpath := filepath.Join(*out, "checks.yaml")
		if err := writeFile(kpath, func(w *bufio.Writer) error { return inventory.WriteChecksYAML(w, inv) }); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "wrote %s, %s and %s\n", cpath, apath, kpath)
		return nil
	}
	fmt.Fprintf(e.stderr, "wrote %s and %s\n", cpath, apath)
	return nil
}

// writeFile writes path through a buffered writer, reporting close errors.
func writeFile(path string, fn func(w *bufio.Writer) error) error {
	if strings.HasSuffix(path, string(os.PathSeparator)) {
		return fmt.Errorf("export: %s is a directory; YAML goes to a file", path)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := fn(w); err != nil {
		_ = f.Close()
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	return nil
}
