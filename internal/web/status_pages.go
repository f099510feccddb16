package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/vigie/vigie/internal/status"
)

// pageCSP is the content security policy of the status pages: their own
// style sheet and script only, nothing inline, nothing from elsewhere.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// langCookie remembers the language a reader chose.
const langCookie = "vigie_lang"

var langMatcher = language.NewMatcher([]language.Tag{language.French, language.English})

// showPublic answers a path of everyone's site.
func (h *pages) showPublic(w http.ResponseWriter, r *http.Request) {
	site := h.site(r)
	if site == nil {
		h.fail(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "the status page is being built; try again in a second", RetryAfter: 1})
		return
	}
	h.serve(w, r, func(rel string) (*status.File, time.Time, error) { return site.Files[rel], site.Generated, nil },
		strings.TrimPrefix(r.URL.Path, "/"), "/", true)
}

// site returns everyone's site, building it first when no refresh has
// yet: a server answers its first request without waiting for its
// background work.
func (h *pages) site(r *http.Request) *status.Site {
	if s := h.pub.Site(); s != nil {
		return s
	}
	if err := h.pub.Refresh(r.Context()); err != nil {
		h.log.WarnContext(r.Context(), "status page: first build", "err", err)
	}
	return h.pub.Site()
}

// showCustomer answers a path of a customer's site; an unknown or revoked
// token is a plain 404 that says nothing of why.
func (h *pages) showCustomer(w http.ResponseWriter, r *http.Request) {
	token, rel := r.PathValue("token"), r.PathValue("path")
	h.site(r)
	_, ok, err := h.pub.CustomerVersion(r.Context(), token)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok {
		h.fail(w, r, &Error{Status: http.StatusNotFound, Message: "no such page"})
		return
	}
	if rel == status.PathEventStream {
		h.stream(w, r, func() string { v, _, _ := h.pub.CustomerVersion(r.Context(), token); return v })
		return
	}
	h.serve(w, r, func(rel string) (*status.File, time.Time, error) {
		f, generated, _, err := h.pub.CustomerFile(r.Context(), token, rel)
		return f, generated, err
	}, rel, "/c/"+token+"/", false)
}

// serve answers one file of a site with its validators, gzip when the
// client takes it, and caching fit for a CDN (public) or a browser only
// (a customer's).
func (h *pages) serve(w http.ResponseWriter, r *http.Request, lookup func(rel string) (*status.File, time.Time, error), rel, base string, public bool) {
	hdr := w.Header()
	cache := "public, max-age=10, stale-while-revalidate=30, stale-if-error=86400"
	if !public {
		cache = "private, max-age=10"
	}
	if lang := r.URL.Query().Get("lang"); lang != "" {
		if lang != string(status.French) && lang != string(status.English) {
			h.fail(w, r, badRequest("lang: want fr or en, got %q", lang))
			return
		}
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		cache = "private, no-store"
		// The same page in the language chosen.
		if other, ok := inLang(rel, status.Lang(lang)); ok {
			hdr.Set("Cache-Control", cache)
			http.Redirect(w, r, base+other, http.StatusFound)
			return
		}
	} else if rel == "" {
		// The home page in the reader's language: their choice, else
		// what their browser asks for. The choice depends on the request:
		// no cache may keep it for others.
		hdr.Add("Vary", "Accept-Language, Cookie")
		if readerLang(r) == status.English {
			hdr.Set("Cache-Control", "private, no-cache")
			http.Redirect(w, r, base+status.HomePath(status.English), http.StatusFound)
			return
		}
	}
	f, generated, err := lookup(rel)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if f == nil {
		if dir, _, _ := lookup(rel + "/"); dir != nil && !strings.HasSuffix(rel, "/") && rel != "" {
			http.Redirect(w, r, base+rel+"/", http.StatusMovedPermanently)
			return
		}
		if rel == "" || strings.HasSuffix(rel, "/") {
			pageNotFound(w, rel, base)
			return
		}
		h.fail(w, r, &Error{Status: http.StatusNotFound, Message: "no such page"})
		return
	}
	hdr.Set("Content-Type", f.ContentType)
	hdr.Set("Cache-Control", cache)
	hdr.Add("Vary", "Accept-Encoding")
	if strings.HasPrefix(f.ContentType, "text/html") {
		hdr.Set("Content-Security-Policy", pageCSP)
	} else {
		// Widgets, aggregators and readers on other origins fetch the
		// documents directly.
		hdr.Set("Access-Control-Allow-Origin", "*")
	}
	body, etag := f.Body, f.ETag
	if f.Gzip != nil && acceptsGzip(r) {
		body, etag = f.Gzip, strings.TrimSuffix(f.ETag, `"`)+`-gz"`
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("ETag", etag)
	http.ServeContent(w, r, "", generated.Truncate(time.Second), bytes.NewReader(body))
}

// inLang returns the path of the page at rel in lang, and whether it is
// another path than rel.
func inLang(rel string, lang status.Lang) (string, bool) {
	english := status.LangPrefix(status.English)
	bare := strings.TrimPrefix(rel, english)
	if lang == status.English {
		return english + bare, !strings.HasPrefix(rel, english)
	}
	return bare, strings.HasPrefix(rel, english)
}

// readerLang is the language of a reader who asked for none in the URL:
// the remembered one, else the best match of Accept-Language, else French.
func readerLang(r *http.Request) status.Lang {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == string(status.English) || c.Value == string(status.French)) {
		return status.Lang(c.Value)
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			if _, i, conf := langMatcher.Match(tags...); conf != language.No && i == 1 {
				return status.English
			}
		}
	}
	return status.French
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func siteVersion(s *status.Site) string {
	if s == nil {
		return ""
	}
	return s.Version
}

// streamPublic sends everyone's page version at each change.
func (h *pages) streamPublic(w http.ResponseWriter, r *http.Request) {
	h.stream(w, r, func() string { return siteVersion(h.pub.Site()) })
}

// streamFor is how long one event stream lasts: under the long-poll write
// deadline; browsers reconnect by themselves.
const streamFor = 60 * time.Second

// stream sends "event: version" with the page's version now and at each
// change.
func (h *pages) stream(w http.ResponseWriter, r *http.Request, current func() string) {
	eventStream{slots: h.streams, stopping: h.stopping, changed: h.pub.Changed}.serve(w, r, current)
}

// eventStream is a stream of server-sent events telling open pages that
// what they show changed, shared by the status page and the staff console.
type eventStream struct {
	// slots holds one slot per stream open; stopping ends every stream at
	// once, the server shutting down.
	slots    chan struct{}
	stopping <-chan struct{}
	// changed returns a channel closed at the next change; poll, when
	// set, reads the version that often too, for changes nothing signals.
	changed func() <-chan struct{}
	poll    time.Duration
}

// serve sends "event: version" with the version now and whenever it
// moves, and a comment every 15 s so that proxies keep the connection,
// for streamFor at most.
func (e eventStream) serve(w http.ResponseWriter, r *http.Request, current func() string) {
	select {
	case e.slots <- struct{}{}:
		defer func() { <-e.slots }()
	default:
		// Every slot is taken: 204 tells the browser to stop trying (an
		// EventSource does not reconnect after it), and the page stays
		// as loaded, complete without live updates.
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	rc := http.NewResponseController(w)
	// The route's read deadline would end the stream early: past it the
	// server takes the connection for closed and cancels the request.
	// The request was read; the stream is bounded by streamFor.
	_ = rc.SetReadDeadline(time.Now().Add(streamFor + 10*time.Second))
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(format string, args ...any) bool {
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	last := current()
	if !send("retry: 2000\nevent: version\ndata: %s\n\n", last) {
		return
	}
	end := time.NewTimer(streamFor)
	defer end.Stop()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	var poll <-chan time.Time
	if e.poll > 0 {
		t := time.NewTicker(e.poll)
		defer t.Stop()
		poll = t.C
	}
	for {
		var changed <-chan struct{}
		if e.changed != nil {
			changed = e.changed()
		}
		if v := current(); v != last {
			last = v
			if !send("event: version\ndata: %s\n\n", v) {
				return
			}
		}
		select {
		case <-changed:
		case <-poll:
		case <-ping.C:
			if !send(": ping\n\n") {
				return
			}
		case <-end.C:
			return
		case <-e.stopping:
			return
		case <-r.Context().Done():
			return
		}
	}
}

// notFoundPage is the status page's own 404: a reader following an old or
// mistyped link lands on a page in their language that leads home.
var notFoundPage = template.Must(template.New("404").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title><link rel="stylesheet" href="{{.Base}}static/status.css"></head>
<body><main id="main" class="wrap"><h1>{{.Title}}</h1><p>{{.Text}}</p><p><a href="{{.Home}}">{{.Link}}</a></p></main></body>
</html>
`))

// pageNotFound answers 404 with the status page's own page, in the
// language of the path asked for.
func pageNotFound(w http.ResponseWriter, rel, base string) {
	data := struct{ Lang, Title, Text, Link, Base, Home string }{"fr", "Page introuvable",
		"Cette page n'existe pas, ou plus.", "État des services", base, base}
	if strings.HasPrefix(rel, status.LangPrefix(status.English)) {
		data = struct{ Lang, Title, Text, Link, Base, Home string }{"en", "Page not found",
			"This page does not exist, or no longer does.", "Service status", base, base + status.HomePath(status.English)}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pageCSP)
	w.Header().Set("Cache-Control", "public, max-age=10")
	w.WriteHeader(http.StatusNotFound)
	_ = notFoundPage.Execute(w, data)
}
