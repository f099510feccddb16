package notify

import (
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/vigie/vigie/internal/i18n"
)

//go:embed templates/*
var templateFiles embed.FS

// DefaultZone is the zone of a recipient who has none.
const DefaultZone = "Europe/Paris"

// ShortLimit is the most characters the Short form holds, link included
// (a Mastodon status).
const ShortLimit = 500

// RenderOptions say how the host names itself.
type RenderOptions struct {
	// PublicName is the host's name, as signed at the foot of messages.
	PublicName string
	// PublicURL is the status page, the link of items that have none.
	PublicURL string
}

// Renderer renders messages into every form a sender may need, in French
// or English; it is built once and safe for concurrent use.
type Renderer struct {
	b     *i18n.Bundle
	opts  RenderOptions
	text  *texttemplate.Template
	md    *texttemplate.Template
	html  *htmltemplate.Template
	zones sync.Map // zone name → *time.Location
}

// NewRenderer parses the templates; a broken template fails it, so that
// it fails the boot rather than a delivery.
func NewRenderer(b *i18n.Bundle, opts RenderOptions) (*Renderer, error) {
	if b == nil {
		return nil, errors.New("new renderer: no message bundle")
	}
	if strings.TrimSpace(opts.PublicName) == "" {
		return nil, errors.New("new renderer: the public name is required")
	}
	funcs := map[string]any{"paras": paragraphs, "md": escapeMarkdown, "mdurl": markdownURL, "fence": fenced}
	text, err := texttemplate.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.txt")
	if err != nil {
		return nil, fmt.Errorf("parse text templates: %w", err)
	}
	md, err := texttemplate.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.md")
	if err != nil {
		return nil, fmt.Errorf("parse markdown templates: %w", err)
	}
	html, err := htmltemplate.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse html templates: %w", err)
	}
	return &Renderer{b: b, opts: opts, text: text, md: md, html: html}, nil
}

// Render returns the message in its recipient's language (Recipient.Lang,
// French by default) with times in the recipient's zone (Recipient.Zone,
// DefaultZone by default), shown with the zone's abbreviation.
func (r *Renderer) Render(m *Message) (Rendered, error) {
	return r.RenderIn(m, m.Recipient.Lang)
}

// RenderIn is Render in the given language, for previews that show both.
func (r *Renderer) RenderIn(m *Message, lang string) (Rendered, error) {
	if lang != "en" {
		lang = "fr"
	}
	w := &words{b: r.b, lang: lang, zone: r.zone(m.Recipient.Zone), opts: r.opts}
	v, err := w.build(m)
	if err != nil {
		return Rendered{}, fmt.Errorf("render %s: %w", m.Key, err)
	}
	out := Rendered{Lang: lang, Subject: oneLine(v.Subject), Short: shorten(v.Subject, v.Short, v.ShortLink)}
	for _, f := range []struct {
		dst  *string
		exec func(*strings.Builder) error
	}{
		{&out.Text, func(sb *strings.Builder) error { return r.text.ExecuteTemplate(sb, "message.txt", v) }},
		{&out.Markdown, func(sb *strings.Builder) error { return r.md.ExecuteTemplate(sb, "message.md", v) }},
		{&out.HTML, func(sb *strings.Builder) error { return r.html.ExecuteTemplate(sb, "message.html", v) }},
	} {
		var sb strings.Builder
		if err := f.exec(&sb); err != nil {
			return Rendered{}, fmt.Errorf("render %s: %w", m.Key, err)
		}
		*f.dst = sb.String()
	}
	return out, nil
}

// zone loads a recipient's zone once; an unknown or empty name is the
// default zone, since a bad setting must not stop a message.
func (r *Renderer) zone(name string) *time.Location {
	if name == "" {
		name = DefaultZone
	}
	if loc, ok := r.zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		if name == DefaultZone {
			return time.UTC
		}
		return r.zone(DefaultZone)
	}
	r.zones.Store(name, loc)
	return loc
}

// paragraphs splits a text into paragraphs of lines, for HTML.
func paragraphs(s string) [][]string {
	var out [][]string
	for _, p := range strings.Split(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.Split(p, "\n"))
		}
	}
	return out
}

var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "|", `\|`, "~", `\~`, "#", `\#`,
)

// escapeMarkdown makes a text read as itself in Markdown.
func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

// markdownURL makes an address safe inside a Markdown link's parentheses.
func markdownURL(s string) string {
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(s)
}

// fenced keeps a text from closing the Markdown code fence it sits in.
func fenced(s string) string { return strings.ReplaceAll(s, "```", "'''") }
