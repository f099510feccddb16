package status

import (
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/i18n"
)

// render builds the page of customer and every machine-readable document
// of it, by path.
func render(t *testing.T, in *Input, customer string, b *i18n.Bundle) (*Page, map[string]string) {
	t.Helper()
	p := Build(in, customer, b)
	if p.Customer != nil {
		p.Customer.Token = "Zq8Lr2"
	}
	var files []File
	for _, lang := range Langs {
		api, err := APIFiles(p, lang)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, api...)
	}
	feeds, err := FeedFiles(p, b)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := CalendarFiles(p, b)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range append(append(files, feeds...), cal...) {
		if _, dup := out[f.Path]; dup {
			t.Fatalf("two documents at %s", f.Path)
		}
		out[f.Path] = string(f.Body)
	}
	return p, out
}

// mustNotContain fails for every document holding one of words.
func mustNotContain(t *testing.T, who string, docs map[string]string, words ...string) {
	t.Helper()
	for path, body := range docs {
		for _, w := range words {
			if strings.Contains(strings.ToLower(body), strings.ToLower(w)) {
				t.Errorf("%s: %s contains %q", who, path, w)
			}
		}
	}
}
