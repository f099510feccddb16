package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addSeeds adds the test files whose name matches pattern to the corpus.
func addSeeds(f *testing.F, patterns ...string) {
	for _, pattern := range patterns {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

// checkParse parses data and checks that every problem is placed and that
// Check copes with whatever came out.
func checkParse(t *testing.T, file string, data []byte) {
	doc, ps := Parse(file, data)
	if doc == nil {
		t.Fatal("nil document")
	}
	for _, p := range ps {
		if p.File != file || p.Line < 1 || p.Message == "" {
			t.Errorf("badly placed problem %#v", p)
		}
	}
	_, cps := Check(nil, false, doc)
	for _, p := range cps {
		if p.File != file || p.Line < 1 || p.Message == "" {
			t.Errorf("badly placed Check problem %#v", p)
		}
	}
}

func FuzzParseYAML(f *testing.F) {
	addSeeds(f, "testdata/bad/*.yaml", "testdata/good/*.yaml", "testdata/dup/*.yaml")
	f.Add([]byte("assets:\n  - name: &a x\n    kind: *a\n    depends_on: [*a, *a]\n"))
	f.Add([]byte("customers: !!seq\n- !!map {id: !!str 1, name: x, email: x@y}\n"))
	f.Add([]byte("%YAML 1.1\n---\nassets:\n- name: a\n\n\n  kind: *k\n---\n- x\n"))
	f.Add([]byte("assets:\n- {name: &w web-01, kind: vm}\ncomponents:\n- name: Web\n  covers: {kind: vm, label: &l pool=shared}\n  assets: [*w, *l, web-01]\n- {name: web, covers: ~, assets: {a: b}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, "fuzz.yaml", data)
	})
}

func FuzzParseCSV(f *testing.F) {
	addSeeds(f, "testdata/bad/*.csv", "testdata/good/*.csv", "testdata/dup/*.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		// Keep most inputs on the CSV path: the header is what selects it.
		if !strings.HasPrefix(csvHeader(data), "id,") && !strings.HasPrefix(csvHeader(data), "name,") {
			data = append([]byte(assetsLabelHeader+"\n"), data...)
		}
		checkParse(t, "fuzz.csv", data)
	})
}
