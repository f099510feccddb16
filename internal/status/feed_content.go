package status

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/vigie/vigie/internal/i18n"
)

// contentTemplates write the HTML of feed entries; html/template escapes
// every text but the post-mortem, already HTML. Parsed at start, so that a
// broken template fails the boot.
var contentTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"lines": func(s string) []string { return strings.Split(s, "\n") },
}).Parse(`
{{- define "text" -}}
<p{{if .Fallback}} lang="{{.Lang}}"{{end}}>{{range $i, $l := lines .Text}}{{if $i}}<br>{{end}}{{$l}}{{end}}</p>
{{- end -}}
{{- define "scope" -}}
{{if .Components}}<p>{{.Components}}</p>{{end}}{{if .Sites}}<p>{{.Sites}}</p>{{end}}
{{- end -}}
{{- define "incident" -}}
<p><strong>{{.Status}}</strong></p>{{template "scope" .}}
{{- range .Updates}}<p><strong>{{.Status}}</strong> · <time datetime="{{.Datetime}}">{{.When}}</time></p>{{template "text" .Body}}
{{- if .Body.Fallback}}<p><em>{{$.Fallback}}</em></p>{{end}}{{end}}
{{- if .PostMortem}}<h3>{{.PostMortemTitle}}</h3>{{.PostMortem}}{{end}}
{{- end -}}
{{- define "maintenance" -}}
<p><strong>{{.Status}}</strong></p><p>{{.When}}</p>
{{- if .Description.Text}}{{template "text" .Description}}{{if .Description.Fallback}}<p><em>{{.Fallback}}</em></p>{{end}}{{end}}
{{- template "scope" .}}
{{- end -}}
`))

// feedUpdate is an update as an entry shows it.
type feedUpdate struct {
	Status, Datetime, When string
	Body                   Localized
}

// scopeLines name what an incident or a window reaches: the components
// and, on a customer's page, the customer's own sites.
func scopeLines(p *Page, b *i18n.Bundle, lang Lang, ids, sites []string) (string, string) {
	var comps, own string
	if len(ids) > 0 {
		names := make([]string, 0, len(ids))
		for _, id := range ids {
			names = append(names, p.component(id).Name.In(lang).Text)
		}
		comps = tr(b, lang, "StatusComponentsAffected", map[string]any{"Components": strings.Join(names, ", ")})
	}
	if len(sites) > 0 {
		own = tr(b, lang, "StatusYourSites", map[string]any{"Sites": strings.Join(sites, ", ")})
	}
	return comps, own
}

// incidentHTML is an incident's entry content: its status, what it
// reaches and its public updates, newest first, in lang.
func incidentHTML(p *Page, b *i18n.Bundle, lang Lang, in *Incident) (string, error) {
	ids := make([]string, 0, len(in.Components))
	for _, c := range in.Components {
		ids = append(ids, c.Component)
	}
	comps, sites := scopeLines(p, b, lang, ids, in.Sites)
	data := map[string]any{
		"Status":          statusText(b, lang, in.Status),
		"Components":      comps,
		"Sites":           sites,
		"Fallback":        tr(b, lang, "StatusFallback", nil),
		"PostMortem":      template.HTML(in.PostMortem), //nolint:gosec // rendered by the post-mortem store from its markdown
		"PostMortemTitle": tr(b, lang, "StatusPostmortem", nil),
	}
	var ups []feedUpdate
	for _, u := range in.Updates {
		ups = append(ups, feedUpdate{Status: statusText(b, lang, u.Status), Datetime: u.At.Format(apiTime),
			When: feedTime(p, u.At), Body: u.Body.In(lang)})
	}
	data["Updates"] = ups
	return execute("incident", data)
}

// maintenanceHTML is a window's entry content: its status, when, its
// description and what it reaches, in lang.
func maintenanceHTML(p *Page, b *i18n.Bundle, lang Lang, m *Maintenance) (string, error) {
	comps, sites := scopeLines(p, b, lang, m.Components, m.Sites)
	data := map[string]any{
		"Status":      maintenanceText(b, lang, m),
		"When":        when(b, lang, m),
		"Description": m.Description.In(lang),
		"Components":  comps,
		"Sites":       sites,
		"Fallback":    tr(b, lang, "StatusFallback", nil),
	}
	return execute("maintenance", data)
}

// when says when a window happens, in its own zone.
func when(b *i18n.Bundle, lang Lang, m *Maintenance) string {
	zone := m.Zone
	if zone == nil {
		zone = m.ScheduledFor.Location()
	}
	// A weekly window shows its next occurrence, said to repeat.
	id, layout := "StatusMaintenanceWhen", "2006-01-02 15:04"
	if m.Weekly {
		id = "StatusMaintenanceWeekly"
	}
	return tr(b, lang, id, map[string]any{
		"Start": m.ScheduledFor.In(zone).Format(layout),
		"End":   m.ScheduledUntil.In(zone).Format(layout),
		"Zone":  zone.String(),
	})
}

func execute(name string, data any) (string, error) {
	var sb strings.Builder
	if err := contentTemplates.ExecuteTemplate(&sb, name, data); err != nil {
		return "", fmt.Errorf("feed content %s: %w", name, err)
	}
	return sb.String(), nil
}
