package status

import (
	"strings"

	"github.com/vigie/vigie/internal/i18n"
)

// tr translates a message, or returns its id without a bundle, so that a
// page built without messages still shows where a text belongs.
func tr(b *i18n.Bundle, lang Lang, id string, data map[string]any) string {
	if b == nil {
		return id
	}
	return b.T(string(lang), id, data)
}

// both translates a message into every language, data given per language.
func both(b *i18n.Bundle, id string, data func(Lang) map[string]any) Text {
	var t Text
	for _, lang := range Langs {
		var d map[string]any
		if data != nil {
			d = data(lang)
		}
		t = t.with(lang, tr(b, lang, id, d))
	}
	return t
}

func (t Text) with(lang Lang, s string) Text {
	if lang == English {
		t.EN = s
	} else {
		t.FR = s
	}
	return t
}

// joinAnd joins names as a sentence does: "A, B and C".
func joinAnd(b *i18n.Bundle, lang Lang, names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	last := len(names) - 1
	return strings.Join(names[:last], ", ") + " " + tr(b, lang, "StatusListAnd", nil) + " " + names[last]
}

// namesIn returns the names of components in lang.
func namesIn(comps []*Component, lang Lang) []string {
	out := make([]string, 0, len(comps))
	for _, c := range comps {
		out = append(out, c.Name.In(lang).Text)
	}
	return out
}
