package status

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestEverySiteLinkLeadsToADocumentOfTheSite renders the whole site of the
// fixture, everyone's and a customer's, and follows every link and
// reference of every page: each must be a document of the same site (the
// event stream, served live, excepted), so that the live server and a
// static mirror answer every link.
func TestEverySiteLinkLeadsToADocumentOfTheSite(t *testing.T) {
	r := newTestRenderer(t)
	for _, customer := range []string{"", alpha} {
		p := Build(fullInput(), customer, bundle(t))
		if p.Customer != nil {
			p.Customer.Token = "vst_token"
		}
		site, err := r.Render(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"", "en/", "feed.atom", "en/feed.rss", "maintenance.ics", "api/v2/summary.json",
			"en/api/v2/scheduled-maintenances/upcoming.json", "static/status.css", "static/status.js"} {
			if site.Files[want] == nil {
				t.Errorf("customer %q: no document at %q", customer, want)
			}
		}
		checked := 0
		for path, f := range site.Files {
			if strings.HasPrefix(path, "/") {
				t.Errorf("path %q is not relative to the base", path)
			}
			if !strings.HasPrefix(f.ContentType, "text/html") {
				continue
			}
			doc := parse(t, f)
			each(doc, func(n *html.Node) {
				for _, key := range []string{"href", "src"} {
					v, ok := attr(n, key)
					if !ok || strings.HasPrefix(v, "#") || strings.Contains(v, "://") {
						continue
					}
					target, ok := resolve(t, "/"+path, v)
					if !ok {
						continue
					}
					target = strings.TrimPrefix(target, "/")
					if target == PathEventStream {
						continue
					}
					checked++
					if site.Files[target] == nil {
						t.Errorf("customer %q: %s links %q (%s), which the site does not have", customer, path, v, target)
					}
				}
			})
		}
		if checked < 50 {
			t.Errorf("customer %q: only %d links followed", customer, checked)
		}
	}
}

// TestEachDocumentIsFoundInThePartThatRendersIt: a customer's document is
// rendered by the part PartOf names, so the part must hold it.
func TestEachDocumentIsFoundInThePartThatRendersIt(t *testing.T) {
	r := newTestRenderer(t)
	p := Build(fullInput(), alpha, bundle(t))
	p.Customer.Token = "vst_token"
	seen := 0
	for part := range partCount {
		files, err := r.RenderPart(p, part)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Errorf("part %d renders nothing", part)
		}
		for _, f := range files {
			seen++
			if got := PartOf(f.Path); got != part {
				t.Errorf("%q is rendered by part %d, PartOf says %d", f.Path, part, got)
			}
		}
	}
	site, err := r.Render(p)
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(site.Files) {
		t.Errorf("the parts render %d documents, the whole site %d", seen, len(site.Files))
	}
}
