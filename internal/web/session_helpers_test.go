package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
)

// sessionDeps fills in d over db what the session routes need, imports
// inventoryYAML when given, and returns d.
func sessionDeps(t *testing.T, db *store.DB, d Deps, inventoryYAML string) Deps {
	t.Helper()
	ctx := context.Background()
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Inventory == nil {
		d.Inventory = inventory.NewService(db, nil)
	}
	if inventoryYAML != "" {
		if _, err := d.Inventory.ImportFiles(ctx, []inventory.File{{Name: "test.yaml", Data: []byte(inventoryYAML)}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Inventory.LoadGraph(ctx); err != nil {
		t.Fatal(err)
	}
	if d.Auth == nil {
		d.Auth = auth.NewService(db)
	}
	if d.Sessions == nil {
		d.Sessions = auth.NewSessions(db)
	}
	if d.Throttle == nil {
		d.Throttle = auth.NewThrottle(db)
	}
	if d.Audit == nil {
		d.Audit = auth.NewAudit(db, d.Now)
	}
	if d.Incidents == nil {
		d.Incidents = incident.NewStore(db)
	}
	if d.Maintenance == nil {
		d.Maintenance = incident.NewMaintenanceStore(db)
	}
	if d.PostMortems == nil {
		d.PostMortems = incident.NewPostMortemStore(db, d.Incidents)
	}
	if d.Detection == nil {
		d.Detection = detect.NewStore(db)
	}
	if d.Heartbeats == nil {
		d.Heartbeats = heartbeat.NewStore(db)
	}
	if d.Texts == nil {
		b, err := i18n.New()
		if err != nil {
			t.Fatal(err)
		}
		d.Texts = b
	}
	return d
}

// serveSessions serves the whole web layer of d on loopback, plus the extra
// routes given, and returns its address. No request carries a token.
func serveSessions(t *testing.T, d Deps, extra func(rt *router)) string {
	t.Helper()
	s := NewServer(d)
	rt := s.router()
	if extra != nil {
		extra(rt)
	}
	srv := httptest.NewServer(s.wrap(rt))
	t.Cleanup(srv.Close)
	return srv.URL
}

// browser is an HTTP client with cookies that does not follow redirects,
// as a browser on one site would send forms.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// cookie returns the value of the browser's cookie name, or "".
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setCookie gives the browser a cookie.
func (b *browser) setCookie(name, value string) {
	u, _ := url.Parse(b.base)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// signIn starts a session directly in the store and gives the browser its
// cookie.
func (b *browser) signIn(s *auth.Sessions, kind auth.SubjectKind, subject string, level auth.Level) string {
	b.t.Helper()
	token, _, err := s.Start(context.Background(), kind, subject, level, "127.0.0.1", "test")
	if err != nil {
		b.t.Fatal(err)
	}
	b.setCookie(auth.SessionCookieName, token)
	return token
}

// csrf is the form token of the browser's session, else of its form
// cookie.
func (b *browser) csrf() string {
	if s := b.cookie(auth.SessionCookieName); s != "" {
		return formToken(s)
	}
	if s := b.cookie(formCookie); s != "" {
		return formToken(s)
	}
	return ""
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, string(body)
}

// get fetches path.
func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends form to path as a same-origin browser form, with the form
// token added unless the form has one.
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") {
		form.Set("csrf", b.csrf())
	}
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}
