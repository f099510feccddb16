package inventory

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ComponentID returns the stable public id of a component named name: the
// name folded to lower-case ASCII letters and digits joined by dashes
// ("Hébergement mutualisé" → "hebergement-mutualise").
func ComponentID(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	return b.String()
}

// ID returns the component's stable public id.
func (c *Component) ID() string { return ComponentID(c.Name) }
