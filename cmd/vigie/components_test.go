package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const componentsHost = `assets:
  - {name: web-01, kind: vm, labels: {pool: shared}}
  - {name: mx1, kind: vm}
components:
  - name: Hébergement mutualisé
    name_en: Shared hosting
    group: Hébergement
    group_en: Hosting
    covers: {kind: vm, label: pool=shared}
    description: Sites PHP et bases MySQL
    description_en: PHP sites and MySQL databases
  - name: Courriel
    assets: [mx1]
`

// TestImportExportKeepsComponents proves vigie import stores the public
// components and vigie export writes them back, in YAML and beside the CSV
// files, so that importing either export gives the same inventory.
func TestImportExportKeepsComponents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dir := t.TempDir()
		src := filepath.Join(dir, "host.yaml")
		if err := os.WriteFile(src, []byte(componentsHost), 0o644); err != nil {
			t.Fatal(err)
		}
		dsn := dsnOf(t, db)
		r := vigie(t, dsn, "", "import", src)
		if r.code != 0 || !strings.Contains(r.stdout, "component") {
			t.Fatalf("import: %+v", r)
		}
		r = vigie(t, dsn, "", "export")
		want := "components:\n  - name: Hébergement mutualisé\n    name_en: Shared hosting\n    group: Hébergement\n    group_en: Hosting\n" +
			"    covers: {kind: vm, label: pool=shared}\n    description: Sites PHP et bases MySQL\n    description_en: PHP sites and MySQL databases\n" +
			"  - name: Courriel\n    assets: [mx1]\n"
		if r.code != 0 || !strings.HasSuffix(r.stdout, want) {
			t.Fatalf("export: %+v\nwant it to end with\n%s", r, want)
		}
		csvOut := filepath.Join(dir, "csv")
		if r := vigie(t, dsn, "", "export", "--format", "csv", "--out", csvOut); r.code != 0 || !strings.Contains(r.stderr, "checks.yaml") {
			t.Fatalf("export csv: %+v", r)
		}
		fresh := storetest.DSN(t, db.Engine)
		if r := vigie(t, fresh, "", "import", csvOut); r.code != 0 {
			t.Fatalf("import the csv folder: %+v", r)
		}
		if got, want := exportJSON(t, fresh), exportJSON(t, dsn); got != want {
			t.Fatalf("round trip through csv:\n%s\nwant\n%s", got, want)
		}
	})
}
