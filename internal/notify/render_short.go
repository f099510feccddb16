package notify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// shorten writes the Short form: the subject, the body and the link,
// separated by blank lines, in at most ShortLimit characters. The body
// gives way first, cut on a word with "…" (or dropped when too little
// room is left), and the subject only if it alone is too long. The link is
// never cut: a cut link leads nowhere.
func shorten(subject, body, link string) string {
	subject, body, link = strings.TrimSpace(subject), strings.TrimSpace(body), strings.TrimSpace(link)
	const sep = "\n\n"
	n := utf8.RuneCountInString
	linkCost := 0
	if link != "" {
		linkCost = n(sep) + n(link)
	}
	if room := ShortLimit - linkCost; n(subject) > room {
		subject = cutOnWord(subject, max(room, 1))
	}
	if body != "" {
		if room := ShortLimit - linkCost - n(subject) - n(sep); room >= 20 {
			body = cutOnWord(body, room)
		} else {
			body = ""
		}
	}
	parts := make([]string, 0, 3)
	for _, p := range []string{subject, body, link} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	s := strings.Join(parts, sep)
	if n(s) > ShortLimit {
		// Only a link longer than the limit gets here.
		s = string([]rune(s)[:ShortLimit])
	}
	return s
}

// cutOnWord shortens s to at most limit characters, ending on a whole word
// followed by "…" (a single character, counted).
func cutOnWord(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)[:limit-1]
	cut := len(r)
	for i := len(r) - 1; i > len(r)/2; i-- {
		if unicode.IsSpace(r[i]) {
			cut = i
			break
		}
	}
	out := strings.TrimRightFunc(string(r[:cut]), func(c rune) bool {
		return unicode.IsSpace(c) || unicode.IsPunct(c) && c != ')' && c != '»'
	})
	return out + "…"
}
