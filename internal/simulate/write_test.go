package simulate

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie/vigie/internal/inventory"
)

func TestWriteFileChoosesFormatByPath(t *testing.T) {
	inv := Generate(Params{Sites: 300})
	var yamlWant, custWant, assetWant bytes.Buffer
	if err := inventory.WriteYAML(&yamlWant, inv); err != nil {
		t.Fatal(err)
	}
	if err := inventory.WriteCSV(&custWant, &assetWant, inv); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path  string
		files map[string][]byte // relative to path; "" is path itself
	}{
		{"host.yaml", map[string][]byte{"": yamlWant.Bytes()}},
		{"host.yml", map[string][]byte{"": yamlWant.Bytes()}},
		{"HOST.YML", map[string][]byte{"": yamlWant.Bytes()}},
		{"host", map[string][]byte{CustomersCSV: custWant.Bytes(), AssetsCSV: assetWant.Bytes()}},
		{"new/nested/host.csv", map[string][]byte{CustomersCSV: custWant.Bytes(), AssetsCSV: assetWant.Bytes()}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.path)
			if err := WriteFile(path, inv); err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.files {
				got, err := os.ReadFile(filepath.Join(path, name))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the encoder's output", filepath.Join(tt.path, name))
				}
			}
		})
	}
}

func TestWriteFileReportsErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	inv := Generate(Params{Sites: 1})
	for _, path := range []string{filepath.Join(file, "host.yaml"), filepath.Join(file, "csv")} {
		if err := WriteFile(path, inv); err == nil {
			t.Errorf("WriteFile(%s) under a regular file succeeded", path)
		}
	}
}

// TestGeneratedHostPassesCheck proves a generated host, written and read
// back in either format, is accepted by the import rules unchanged.
func TestGeneratedHostPassesCheck(t *testing.T) {
	for _, sites := range []int{0, 1, 1500, 11000} {
		inv := Generate(Params{Sites: sites, Seed: 3})
		dir := t.TempDir()
		yamlPath, csvDir := filepath.Join(dir, "host.yaml"), filepath.Join(dir, "csv")
		for _, p := range []string{yamlPath, csvDir} {
			if err := WriteFile(p, inv); err != nil {
				t.Fatal(err)
			}
		}
		formats := []struct {
			name  string
			files []string
		}{
			{"yaml", []string{yamlPath}},
			{"csv", []string{filepath.Join(csvDir, CustomersCSV), filepath.Join(csvDir, AssetsCSV), filepath.Join(csvDir, ChecksYAML)}},
		}
		for _, f := range formats {
			var docs []*inventory.Document
			for _, path := range f.files {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				doc, ps := inventory.Parse(filepath.Base(path), data)
				if ps != nil {
					t.Fatalf("%d sites, %s: Parse: %v", sites, f.name, ps)
				}
				docs = append(docs, doc)
			}
			got, ps := inventory.Check(nil, true, docs...)
			if ps != nil {
				t.Fatalf("%d sites, %s: Check: %v", sites, f.name, ps)
			}
			if plan := inventory.Diff(inv, got); !plan.Empty() {
				t.Errorf("%d sites, %s: read back with changes: %s", sites, f.name, plan)
			}
		}
	}
}
