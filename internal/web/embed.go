package web

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the panel's style sheet
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/httpguard"
	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/status"
)

// embedCSS is the style sheet of the works panel; embedCSSTag names its
// version in its URL and ETag, so that browsers may keep it long.
var (
	//go:embed embed_panel.css
	embedCSS    []byte
	embedCSSTag = func() string { s := sha256.Sum256(embedCSS); return hex.EncodeToString(s[:6]) }()
)

var embedPage = template.Must(template.ParseFS(templates, "templates/embed.html"))

// embedPanel serves the works panel: one customer's open incidents and
// maintenance in progress or to come, made to be framed by the host's own
// customer panel. Third-party frames have no cookies, so the customer's
// status URL token addresses it.
type embedPanel struct {
	responder
	pub *status.Publisher
	// words are the status page's, one per language.
	words map[status.Lang]status.Words
	// csp is the panel's policy, naming the origins that may frame it.
	csp string
}

func (s *Server) embedRoutes(rt *router) {
	d := s.d
	var origins []string
	for _, o := range d.EmbedOrigins {
		// The app refuses bad origins at start; one left here is skipped,
		// as SecurityHeaders does.
		if (httpguard.HeaderOptions{FrameAncestors: []string{o}}).Check() == nil {
			origins = append(origins, strings.TrimSuffix(o, "/"))
		}
	}
	// Without origins (or a status page) the routes do not exist: their
	// paths answer as any other unknown one.
	if len(origins) == 0 || d.Status == nil {
		return
	}
	texts := d.Texts
	if texts == nil {
		var err error
		if texts, err = i18n.New(); err != nil {
			panic("web: the embedded message files do not parse: " + err.Error())
		}
	}
	words := map[status.Lang]status.Words{}
	for _, lang := range status.Langs {
		words[lang] = status.NewWords(texts, lang)
	}
	h := &embedPanel{responder: s.responder, pub: d.Status, words: words,
		csp: "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors " +
			strings.Join(origins, " ")}
	rt.handle("GET /embed/{token}", publicPage, classAPI, doc{summary: "The works panel of one customer, made to be framed by the host's panel (the origins of --embed-origin): open incidents and maintenance touching them",
		query: []string{"lang: fr (default) or en", "tz: the reader's time zone, such as America/Montreal (default: the status page's)"}}, h.show)
	rt.handle("GET /embed/panel.css", publicPage, classAPI, doc{summary: "The works panel's style sheet",
		query: []string{"v: its version, which changes its URL when it changes"}}, h.showCSS)
}

// show answers the panel of the customer whose token is in the path; an
// unknown or revoked token answers as an unknown path does.
func (h *embedPanel) show(w http.ResponseWriter, r *http.Request) {
	page, ok, err := h.pub.CustomerPage(r.Context(), r.PathValue("token"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok {
		h.fail(w, r, &Error{Status: http.StatusNotFound, Message: "no such endpoint"})
		return
	}
	lang, zone, err := embedOptions(r, page.Zone)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := embedPage.Execute(&buf, h.view(page, lang, zone)); err != nil {
		h.fail(w, r, err)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", h.csp)
	// SecurityHeaders denies every frame; this page is made for one.
	hdr.Del("X-Frame-Options")
	hdr.Set("Cache-Control", "private, max-age=10")
	_, _ = w.Write(buf.Bytes())
}

// embedOptions reads the panel's language and zone from the query.
func embedOptions(r *http.Request, pageZone *time.Location) (status.Lang, *time.Location, error) {
	q := r.URL.Query()
	lang := status.French
	switch v := q.Get("lang"); v {
	case "", string(status.French):
	case string(status.English):
		lang = status.English
	default:
		return "", nil, badRequest("lang: want fr or en, got %q", v)
	}
	zone := pageZone
	if zone == nil {
		zone = time.UTC
	}
	if name := q.Get("tz"); name != "" {
		z, err := time.LoadLocation(name)
		if err != nil || name == "Local" {
			return "", nil, badRequest("tz: want a time zone such as Europe/Paris or America/Montreal, got %q", name)
		}
		zone = z
	}
	return lang, zone, nil
}

// showCSS answers the panel's style sheet.
func (h *embedPanel) showCSS(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/css; charset=utf-8")
	hdr.Set("ETag", `"`+embedCSSTag+`"`)
	hdr.Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(embedCSS))
}
