package status

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"

	"github.com/vigie/vigie/internal/i18n"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/status.css static/status.js
var staticFiles embed.FS

// The static assets every page loads, relative to a page's base.
const (
	pathStylesheet = PathStatic + "status.css"
	pathScript     = PathStatic + "status.js"
)

// The content types of the files HTML renders.
const (
	contentHTML = "text/html; charset=utf-8"
	contentCSS  = "text/css; charset=utf-8"
	contentJS   = "text/javascript; charset=utf-8"
)

// Renderer draws the HTML pages of a Page in every language, from
// templates parsed once when it is made.
type Renderer struct {
	b       *i18n.Bundle
	pages   map[Lang]*template.Template
	locales map[Lang]*locale
	// assets are the static files, relative to a base; versioned are
	// their links, with a hash of their content, so that a cache never
	// serves an old stylesheet with a new page.
	assets    []File
	versioned map[string]string
}

// NewRenderer parses the embedded templates and reads the static assets;
// a broken template fails the boot, not a request.
func NewRenderer(b *i18n.Bundle) (*Renderer, error) {
	return newRenderer(b, templateFiles, staticFiles)
}

func newRenderer(b *i18n.Bundle, templates, static fs.FS) (*Renderer, error) {
	if b == nil {
		return nil, errors.New("status pages: no message bundle")
	}
	locales := map[Lang]*locale{}
	for _, lang := range Langs {
		locales[lang] = newLocale(b, lang)
	}
	base, err := template.New("page").Funcs(templateFuncs(locales[French])).ParseFS(templates, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("status pages: parse templates: %w", err)
	}
	if base.Lookup("page") == nil || base.Lookup("page").Tree == nil {
		return nil, errors.New("status pages: no template named page")
	}
	r := &Renderer{b: b, pages: map[Lang]*template.Template{}, locales: locales, versioned: map[string]string{}}
	for _, lang := range Langs {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("status pages: clone templates for %s: %w", lang, err)
		}
		r.pages[lang] = t.Funcs(templateFuncs(locales[lang]))
	}
	for _, a := range []struct{ path, contentType string }{
		{pathStylesheet, contentCSS},
		{pathScript, contentJS},
	} {
		body, err := fs.ReadFile(static, a.path)
		if err != nil {
			return nil, fmt.Errorf("status pages: read %s: %w", a.path, err)
		}
		sum := sha256.Sum256(body)
		r.versioned[a.path] = a.path + "?v=" + hex.EncodeToString(sum[:6])
		r.assets = append(r.assets, File{Path: a.path, ContentType: a.contentType, Body: body})
	}
	return r, nil
}

// templateFuncs are the functions templates call: t translates a fixed
// message (with optional key, value pairs), label adds a colon to one, icon draws a status icon.
func templateFuncs(l *locale) template.FuncMap {
	return template.FuncMap{
		"t":     l.tf,
		"label": l.label,
		"icon":  icon,
	}
}

// HTML renders every HTML page of p in every language — the home page,
// one page per public incident and one history page per month kept —
// and the static assets, once. Paths are under p.Base(); links between
// pages are relative, so that the same files work at the root, under a
// customer's base and from a mirror.
func (r *Renderer) HTML(p *Page) ([]File, error) {
	if p == nil {
		return nil, errors.New("render html: no page")
	}
	pl := newPlan(p)
	var files []File
	for _, lang := range Langs {
		l := r.locales[lang].in(pl.zone)
		f, err := r.render(pl, l, HomePath(lang), func(v *pageView) { v.Home = r.home(pl, l, v) })
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		for _, inc := range pl.incidents {
			f, err := r.render(pl, l, IncidentPath(lang, inc.ID), func(v *pageView) { v.Incident = r.incident(pl, l, v, inc) })
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
		for i := range pl.months {
			f, err := r.render(pl, l, HistoryPath(lang, pl.months[i]), func(v *pageView) { v.History = r.history(pl, l, v, i) })
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
	}
	for _, a := range r.assets {
		a.Path = p.Base() + a.Path
		files = append(files, a)
	}
	return files, nil
}

// render draws the page at rel (relative to the base) in l's language.
func (r *Renderer) render(pl *plan, l *locale, rel string, fill func(*pageView)) (File, error) {
	v := r.chrome(pl, l, rel)
	fill(v)
	var buf bytes.Buffer
	if err := r.pages[l.lang].ExecuteTemplate(&buf, "page", v); err != nil {
		// rel, not the path: a customer's base holds their secret token,
		// and errors get logged.
		return File{}, fmt.Errorf("render /%s: %w", rel, err)
	}
	return File{Path: pl.p.Base() + rel, ContentType: contentHTML, Body: buf.Bytes()}, nil
}
