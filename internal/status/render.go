package status

import (
	"fmt"
	"strings"
)

// Part is a set of documents rendered together: a customer's site is
// rendered a part at a time, when one of its documents is first asked for.
type Part uint8

// The parts of a site.
const (
	// PartHTML is the pages in both languages, with their style sheet and
	// script.
	PartHTML Part = iota
	// PartAPI and PartAPIEnglish are the Statuspage-compatible documents.
	PartAPI
	PartAPIEnglish
	// PartFeeds is the Atom and RSS feeds in both languages.
	PartFeeds
	// PartCalendar is the iCalendar in both languages.
	PartCalendar
	partCount
)

// PartOf returns the part that holds the document at path (relative to the
// site's base).
func PartOf(path string) Part {
	rest, english := strings.CutPrefix(path, LangPrefix(English))
	switch {
	case strings.HasPrefix(rest, PathAPI) && english:
		return PartAPIEnglish
	case strings.HasPrefix(rest, PathAPI):
		return PartAPI
	case rest == PathFeedAtom || rest == PathFeedRSS:
		return PartFeeds
	case rest == PathCalendar:
		return PartCalendar
	}
	return PartHTML
}

// Render turns a page into every document of its site: the HTML pages in
// both languages with their style sheet and script, and for each language
// the Statuspage-compatible documents, the feeds and the calendar. Paths
// are relative to the page's base.
func (r *Renderer) Render(p *Page) (*Site, error) {
	site := NewSite(p.Version, p.Generated)
	for part := range partCount {
		files, err := r.RenderPart(p, part)
		if err != nil {
			return nil, err
		}
		for i := range files {
			if _, dup := site.Files[files[i].Path]; dup {
				return nil, fmt.Errorf("render status page: two documents at %q", files[i].Path)
			}
			site.Add(files[i])
		}
	}
	return site, nil
}

// RenderPart renders one part of a page's site, with paths relative to
// the page's base.
func (r *Renderer) RenderPart(p *Page, part Part) ([]File, error) {
	var files []File
	var err error
	switch part {
	case PartHTML:
		files, err = r.HTML(p)
	case PartAPI:
		files, err = APIFiles(p, French)
	case PartAPIEnglish:
		files, err = APIFiles(p, English)
	case PartFeeds:
		files, err = FeedFiles(p, r.b)
	case PartCalendar:
		files, err = CalendarFiles(p, r.b)
	default:
		err = fmt.Errorf("render status page: no part %d", part)
	}
	if err != nil {
		return nil, err
	}
	base := p.Base()
	for i := range files {
		// The HTML pages carry their base; the other documents a leading
		// slash only.
		files[i].Path = strings.TrimPrefix(strings.TrimPrefix(files[i].Path, base), "/")
	}
	return files, nil
}
