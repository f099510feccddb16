package status

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// update rewrites the golden files under testdata/ instead of comparing
// with them: go test ./internal/status -update.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestDocumentsMatchTheirGoldenFiles compares every document of the
// fixture's public page, and some of a customer's, with testdata/; JSON is
// compared indented so that differences read well. Run with -update after
// a deliberate change.
func TestDocumentsMatchTheirGoldenFiles(t *testing.T) {
	b := bundle(t)
	_, public := render(t, fullInput(), "", b)
	_, customer := render(t, fullInput(), alpha, b)
	golden := map[string]string{}
	for path, body := range public {
		golden["public/"+goldenName(path)] = body
	}
	for _, path := range []string{"/api/v2/summary.json", "/feed.atom", "/en/maintenance.ics"} {
		golden["customer/"+goldenName(path)] = customer[path]
	}
	for name, body := range golden {
		if strings.HasSuffix(name, ".json") {
			var buf bytes.Buffer
			if err := json.Indent(&buf, []byte(body), "", "  "); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			body = buf.String()
		}
		file := filepath.Join("testdata", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (run go test -update to write it)", err)
		}
		if string(want) != body {
			t.Errorf("%s differs from %s:\n%s", name, file, firstDifference(string(want), body))
		}
	}
}

// goldenName flattens a document's path into a file name.
func goldenName(path string) string {
	return strings.ReplaceAll(strings.TrimPrefix(path, "/"), "/", "_")
}

func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for k := range min(len(wl), len(gl)) {
		if wl[k] != gl[k] {
			return "line " + strconv.Itoa(k+1) + ":\nwant " + wl[k] + "\ngot  " + gl[k]
		}
	}
	return "lengths differ: want " + strconv.Itoa(len(wl)) + " lines, got " + strconv.Itoa(len(gl))
}
