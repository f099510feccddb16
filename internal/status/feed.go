package status

import (
	"cmp"
	"fmt"
	"html"
	"slices"
	"time"

	"github.com/gorilla/feeds"

	"github.com/vigie/vigie/internal/i18n"
)

// tagDate is the date of the tag: URIs naming entries. It never changes,
// so that an entry keeps its id for ever.
const tagDate = "2026"

// entry is one item of a feed, whatever its format; summary and content
// are HTML.
type entry struct {
	id, title, link  string
	summary, content string
	published        time.Time
	updated          time.Time
}

// FeedFiles renders the Atom and RSS feeds of a page in every language:
// one entry per incident and per maintenance window (cancelled ones
// included, marked), newest first, each with a stable tag: id and its
// public updates as HTML.
func FeedFiles(p *Page, b *i18n.Bundle) ([]File, error) {
	host, err := p.host()
	if err != nil {
		return nil, fmt.Errorf("feeds: %w", err)
	}
	var files []File
	for _, lang := range Langs {
		entries, err := feedEntries(p, b, lang, host)
		if err != nil {
			return nil, err
		}
		f := feedOf(p, b, lang, entries)
		for _, rss := range []bool{false, true} {
			path := FeedPath(lang, rss)
			body, ctype, err := renderFeed(f, entries, lang, p.absolute(path), rss)
			if err != nil {
				return nil, fmt.Errorf("feed %s: %w", path, err)
			}
			files = append(files, File{Path: "/" + path, ContentType: ctype, Body: body})
		}
	}
	return files, nil
}

// feedEntries lists a page's entries in lang, newest first.
func feedEntries(p *Page, b *i18n.Bundle, lang Lang, host string) ([]entry, error) {
	var out []entry
	for i := range p.Incidents {
		in := &p.Incidents[i]
		content, err := incidentHTML(p, b, lang, in)
		if err != nil {
			return nil, err
		}
		e := entry{
			id:        fmt.Sprintf("tag:%s,%s:incident/%d", host, tagDate, in.ID),
			title:     in.Name.In(lang).Text,
			link:      p.absolute(IncidentPath(lang, in.ID)),
			content:   content,
			published: in.CreatedAt.In(p.zone()),
			updated:   in.UpdatedAt.In(p.zone()),
		}
		if len(in.Updates) > 0 {
			e.summary = html.EscapeString(in.Updates[0].Body.In(lang).Text)
		}
		out = append(out, e)
	}
	for i := range p.Maintenances {
		m := &p.Maintenances[i]
		content, err := maintenanceHTML(p, b, lang, m)
		if err != nil {
			return nil, err
		}
		id := "StatusFeedMaintenanceTitle"
		if m.Cancelled {
			id = "StatusFeedMaintenanceCancelledTitle"
		}
		out = append(out, entry{
			id:        fmt.Sprintf("tag:%s,%s:maintenance/%s", host, tagDate, m.ID),
			title:     tr(b, lang, id, map[string]any{"Name": m.Name.In(lang).Text}),
			link:      p.absolute(HomePath(lang)),
			summary:   html.EscapeString(m.Description.In(lang).Text),
			content:   content,
			published: m.CreatedAt.In(p.zone()),
			updated:   m.UpdatedAt.In(p.zone()),
		})
	}
	slices.SortStableFunc(out, func(x, y entry) int {
		if c := y.updated.Compare(x.updated); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})
	return out, nil
}

// feedOf is the feed of entries for gorilla/feeds; updated is the latest
// entry's, so that a feed changes only with its entries.
func feedOf(p *Page, b *i18n.Bundle, lang Lang, entries []entry) *feeds.Feed {
	f := &feeds.Feed{
		Title:       tr(b, lang, "StatusFeedTitle", map[string]any{"Name": p.Name}),
		Link:        &feeds.Link{Href: p.absolute(HomePath(lang)), Rel: "alternate"},
		Description: tr(b, lang, "StatusFeedSubtitle", nil),
		Author:      &feeds.Author{Name: p.Name},
		Updated:     p.Generated,
	}
	if len(entries) > 0 {
		f.Updated = entries[0].updated
	}
	f.Updated = f.Updated.In(p.zone())
	for _, e := range entries {
		f.Items = append(f.Items, &feeds.Item{
			Id:          e.id,
			Title:       e.title,
			Link:        &feeds.Link{Href: e.link},
			Description: e.summary,
			Content:     e.content,
			Created:     e.published,
			Updated:     e.updated,
		})
	}
	return f
}

// renderFeed writes a feed as Atom or RSS 2.0, with the zone of its times
// kept and the ids gorilla/feeds leaves out.
func renderFeed(f *feeds.Feed, entries []entry, lang Lang, self string, rss bool) ([]byte, string, error) {
	var x feeds.XmlFeed
	ctype := "application/atom+xml; charset=utf-8"
	if rss {
		ctype = "application/rss+xml; charset=utf-8"
		r := (&feeds.Rss{Feed: f}).RssFeed()
		r.Language = string(lang)
		r.Generator = "Vigie"
		for k, it := range r.Items {
			// Tag URIs are ids, not addresses; RSS dates an item by its last change.
			it.Guid = &feeds.RssGuid{Id: entries[k].id, IsPermaLink: "false"}
			it.PubDate = entries[k].updated.Format(time.RFC1123Z)
		}
		x = r
	} else {
		a := (&feeds.Atom{Feed: f}).AtomFeed()
		a.Id = self
		for k, e := range a.Entries {
			if !entries[k].published.IsZero() {
				e.Published = entries[k].published.Format(time.RFC3339)
			}
		}
		x = a
	}
	s, err := feeds.ToXML(x)
	if err != nil {
		return nil, "", fmt.Errorf("render: %w", err)
	}
	return []byte(s + "\n"), ctype, nil
}

// statusText names an incident's status in lang.
func statusText(b *i18n.Bundle, lang Lang, s IncidentStatus) string {
	return tr(b, lang, "StatusIncident"+titleCase(string(s)), nil)
}

// maintenanceText names a window's status in lang.
func maintenanceText(b *i18n.Bundle, lang Lang, m *Maintenance) string {
	if m.Cancelled {
		return tr(b, lang, "StatusMaintenanceCancelled", nil)
	}
	id := map[MaintenanceStatus]string{MaintenanceScheduled: "Scheduled", MaintenanceInProgress: "InProgress",
		MaintenanceVerifying: "Verifying", MaintenanceCompleted: "Completed"}[m.Status]
	return tr(b, lang, "StatusMaintenance"+id, nil)
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// feedTime writes a time of the feeds' content in the page's zone.
func feedTime(p *Page, t time.Time) string { return t.In(p.zone()).Format("2006-01-02 15:04 MST") }
