package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// pageFiles are the pages of the signed-in areas and the sign-in forms:
// one layout, one file per page defining "content", their styles, and the
// console's script.
//
//go:embed templates/layout.html templates/pages/*.html static/*.css static/*.js
var pageFiles embed.FS

// pageSet holds the parsed pages; each is executed from a clone that
// gets the reader's language and zone.
type pageSet struct {
	once   sync.Once
	err    error
	pages  map[string]*template.Template
	styles []string
}

var pagesParsed pageSet

// placeholder funcs, replaced per request.
var pageFuncs = template.FuncMap{
	"t": func(string, ...any) string { return "" }, "when": func(time.Time) string { return "" },
	"date": func(time.Time) string { return "" }, "csrf": func(any) template.HTML { return "" },
	"hasPrefix": strings.HasPrefix, "word": func(string, any) string { return "" },
}

func (ps *pageSet) load() error {
	ps.once.Do(func() {
		base, err := template.New("layout.html").Funcs(pageFuncs).ParseFS(pageFiles, "templates/layout.html")
		if err != nil {
			ps.err = fmt.Errorf("parse the page layout: %w", err)
			return
		}
		names, err := fs.Glob(pageFiles, "templates/pages/*.html")
		if err != nil {
			ps.err = err
			return
		}
		ps.pages = make(map[string]*template.Template, len(names))
		for _, name := range names {
			t := template.Must(base.Clone())
			if _, err := t.ParseFS(pageFiles, name); err != nil {
				ps.err = fmt.Errorf("parse page %s: %w", name, err)
				return
			}
			ps.pages[strings.TrimSuffix(path.Base(name), ".html")] = t
		}
		css, _ := fs.Glob(pageFiles, "static/*.css")
		for _, name := range css {
			ps.styles = append(ps.styles, "/assets/"+path.Base(name))
		}
		// The base style first, the parts' after it.
		slices.SortStableFunc(ps.styles, func(a, b string) int {
			return boolInt(!strings.HasSuffix(a, "/base.css")) - boolInt(!strings.HasSuffix(b, "/base.css"))
		})
	})
	return ps.err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pageView is what the layout and a page see.
type pageView struct {
	// V is the viewer, nil before sign-in.
	V *viewer
	// D is the page's own data.
	D      any
	Title  string
	Name   string
	Lang   string
	Styles []string
	// CSRF is the form token of the page's forms.
	CSRF string
	// Switch is this page in the other language.
	Switch, SwitchLang, SwitchName string
	Path                           string
}

// renderPage renders page name (templates/pages/name.html) in the layout,
// in the viewer's language and zone; before sign-in, in the reader's
// language, with forms bound to a pre-session cookie.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, code int, name, title string, data any) {
	if err := pagesParsed.load(); err != nil {
		s.failRaw(w, r, err)
		return
	}
	master, ok := pagesParsed.pages[name]
	if !ok {
		s.failRaw(w, r, fmt.Errorf("no page %q", name))
		return
	}
	v := viewerOf(r)
	pv := &pageView{V: v, D: data, Title: title, Name: s.d.PublicName, Styles: pagesParsed.styles, Path: r.URL.Path}
	zone := loadZone("")
	if v != nil {
		pv.Lang, pv.CSRF, zone = v.Lang, v.CSRF, v.Zone
	} else {
		pv.Lang, pv.CSRF = pickLang(r, ""), s.preForm(w, r)
	}
	if q := r.URL.Query().Get("lang"); q == "fr" || q == "en" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: s.secure(r), HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	pv.SwitchLang, pv.SwitchName = "en", "English"
	if pv.Lang == "en" {
		pv.SwitchLang, pv.SwitchName = "fr", "Français"
	}
	q := r.URL.Query()
	q.Set("lang", pv.SwitchLang)
	pv.Switch = r.URL.Path + "?" + q.Encode()
	if pv.Name == "" {
		pv.Name = "Vigie"
	}
	t, err := master.Clone()
	if err != nil {
		s.failRaw(w, r, fmt.Errorf("clone page %s: %w", name, err))
		return
	}
	f := pageLocale{b: s.d.Texts, lang: pv.Lang, zone: zone}
	t.Funcs(template.FuncMap{"t": f.t, "word": f.word, "when": f.when, "date": f.date, "csrf": csrfField})
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pv); err != nil {
		s.failRaw(w, r, fmt.Errorf("render page %s: %w", name, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Referrer-Policy", "same-origin")
	h.Add("Vary", "Cookie")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// csrfField is the hidden field carrying a page's form token.
func csrfField(pv any) template.HTML {
	p, ok := pv.(*pageView)
	if !ok {
		return ""
	}
	return template.HTML(`<input type="hidden" name="csrf" value="` + template.HTMLEscapeString(p.CSRF) + `">`)
}

// failRaw answers a page that could not be rendered, in plain text.
func (s *Server) failRaw(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "render page", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// failPage answers an error on a page of the areas as a page: the status
// and a message safe to show. A 404 says the same whatever was asked, so
// that nothing tells whether another customer's object exists.
func (s *Server) failPage(w http.ResponseWriter, r *http.Request, err error) {
	e := classify(err)
	level := slog.LevelDebug
	if e.Status >= 500 {
		level = slog.LevelError
	}
	s.log.Log(r.Context(), level, "page error", "path", r.URL.Path, "status", e.Status, "err", err)
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(e.RetryAfter))
	}
	lang := pickLang(r, "")
	if v := viewerOf(r); v != nil {
		lang = v.Lang
	}
	msg := e.Message
	switch e.Status {
	case http.StatusNotFound:
		msg = s.text(lang, "WebNotFound")
	case http.StatusInternalServerError:
		msg = s.text(lang, "WebInternal")
	}
	s.renderPage(w, r, e.Status, "error", s.text(lang, "WebErrorTitle"), errorView{Status: e.Status, Message: msg})
}

type errorView struct {
	Status  int
	Message string
}

// text is a message without data in lang.
func (s *Server) text(lang, id string) string {
	if s.d.Texts == nil {
		return id
	}
	return s.d.Texts.T(lang, id, nil)
}

// pickLang is the language of a page: asked in the query, remembered in
// the cookie, else preferred (the customer's setting), else the browser's.
func pickLang(r *http.Request, preferred string) string {
	if q := r.URL.Query().Get("lang"); q == "fr" || q == "en" {
		return q
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "fr" || c.Value == "en") {
		return c.Value
	}
	if preferred == "fr" || preferred == "en" {
		return preferred
	}
	return string(readerLang(r))
}

// assetTypes are the content types of the files served under /assets/.
var assetTypes = map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

// serveAsset serves the pages' style sheets and the console's script.
func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	ctype, ok := assetTypes[path.Ext(name)]
	if !ok || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	body, err := fs.ReadFile(pageFiles, "static/"+name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=300")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
}
