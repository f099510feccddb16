package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDryRunDoesNotCreateTheDatabase(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "host.yaml")
	if err := os.WriteFile(src, []byte(impactInventory), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "new.db")
	r := vigie(t, "sqlite:"+path, "", "import", "--dry-run", src)
	want := "dry run: database sqlite:" + path + " does not exist yet and was not created; importing into a new database would add:\n"
	if r.code != 0 || !strings.HasPrefix(r.stdout, want) || !strings.Contains(r.stdout, "site") {
		t.Fatalf("dry run: %+v, want stdout starting %q", r, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("dry run left files beside the inventory: %v", entries)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("dry run created %s: %v", path, err)
	}
	// The real import then creates it, with what the dry run announced.
	if r := vigie(t, "sqlite:"+path, "", "import", src); r.code != 0 || !strings.Contains(r.stdout, "imported:") {
		t.Fatalf("import: %+v", r)
	}
}

func TestImportRefusesAFolderWithNothingToImport(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	r := vigie(t, "sqlite:"+filepath.Join(dir, "v.db"), "", "import", empty)
	want := empty + ":1: folder holds no .yaml, .yml or .csv file to import\nvigie import: 1 problem, nothing changed\n"
	if r.code != 1 || r.stderr != want {
		t.Fatalf("import of an empty folder: %+v, want stderr %q", r, want)
	}
}
