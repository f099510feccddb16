package status

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// render renders p's HTML, by path.
func renderHTML(t testing.TB, p *Page) map[string]*File {
	t.Helper()
	files, err := newTestRenderer(t).HTML(p)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*File{}
	for i := range files {
		if _, dup := out[files[i].Path]; dup {
			t.Fatalf("%s rendered twice", files[i].Path)
		}
		out[files[i].Path] = &files[i]
	}
	return out
}

// htmlPages are the rendered files that are pages, by path.
func htmlPages(files map[string]*File) map[string]*File {
	out := map[string]*File{}
	for path, f := range files {
		if strings.HasSuffix(path, "/") {
			out[path] = f
		}
	}
	return out
}

// linkable lists every path a page may link to: the files HTML renders
// and the documents the rest of the site renders (feeds, calendar, API,
// event stream), all under the page's base.
func linkable(p *Page, files map[string]*File) map[string]bool {
	ok := map[string]bool{}
	for path := range files {
		ok[path] = true
	}
	for _, rel := range []string{PathCalendar, PathAPI + "summary.json", PathEventStream} {
		ok[p.Base()+rel] = true
	}
	for _, lang := range Langs {
		ok[p.Base()+FeedPath(lang, false)] = true
		ok[p.Base()+FeedPath(lang, true)] = true
	}
	return ok
}

func parse(t testing.TB, f *File) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(f.Body))
	if err != nil {
		t.Fatalf("%s: %v", f.Path, err)
	}
	return doc
}

// each calls fn on every element under n.
func each(n *html.Node, fn func(*html.Node)) {
	if n.Type == html.ElementNode {
		fn(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		each(c, fn)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func elements(doc *html.Node, tag string) []*html.Node {
	var out []*html.Node
	each(doc, func(n *html.Node) {
		if n.Data == tag {
			out = append(out, n)
		}
	})
	return out
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// langOf is the language of a page, from its path under base.
func langOf(base, path string) Lang {
	if strings.HasPrefix(strings.TrimPrefix(path, base), LangPrefix(English)) {
		return English
	}
	return French
}

// resolve turns an href on the page at path into a path under the site's
// root, without its query; ok is false for another site's address.
func resolve(t testing.TB, path, href string) (string, bool) {
	t.Helper()
	page := &url.URL{Scheme: "https", Host: "status.test", Path: path}
	u, err := page.Parse(href)
	if err != nil {
		t.Fatalf("%s: href %q: %v", path, href, err)
	}
	if u.Host != page.Host {
		return "", false
	}
	return u.Path, true
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[string]int{}
	for _, s := range a {
		in[s]++
	}
	for _, s := range b {
		in[s]--
	}
	for _, n := range in {
		if n != 0 {
			return false
		}
	}
	return true
}
