package demo

import (
	"encoding/json"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// MailPage serves the mailbox to a browser: the mails newest first
// (GET /, ?to=ADDRESS for one recipient's), one mail as sent (GET
// /mails/{id}, its HTML version at /mails/{id}/html), and the list as
// JSON (GET /mails.json) for scripts and tests.
func (m *Mailbox) MailPage() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", m.showList)
	mux.HandleFunc("GET /mails.json", m.listJSON)
	mux.HandleFunc("GET /mails/{id}", m.showMail)
	mux.HandleFunc("GET /mails/{id}/html", m.showHTML)
	return mux
}

// pageLimit is how many mails the list shows.
const pageLimit = 100

func (m *Mailbox) showList(w http.ResponseWriter, r *http.Request) {
	to := strings.TrimSpace(r.URL.Query().Get("to"))
	mails := m.Mails(to)
	view := struct {
		To, Featured, FeaturedLabel string
		Total, Shown                int
		Mails                       []Mail
	}{To: to, Featured: m.featured, FeaturedLabel: m.featuredLabel, Total: len(mails), Mails: mails[:min(len(mails), pageLimit)]}
	view.Shown = len(view.Mails)
	render(w, listPage, view)
}

func (m *Mailbox) listJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		Mails []Mail `json:"mails"`
	}{m.Mails(strings.TrimSpace(r.URL.Query().Get("to")))})
}

func (m *Mailbox) mailOf(w http.ResponseWriter, r *http.Request) (Mail, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	mail, ok := m.Mail(id)
	if err != nil || !ok {
		http.Error(w, "no such mail (only the latest are kept)", http.StatusNotFound)
		return Mail{}, false
	}
	return mail, true
}

func (m *Mailbox) showMail(w http.ResponseWriter, r *http.Request) {
	if mail, ok := m.mailOf(w, r); ok {
		render(w, mailPage, mail)
	}
}

// showHTML serves a mail's HTML version sandboxed: no script runs and
// nothing is fetched, as in a careful mail client.
func (m *Mailbox) showHTML(w http.ResponseWriter, r *http.Request) {
	mail, ok := m.mailOf(w, r)
	if !ok {
		return
	}
	if mail.HTML == "" {
		http.Error(w, "this mail has no HTML version", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(mail.HTML))
}

func render(w http.ResponseWriter, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "no-store")
	if err := t.Execute(w, data); err != nil {
		http.Error(w, "render: "+err.Error(), http.StatusInternalServerError)
	}
}

var funcs = template.FuncMap{
	"clock":   func(t time.Time) string { return t.Local().Format("15:04:05") },
	"join":    func(s []string) string { return strings.Join(s, ", ") },
	"linkify": linkify,
}

// links are the URLs in a mail's text.
var links = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify escapes a mail's text and makes its URLs links.
func linkify(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range links.FindAllStringIndex(text, -1) {
		b.WriteString(template.HTMLEscapeString(text[last:m[0]]))
		u := template.HTMLEscapeString(text[m[0]:m[1]])
		b.WriteString(`<a href="` + u + `">` + u + `</a>`)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String()) //nolint:gosec // every part escaped above
}

const pageHead = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{block "title" .}}Mails{{end}} — Vigie demo</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:.6rem 1rem}header a{color:#fff}
main{max-width:70rem;margin:0 auto;padding:1rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e1e4ea;vertical-align:top}
th{font-size:.85em;color:#5a6272}
td.when,td.lang{white-space:nowrap;color:#5a6272}
pre{white-space:pre-wrap;word-break:break-word;background:#fff;padding:1rem;border:1px solid #e1e4ea}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#5a6272}
form{margin:.5rem 0 1rem}input{font:inherit;padding:.2rem .4rem;min-width:18rem}
@media (max-width:40rem){thead{display:none}tr{display:block;border-bottom:1px solid #e1e4ea;padding:.3rem 0}td{display:block;border:0;padding:.1rem .5rem}td.lang{display:none}input{min-width:0;width:60%}}
</style></head><body>
<header><strong>Vigie demo</strong> · <a href="/">mail catcher</a> — every mail Vigie sends during the demo lands here; nothing leaves this machine.</header><main>`

var listPage = template.Must(template.New("list").Funcs(funcs).Parse(pageHead + `
<meta http-equiv="refresh" content="15">
<form method="get" action="/"><label>Recipient <input name="to" value="{{.To}}" placeholder="contact@c000123.example"></label>
<button>Filter</button>{{if .To}} <a href="/">all mails</a>{{end}}</form>
{{if and .Featured (ne .To .Featured)}}<p>{{.FeaturedLabel}}: <a href="/?to={{.Featured}}">the mails to {{.Featured}}</a></p>{{end}}
<p>{{.Total}} mail{{if ne .Total 1}}s{{end}}{{if .To}} to {{.To}}{{end}}{{if lt .Shown .Total}}, the latest {{.Shown}} shown{{end}}; newest first, the page refreshes every 15 s.</p>
<table><thead><tr><th>Time</th><th>To</th><th>Subject</th><th class="lang">Lang.</th></tr></thead><tbody>
{{range .Mails}}<tr><td class="when">{{clock .At}}</td><td><a href="/?to={{index .To 0}}">{{join .To}}</a></td>
<td><a href="/mails/{{.ID}}">{{if .Subject}}{{.Subject}}{{else}}(no subject){{end}}</a></td><td class="lang">{{.Lang}}</td></tr>
{{else}}<tr><td colspan="4">No mail yet.</td></tr>{{end}}
</tbody></table></main></body></html>`))

var mailPage = template.Must(template.New("mail").Funcs(funcs).Parse(pageHead + `
<h1>{{.Subject}}</h1>
<dl><dt>From</dt><dd>{{.From}}</dd><dt>To</dt><dd>{{join .To}}</dd><dt>Received</dt><dd>{{clock .At}}</dd>
<dt>Language</dt><dd>{{.Lang}}</dd>{{if .HTML}}<dt>HTML</dt><dd><a href="/mails/{{.ID}}/html">the HTML version</a></dd>{{end}}</dl>
<pre>{{linkify .Text}}</pre>
<p><a href="/">← all mails</a></p></main></body></html>`))
