package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// TestACustomerReachesNothingOfAnother signs in as customer A and calls
// every route of the router — taken from the router itself, so that a new
// route is covered without touching this test — with each of customer B's
// identifiers in every path parameter and query parameter: every page of
// the customer's area answers 404, and no answer of any route holds
// anything of B's.
func TestACustomerReachesNothingOfAnother(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of requests")
	}
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) { testIsolation(t, engine) })
	}
}

// theirs is what B owns that a page may show: found in an answer to A, it
// is a leak.
var theirs = []string{"Bruno", "bruno-", "CB-secret", "rp-bruno", "Travaux Bruno", "Panne Bruno", "chef@bruno.example"}

func testIsolation(t *testing.T, engine store.Engine) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	cfg := app.Config{DB: storetest.DSN(t, engine), PublicURL: "https://status.example.org", Now: func() time.Time { return now },
		EmbedOrigins: []string{"https://panel.example.org"}, Attachments: t.TempDir()}
	s := startServer(t, ctx, cfg, overviewHost, "")
	bIDs := isolationFixture(t, ctx, s, now)

	aContact, err := s.app.Auth.AddContact(ctx, auth.Contact{Customer: "CA", Email: "alice@alice.example", Name: "Alice"})
	if err != nil {
		t.Fatal(err)
	}
	aToken, err := s.app.StatusTokens.Issue(ctx, "CA")
	if err != nil {
		t.Fatal(err)
	}
	c := newCustomerClient(t, s, aContact.ID)
	if code, body := c.do("GET", "/account", nil); code != http.StatusOK || !strings.Contains(body, "alice-blog") {
		t.Fatalf("A's own home: %d\n%s", code, body)
	}
	values := append(bIDs, aToken, "2026-11", "2026-10")

	requests := 0
	for _, rt := range s.app.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if rt.Class == "long-poll" {
			continue // they answer nothing but a version, after a wait
		}
		params := routeParam.FindAllStringSubmatch(path, -1)
		for _, target := range expand(path, params, values) {
			for _, query := range queries(rt.Query, values) {
				requests++
				code, body := c.do(method, target+query, nil)
				for _, mark := range theirs {
					// What the request itself names may come back (the
					// page's own address in its language link); nothing else.
					if strings.Contains(body, mark) && !strings.Contains(target+query, mark) {
						t.Errorf("%s %s%s (%s): answer %d holds B's %q", method, target, query, rt.Pattern, code, mark)
					}
				}
				if rt.Credential == "customer session" && len(params) > 0 && code != http.StatusNotFound {
					t.Errorf("%s %s%s (%s): %d, want 404", method, target, query, rt.Pattern, code)
				}
			}
		}
	}
	// Forms of the area, with B's identifiers in their fields.
	for _, rt := range s.app.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if rt.Credential != "customer session" || method == http.MethodGet || strings.Contains(path, "{") {
			continue
		}
		for _, v := range values {
			form := url.Values{"csrf": {formToken(c.token)}}
			for _, field := range []string{"asset", "customer", "id", "ticket", "name", "contact", "session", "incident", "subject", "body"} {
				form.Set(field, v)
			}
			requests++
			code, body := c.do(method, path, strings.NewReader(form.Encode()))
			for _, mark := range theirs {
				if strings.Contains(body, mark) && !strings.Contains(v, mark) {
					t.Errorf("%s %s with %q in its fields: answer %d holds B's %q", method, path, v, code, mark)
				}
			}
		}
	}
	th, err := s.app.Support.CustomerTickets(ctx, "CB", 10)
	if err != nil || len(th) != 1 {
		t.Errorf("B's tickets after A's requests: %d, %v", len(th), err)
	}
	t.Logf("%d routes, %d requests as customer A with B's identifiers", len(s.app.Routes()), requests)
}

var routeParam = regexp.MustCompile(`\{([a-z_$]*)(\.\.\.)?\}`)

// expand fills every parameter of path with each value in turn.
func expand(path string, params [][]string, values []string) []string {
	out := []string{path}
	for _, p := range params {
		var next []string
		for _, partial := range out {
			if p[1] == "$" {
				next = append(next, strings.Replace(partial, p[0], "", 1))
				continue
			}
			for _, v := range values {
				next = append(next, strings.Replace(partial, p[0], url.PathEscape(v), 1))
			}
			if p[2] != "" { // {path...} also takes nested paths
				for _, v := range values {
					next = append(next, strings.Replace(partial, p[0], "incidents/"+url.PathEscape(v), 1))
				}
			}
		}
		out = next
	}
	return out
}

// queries is "" plus each query parameter of a route set to each value.
func queries(names []string, values []string) []string {
	out := []string{""}
	for _, name := range names {
		if name == "lang" {
			continue
		}
		for _, v := range values {
			out = append(out, "?"+url.Values{name: {v}}.Encode())
		}
	}
	return out
}

// isolationFixture gives B a contact, a status token, an incident and a
// maintenance window of their own, and backups with restore points; it
// returns B's identifiers.
func isolationFixture(t *testing.T, ctx context.Context, s *server, now time.Time) []string {
	t.Helper()
	if _, err := s.app.Auth.AddContact(ctx, auth.Contact{Customer: "CB", Email: "chef@bruno.example", Name: "Bruno Chef"}); err != nil {
		t.Fatal(err)
	}
	contact, err := s.app.Auth.ContactByEmail(ctx, "chef@bruno.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.StatusTokens.Issue(ctx, "CB"); err != nil {
		t.Fatal(err)
	}
	token, _, err := s.app.Heartbeats.Ensure(ctx, "bruno-vm/backup")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Heartbeats.Record(ctx, token, heartbeat.Ping{Status: heartbeat.StatusOK, RestorePoint: "rp-bruno-7"}, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	var opened struct{ ID int64 }
	if code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["bruno-vm"],"title":"Panne Bruno","severity":"major"}`, &opened); code != 201 {
		t.Fatalf("open B's incident: %d %s", code, body)
	}
	win := incident.Window{Title: "Travaux Bruno", TitleEN: "Travaux Bruno works", Assets: []string{"bruno-pains"},
		Start: "2026-11-28T02:00", End: "2026-11-28T03:00", Zone: "Europe/Paris"}
	if err := s.app.Maintenance.Create(ctx, &win, "ops@example.org"); err != nil {
		t.Fatal(err)
	}
	th, err := s.app.Support.Open(ctx, support.NewTicket{Customer: "CB", Asset: "bruno-pains", Subject: "Bruno's oven site is slow",
		Body: "Bruno writes: the order page hangs.", Files: []support.Upload{{Name: "bruno-notes.txt", Data: []byte("Bruno's private notes")}},
		By: support.Actor{Kind: support.ByCustomer, ID: "chef@bruno.example", Name: "Bruno Chef"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(th.Messages) == 0 || len(th.Messages[0].Attachments) != 1 {
		t.Fatalf("B's ticket: %+v", th)
	}
	ids := []string{fmt.Sprint(th.Ticket.ID), fmt.Sprint(th.Messages[0].ID), th.Messages[0].Attachments[0].ID}
	// B's secrets (their status token, their backup's URL) are not among
	// them: A cannot know them, and whoever holds them may read B's page.
	return []string{"CB", "bruno-vm", "bruno-pains", fmt.Sprint(contact.ID), fmt.Sprint(opened.ID), win.ID, "m" + win.ID,
		"rp-bruno-7", "bruno-vm/backup", ids[0], ids[1], ids[2]}
}

// customerClient calls the server as a signed-in contact, with the form
// token of its session on every unsafe request, from the same origin. A
// route that ends the session (signing out) gets a new one after it.
type customerClient struct {
	t       *testing.T
	s       *server
	contact int64
	token   string
	http    *http.Client
}

func newCustomerClient(t *testing.T, s *server, contact int64) *customerClient {
	c := &customerClient{t: t, s: s, contact: contact, http: &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	c.signIn()
	return c
}

func (c *customerClient) signIn() {
	token, _, err := c.s.app.Sessions.Start(context.Background(), auth.SubjectContact, auth.ContactSubject(c.contact),
		auth.LevelPassword, "127.0.0.1", "isolation test")
	if err != nil {
		c.t.Fatal(err)
	}
	c.token = token
}

// formToken is the session's form token, as a page would embed it.
func formToken(session string) string {
	m := hmac.New(sha256.New, []byte(session))
	m.Write([]byte("vigie-form-v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (c *customerClient) do(method, target string, body io.Reader) (int, string) {
	c.t.Helper()
	if body == nil && method != http.MethodGet && method != http.MethodHead {
		body = strings.NewReader(url.Values{"csrf": {formToken(c.token)}}.Encode())
	}
	req, err := http.NewRequest(method, c.s.base+target, body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, target, err)
	}
	req.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: c.token})
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.s.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Errorf("%s %s: %v", method, target, err)
		return 0, ""
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if _, err := c.s.app.Sessions.Check(context.Background(), c.token, time.Now()); err != nil {
		c.signIn()
	}
	return resp.StatusCode, string(raw)
}
