package status

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/net/html"

	"github.com/vigie/vigie/internal/i18n"
)

func TestEveryPageIsWholeWithOneH1AndItsLanguage(t *testing.T) {
	for _, p := range []*Page{fixturePage(t), fixtureCustomerPage(t)} {
		for path, f := range htmlPages(renderHTML(t, p)) {
			if f.ContentType != contentHTML {
				t.Errorf("%s: content type %q", path, f.ContentType)
			}
			doc := parse(t, f)
			if n := len(elements(doc, "h1")); n != 1 {
				t.Errorf("%s: %d h1, want 1", path, n)
			}
			root := elements(doc, "html")[0]
			if lang, _ := attr(root, "lang"); lang != string(langOf(p.Base(), path)) {
				t.Errorf("%s: <html lang=%q>, want %q", path, lang, langOf(p.Base(), path))
			}
			if len(elements(elements(doc, "head")[0], "title")) != 1 {
				t.Errorf("%s: want one <title> in <head>", path)
			}
			for _, tag := range []string{"header", "main", "footer"} {
				if len(elements(doc, tag)) != 1 {
					t.Errorf("%s: want one <%s>", path, tag)
				}
			}
			if id, _ := attr(elements(doc, "main")[0], "id"); id != "main" || !bytes.Contains(f.Body, []byte(`<a class="skip" href="#main">`)) {
				t.Errorf("%s: no skip link to <main id=main>", path)
			}
			if !bytes.Contains(f.Body, []byte(`<meta name="viewport"`)) {
				t.Errorf("%s: no viewport", path)
			}
			if !bytes.Contains(f.Body, []byte(`aria-live="polite"`)) {
				t.Errorf("%s: no live region", path)
			}
		}
	}
}

func TestHeadingsNeverSkipALevel(t *testing.T) {
	for path, f := range htmlPages(renderHTML(t, fixturePage(t))) {
		last := 0
		each(parse(t, f), func(n *html.Node) {
			if len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6' {
				level := int(n.Data[1] - '0')
				if level > last+1 {
					t.Errorf("%s: <%s> %q after h%d", path, n.Data, textOf(n), last)
				}
				last = level
			}
		})
	}
}

func TestEveryPageLinksItsFeedsCalendarAndOtherLanguage(t *testing.T) {
	for _, p := range []*Page{fixturePage(t), fixtureCustomerPage(t)} {
		files := renderHTML(t, p)
		for path, f := range htmlPages(files) {
			lang := langOf(p.Base(), path)
			other := English
			if lang == English {
				other = French
			}
			want := map[string]string{
				"application/atom+xml": p.Base() + FeedPath(lang, false),
				"application/rss+xml":  p.Base() + FeedPath(lang, true),
				"text/calendar":        p.Base() + PathCalendar,
				"hreflang=" + string(other): p.Base() + LangPrefix(other) +
					strings.TrimPrefix(strings.TrimPrefix(path, p.Base()), LangPrefix(lang)),
			}
			got := map[string]string{}
			for _, n := range elements(parse(t, f), "link") {
				if rel, _ := attr(n, "rel"); rel != "alternate" {
					continue
				}
				href, _ := attr(n, "href")
				target, _ := resolve(t, path, href)
				if typ, ok := attr(n, "type"); ok {
					got[typ] = target
				}
				if hl, ok := attr(n, "hreflang"); ok {
					got["hreflang="+hl] = target
				}
			}
			for key, target := range want {
				if got[key] != target {
					t.Errorf("%s: alternate %s is %q, want %q", path, key, got[key], target)
				}
			}
			if _, ok := files[got["hreflang="+string(other)]]; !ok {
				t.Errorf("%s: the other language's page %q is not rendered", path, got["hreflang="+string(other)])
			}
		}
	}
}

func TestNoInlineScriptStyleOrHandler(t *testing.T) {
	for path, f := range htmlPages(renderHTML(t, fixturePage(t))) {
		each(parse(t, f), func(n *html.Node) {
			if _, src := attr(n, "src"); n.Data == "script" && (!src || n.FirstChild != nil) {
				t.Errorf("%s: inline script", path)
			}
			if n.Data == "style" {
				t.Errorf("%s: <style> element", path)
			}
			for _, a := range n.Attr {
				if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: <%s %s=%q>", path, n.Data, a.Key, a.Val)
				}
			}
		})
	}
}

func TestEveryInternalLinkLeadsToARenderedOrKnownPath(t *testing.T) {
	for _, p := range []*Page{fixturePage(t), fixtureCustomerPage(t)} {
		files := renderHTML(t, p)
		ok := linkable(p, files)
		for path, f := range htmlPages(files) {
			doc := parse(t, f)
			each(doc, func(n *html.Node) {
				for _, key := range []string{"href", "src"} {
					href, has := attr(n, key)
					if !has || strings.HasPrefix(href, "#") {
						continue
					}
					target, internal := resolve(t, path, href)
					if !internal {
						if href != p.MirrorURL {
							t.Errorf("%s: link to another site: %q", path, href)
						}
						continue
					}
					if !ok[target] {
						t.Errorf("%s: <%s %s=%q> leads to %q, which nothing renders", path, n.Data, key, href, target)
					}
					if !strings.HasPrefix(target, p.Base()) {
						t.Errorf("%s: %q leaves the base %q", path, target, p.Base())
					}
				}
			})
			for _, m := range elements(doc, "meta") {
				if name, _ := attr(m, "name"); name == "vigie-events" {
					content, _ := attr(m, "content")
					if target, _ := resolve(t, path, content); target != p.Base()+PathEventStream {
						t.Errorf("%s: events at %q, want %q", path, target, p.Base()+PathEventStream)
					}
				}
			}
		}
	}
}

func TestLanguageSwitchCarriesTheChoice(t *testing.T) {
	files := renderHTML(t, fixturePage(t))
	for path, want := range map[string]string{
		"/":                    "en/?lang=en",
		"/en/":                 "../?lang=fr",
		"/incidents/40/":       "../../en/incidents/40/?lang=en",
		"/en/history/2026-11/": "../../../history/2026-11/?lang=fr",
	} {
		f, ok := files[path]
		if !ok {
			t.Fatalf("%s not rendered", path)
		}
		found := false
		for _, a := range elements(parse(t, f), "a") {
			if _, ok := attr(a, "hreflang"); ok {
				href, _ := attr(a, "href")
				found = href == want
			}
		}
		if !found {
			t.Errorf("%s: no language switch to %q", path, want)
		}
	}
}

func TestRendersTheExpectedPages(t *testing.T) {
	p := fixturePage(t)
	var got []string
	for path := range renderHTML(t, p) {
		got = append(got, path)
	}
	want := []string{"/", "/en/", "/static/status.css", "/static/status.js"}
	for _, prefix := range []string{"/", "/en/"} {
		for _, id := range []string{"38", "39", "40", "42"} {
			want = append(want, prefix+"incidents/"+id+"/")
		}
		// October (incidents, a window), November (an incident), December
		// (now); not September, which is within the 90 days but empty.
		for _, m := range []string{"2026-10", "2026-11", "2026-12"} {
			want = append(want, prefix+"history/"+m+"/")
		}
	}
	if !sameSet(got, want) {
		t.Errorf("rendered %q, want %q", got, want)
	}
}

func TestABrokenTemplateFailsTheBoot(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	static := fstest.MapFS{"static/status.css": {}, "static/status.js": {}}
	for name, tmpl := range map[string]string{
		"unclosed action": `{{define "page"}}{{.Title}{{end}}`,
		"unknown func":    `{{define "page"}}{{nope .Title}}{{end}}`,
		"no page":         `{{define "home"}}{{end}}`,
	} {
		_, err := newRenderer(b, fstest.MapFS{"templates/x.html": {Data: []byte(tmpl)}}, static)
		if err == nil {
			t.Errorf("%s: NewRenderer succeeded", name)
		}
	}
	if _, err := newRenderer(b, templateFiles, fstest.MapFS{}); err == nil {
		t.Error("missing static assets: NewRenderer succeeded")
	}
	if _, err := NewRenderer(nil); err == nil {
		t.Error("nil bundle: NewRenderer succeeded")
	}
}

func TestANilPageIsAnError(t *testing.T) {
	if _, err := newTestRenderer(t).HTML(nil); err == nil {
		t.Error("HTML(nil) succeeded")
	}
}

// TestWriteForScreenshots writes the rendered site to the directory in
// VIGIE_STATUS_HTML_DIR (a page at /x/ as x/index.html), to look at it in
// a browser: go test ./internal/status -run WriteForScreenshots.
func TestWriteForScreenshots(t *testing.T) {
	dir := os.Getenv("VIGIE_STATUS_HTML_DIR")
	if dir == "" {
		t.Skip("VIGIE_STATUS_HTML_DIR is not set")
	}
	for _, p := range []*Page{fixturePage(t), fixtureCustomerPage(t)} {
		for path, f := range renderHTML(t, p) {
			name := filepath.Join(dir, filepath.FromSlash(path))
			if strings.HasSuffix(path, "/") {
				name = filepath.Join(name, "index.html")
			}
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, f.Body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("wrote %s", dir)
}

// BenchmarkHTML renders the fixture's pages in both languages: what one
// change of the public page costs.
func BenchmarkHTML(b *testing.B) {
	r, p := newTestRenderer(b), fixturePage(b)
	for b.Loop() {
		if _, err := r.HTML(p); err != nil {
			b.Fatal(err)
		}
	}
}
