// Package i18n holds the messages of the public side in French and English
// (go-i18n message files, embedded) and translates them.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

//go:embed locales/*.yaml
var locales embed.FS

// Langs are the languages messages exist in, the default first.
var Langs = []string{"fr", "en"}

// Bundle is the parsed message files, with one localizer per language.
// A message that is one text, without a template or plural forms (most of
// them), is kept as that text alone: go-i18n keeps a template of every
// message, about 650 bytes each where the text takes a fifth of that.
type Bundle struct {
	bundle *goi18n.Bundle
	loc    map[string]*goi18n.Localizer
	ids    map[string][]string          // language → message ids
	plain  map[string]map[string]string // language → id → text
}

// New returns the embedded message files, parsed at the first call only:
// a Bundle is read-only, so the server, its pages and its messages all
// share one (about 1.8 MiB of heap each). A broken file fails the boot.
func New() (*Bundle, error) {
	return embedded()
}

var embedded = sync.OnceValues(func() (*Bundle, error) { return parse(locales, "locales") })

func parse(fsys fs.FS, dir string) (*Bundle, error) {
	b := &Bundle{bundle: goi18n.NewBundle(language.French), loc: map[string]*goi18n.Localizer{}, ids: map[string][]string{},
		plain: map[string]map[string]string{}}
	unmarshal := map[string]goi18n.UnmarshalFunc{"yaml": yaml.Unmarshal}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read message files: %w", err)
	}
	for _, e := range entries {
		name := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		mf, err := goi18n.ParseMessageFileBytes(data, name, unmarshal)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		lang := mf.Tag.String()
		if !slices.Contains(Langs, lang) {
			return nil, fmt.Errorf("%s: language %q is not one of %s", name, lang, strings.Join(Langs, ", "))
		}
		var templated []*goi18n.Message
		for _, m := range mf.Messages {
			b.ids[lang] = append(b.ids[lang], m.ID)
			if isPlain(m) {
				if b.plain[lang] == nil {
					b.plain[lang] = map[string]string{}
				}
				b.plain[lang][m.ID] = m.Other
			} else {
				templated = append(templated, m)
			}
		}
		if err := b.bundle.AddMessages(mf.Tag, templated...); err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
	}
	for _, lang := range Langs {
		b.loc[lang] = goi18n.NewLocalizer(b.bundle, lang)
		slices.Sort(b.ids[lang])
	}
	return b, nil
}

// isPlain reports whether m is one text that needs no template: no
// plural forms, no template action.
func isPlain(m *goi18n.Message) bool {
	left := m.LeftDelim
	if left == "" {
		left = "{{"
	}
	return m.Zero == "" && m.One == "" && m.Two == "" && m.Few == "" && m.Many == "" && !strings.Contains(m.Other, left)
}

// IDs returns the message ids of a language, sorted.
func (b *Bundle) IDs(lang string) []string { return b.ids[lang] }

// T translates message id into lang with the template data (a map or a
// struct), or returns the id itself when the message is missing, so that
// a missing message shows instead of breaking a page. A message with
// plural forms takes its count from data's "Count".
func (b *Bundle) T(lang, id string, data any) string {
	l, ok := b.loc[lang]
	if !ok {
		lang, l = Langs[0], b.loc[Langs[0]]
	}
	if text, ok := b.plain[lang][id]; ok {
		return text
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data}
	if m, ok := data.(map[string]any); ok {
		if n, ok := m["Count"]; ok {
			cfg.PluralCount = n
		}
	}
	s, err := l.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}
