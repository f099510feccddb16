package incident

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Markdown writes the whole post-mortem of an incident as one Markdown
// document, its action items as a table.
func Markdown(pm *PostMortem, inc *Incident) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Post-mortem: %s\n\n", inline(incidentTitle(inc)))
	seen := "internal"
	if pm.Public {
		seen = "public"
	}
	fmt.Fprintf(&b, "Incident #%d · %s · %s · %s\n", inc.ID, inc.Severity, pm.State, seen)
	sections := []struct{ heading, body string }{
		{"Summary", pm.Summary},
		{"Impact", pm.Impact},
		{"Timeline", pm.Timeline},
		{"Detection", pm.Detection},
		{"Trigger", pm.Trigger},
		{"Root cause", pm.RootCause},
		{"Resolution", pm.Resolution},
		{"What went well", pm.WentWell},
		{"What went badly", pm.WentBadly},
	}
	for _, s := range sections {
		body := strings.TrimSpace(s.body)
		if body == "" {
			body = "_Not written._"
		}
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", s.heading, body)
	}
	b.WriteString("\n## Action items\n\n")
	writeActions(&b, pm.Actions)
	return b.String()
}

func writeActions(b *strings.Builder, actions []ActionItem) {
	if len(actions) == 0 {
		b.WriteString("_None yet._\n")
		return
	}
	b.WriteString("| Action | Owner | Type | Due | Status |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, a := range actions {
		owner := inline(a.Owner)
		if owner == "" {
			owner = "—"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", inline(a.Title), owner,
			inline(string(a.Type)), inline(a.Due), inline(string(a.Status)))
	}
}

// HTML renders a post-mortem's Markdown with GitHub tables. Raw HTML in
// the source is left out, never passed through: post-mortems go on the
// public status page.
func HTML(md string) (string, error) {
	// Built per call: a goldmark instance is cheap, and none is kept
	// at package level.
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM))
	var buf bytes.Buffer
	if err := gm.Convert([]byte(md), &buf); err != nil {
		return "", fmt.Errorf("render post-mortem: %w", err)
	}
	return buf.String(), nil
}

// inlineEscaper makes plain text safe inside one Markdown line or table
// cell.
var inlineEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `|`, `\|`, `#`, `\#`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

// inline escapes plain text (a title, a name) for one Markdown line.
func inline(s string) string { return inlineEscaper.Replace(s) }

// noteEscaper keeps a note's Markdown but shows any HTML in it as text.
var noteEscaper = strings.NewReplacer(`<`, `\<`, `>`, `\>`, "\r\n", "\n", "\r", "\n")

// noteText fits a staff note into a list item: its HTML shown as text,
// its further lines indented to stay inside the item.
func noteText(s string) string {
	lines := strings.Split(strings.TrimSpace(noteEscaper.Replace(s)), "\n")
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			lines[i] = "  " + lines[i]
		} else {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}
