package status

import (
	"strings"
)

// pageView is what the layout template draws around every page: the
// head's links, the header, the footer and the live region. Exactly one
// of Home, Incident and History is set.
type pageView struct {
	Lang, AltLang, AltName string
	Title, Name            string
	Version                string
	// Hrefs, relative to the page itself.
	HomeHref, SwitchHref, HistoryHref     string
	AtomHref, RSSHref, ICSHref, APIHref   string
	CSSHref, JSHref, EventsHref           string
	Alternates                            []alternate
	FeedTitle, CalendarTitle, LiveMessage string
	MirrorURL                             string
	Updated                               stamp
	Customer                              bool

	Home     *homeView
	Incident *incidentPage
	History  *historyView
}

// alternate is a <link rel="alternate" hreflang> to a page's version in
// a language.
type alternate struct {
	Lang, Href string
}

// linker makes the hrefs of one page: relative to it, so that the files
// work under any base.
type linker struct {
	root string // "../" once per directory of the page's path
}

func newLinker(rel string) linker {
	return linker{root: strings.Repeat("../", strings.Count(rel, "/"))}
}

// to is the href of a path relative to the base.
func (k linker) to(rel string) string {
	if s := k.root + rel; s != "" {
		return s
	}
	return "./"
}

// chrome fills what every page of rel in l's language has.
func (r *Renderer) chrome(pl *plan, l *locale, rel string) *pageView {
	p, k := pl.p, newLinker(rel)
	other := English
	if l.lang == English {
		other = French
	}
	name := p.Name
	if name == "" {
		name = "Vigie"
	}
	title := l.tf("PageTitle", "Name", name)
	if p.Customer != nil {
		title = l.tf("PageTitleCustomer", "Name", name)
	}
	v := &pageView{
		Lang: string(l.lang), AltLang: string(other), AltName: r.b.T(string(other), "Language", nil),
		Title: title, Name: name, Version: p.Version,
		HomeHref:    k.to(HomePath(l.lang)),
		SwitchHref:  k.to(inOtherLang(rel, l.lang, other)) + "?lang=" + string(other),
		HistoryHref: k.to(HistoryPath(l.lang, pl.now.In(pl.zone))),
		AtomHref:    k.to(FeedPath(l.lang, false)),
		RSSHref:     k.to(FeedPath(l.lang, true)),
		ICSHref:     k.to(PathCalendar),
		APIHref:     k.to(PathAPI + "summary.json"),
		CSSHref:     k.to(r.versioned[pathStylesheet]),
		JSHref:      k.to(r.versioned[pathScript]),
		EventsHref:  k.to(PathEventStream),
		FeedTitle:   l.tf("PageFeedTitle", "Name", name), CalendarTitle: l.tf("PageCalendarTitle", "Name", name),
		LiveMessage: l.tf("PageLiveUpdated", "Time", "{time}"),
		MirrorURL:   p.MirrorURL,
		Updated:     l.at(pl.now),
		Customer:    p.Customer != nil,
	}
	for _, lang := range Langs {
		v.Alternates = append(v.Alternates, alternate{Lang: string(lang), Href: k.to(inOtherLang(rel, l.lang, lang))})
	}
	return v
}

// inOtherLang is the path of the page at rel (in lang) in another
// language.
func inOtherLang(rel string, lang, other Lang) string {
	return LangPrefix(other) + strings.TrimPrefix(rel, LangPrefix(lang))
}
