package status

import (
	"fmt"
	"strings"
)

// Render turns a page into every document of its site: the HTML pages in
// both languages with their style sheet and script, and for each language
// the Statuspage-compatible documents, the feeds and the calendar. Paths
// are relative to the page's base.
func (r *Renderer) Render(p *Page) (*Site, error) {
	site := NewSite(p.Version, p.Generated)
	html, err := r.HTML(p)
	if err != nil {
		return nil, err
	}
	files := html
	for _, lang := range Langs {
		api, err := APIFiles(p, lang)
		if err != nil {
			return nil, err
		}
		files = append(files, api...)
	}
	feeds, err := FeedFiles(p, r.b)
	if err != nil {
		return nil, err
	}
	cal, err := CalendarFiles(p, r.b)
	if err != nil {
		return nil, err
	}
	files = append(append(files, feeds...), cal...)
	base := p.Base()
	for i := range files {
		path := files[i].Path
		// The HTML pages carry their base; the other documents a leading
		// slash only.
		path = strings.TrimPrefix(strings.TrimPrefix(path, base), "/")
		if _, dup := site.Files[path]; dup {
			return nil, fmt.Errorf("render status page: two documents at %q", path)
		}
		files[i].Path = path
		site.Add(files[i])
	}
	return site, nil
}
