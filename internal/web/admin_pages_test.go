package web

import (
	"bytes"
	"context"
	"errors"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// newAdminSite is a staff site that also keeps probe locations, host
// agents and duty hours, over an inventory with one hypervisor, hv1.
func newAdminSite(t *testing.T, db *store.DB) *staffSite {
	t.Helper()
	site, _ := newLoggedAdminSite(t, db)
	return site
}

// newLoggedAdminSite is newAdminSite with everything the server logs, at
// every level, kept in the log returned.
func newLoggedAdminSite(t *testing.T, db *store.DB) (*staffSite, *lockedBuffer) {
	t.Helper()
	now := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	clock := fixedClock(&now)
	sessions := auth.NewSessions(db)
	sessions.Now = clock
	log := &lockedBuffer{}
	d := sessionDeps(t, db, Deps{Now: clock, Sessions: sessions, PublicName: "Hébergeur Test",
		Locations: probe.NewLocationStore(db), Agents: probe.NewAgentStore(db), NotifyPrefs: notify.NewPrefs(db, clock),
		Logger: slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))},
		"assets:\n  - {name: hv1, kind: hypervisor}\n")
	return &staffSite{d: d, base: serveSessions(t, d, nil), now: &now}, log
}

// lockedBuffer is a log the server writes from its handlers while the
// test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// notLogged fails the test when the log holds any of the secrets.
func notLogged(t *testing.T, log *lockedBuffer, secrets ...string) {
	t.Helper()
	text := log.String()
	if text == "" {
		t.Fatal("the server logged nothing: the check would prove nothing")
	}
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Fatalf("a secret in the server's log:\n%s", text)
		}
	}
}

// adminBrowser signs a new admin in, past the second step.
func (s *staffSite) adminBrowser(t *testing.T, email string) *browser {
	t.Helper()
	u := s.addStaff(t, email, auth.RoleAdmin)
	b := newBrowser(t, s.base)
	b.signIn(s.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPasswordTOTP)
	return b
}

// secretOnPage is the secret an answer page shows.
var secretOnPage = regexp.MustCompile(`<code class="adm-secret" id="secret">([^<]+)</code>`)

// shownSecret checks that an answer shows a secret, once, on the page of
// the POST itself (no redirect, not cached), and returns it.
func shownSecret(t *testing.T, what string, resp *http.Response, page string, want int) string {
	t.Helper()
	m := secretOnPage.FindStringSubmatch(page)
	if resp.StatusCode != want || m == nil {
		t.Fatalf("%s: %d, want %d with a secret shown\n%s", what, resp.StatusCode, want, page)
	}
	if resp.Header.Get("Location") != "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%s: Location %q, Cache-Control %q", what, resp.Header.Get("Location"), resp.Header.Get("Cache-Control"))
	}
	if !strings.Contains(page, `class="card warn"`) {
		t.Fatalf("%s: no copy-it-now note", what)
	}
	return html.UnescapeString(m[1])
}

// wantRefused checks a form was refused with status, naming field.
func wantRefused(t *testing.T, what string, resp *http.Response, page string, status int, field string) {
	t.Helper()
	if resp.StatusCode != status || !strings.Contains(page, `id="problem"`) || !strings.Contains(page, "<strong>"+field+":</strong>") {
		t.Fatalf("%s: %d, want %d naming %s\n%s", what, resp.StatusCode, status, field, page)
	}
}

// TestAdminAddsAUserAndSetsTheirRoleDutyAndAccess: through the pages an
// admin adds a user (the generated password shown once works), refused
// input changes nothing, and role, duty hours, two-step reset, disabling
// (their sessions end), enabling and removal do what the API does.
func TestAdminAddsAUserAndSetsTheirRoleDutyAndAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site, log := newLoggedAdminSite(t, db)
		b := site.adminBrowser(t, "root@host.example")
		b.setCookie(langCookie, "en")

		resp, page := b.get("/staff/admin")
		for _, link := range []string{"/staff/admin/users", "/staff/admin/tokens", "/staff/admin/locations", "/staff/admin/channels",
			"/staff/admin/components", "/staff/admin/compliance", "/staff/admin/settings"} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, `href="`+link+`"`) {
				t.Fatalf("index: %d, no link to %s\n%s", resp.StatusCode, link, page)
			}
		}

		resp, page = b.post("/staff/admin/users", url.Values{"email": {"Ana@Host.example"}, "role": {"staff"}, "timezone": {"America/Montreal"}})
		password := shownSecret(t, "add a user", resp, page, http.StatusCreated)
		u, err := site.d.Auth.CheckPassword(ctx, "ana@host.example", password)
		if err != nil || u.Role != auth.RoleStaff || u.Timezone != "America/Montreal" {
			t.Fatalf("the user added: %+v %v", u, err)
		}
		for _, c := range []struct {
			what   string
			form   url.Values
			status int
			field  string
		}{
			{"a bad address", url.Values{"email": {"not an address"}, "role": {"staff"}}, http.StatusUnprocessableEntity, "email"},
			{"a bad role", url.Values{"email": {"bo@host.example"}, "role": {"boss"}}, http.StatusUnprocessableEntity, "role"},
			{"a bad zone", url.Values{"email": {"bo@host.example"}, "role": {"staff"}, "timezone": {"Mars/Olympus"}}, http.StatusUnprocessableEntity, "timezone"},
		} {
			resp, page := b.post("/staff/admin/users", c.form)
			wantRefused(t, c.what, resp, page, c.status, c.field)
		}
		if resp, page := b.post("/staff/admin/users", url.Values{"email": {"ana@host.example"}, "role": {"viewer"}}); resp.StatusCode != http.StatusConflict ||
			secretOnPage.MatchString(page) {
			t.Fatalf("the same address again: %d", resp.StatusCode)
		}
		if users, _ := site.d.Auth.Users(ctx); len(users) != 2 {
			t.Fatalf("refused forms added users: %+v", users)
		}

		// Duty hours, in the user's zone, as PUT …/duty.
		user := "/staff/admin/users/ana@host.example"
		resp, page = b.post(user+"/duty", url.Values{"mode": {"hours"}, "from": {"25:00"}, "to": {"20:00"}, "timezone": {"America/Montreal"}, "page": {"yes"}})
		wantRefused(t, "hours past midnight", resp, page, http.StatusUnprocessableEntity, "duty")
		resp, page = b.post(user+"/duty", url.Values{"mode": {"hours"}, "from": {"12:00"}, "to": {"20:00"}, "timezone": {"Nowhere/Else"}, "page": {"yes"}})
		wantRefused(t, "an unknown zone", resp, page, http.StatusUnprocessableEntity, "timezone")
		if resp, _ := b.post(user+"/duty", url.Values{"mode": {"hours"}, "from": {"12:00"}, "to": {"20:00"}, "timezone": {"America/Montreal"}, "page": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("set duty: %d", resp.StatusCode)
		}
		staff, err := site.d.NotifyPrefs.StaffList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range staff {
			if s.Email == "ana@host.example" && (s.Duty != "12:00-20:00" || !s.Page || s.Zone != "America/Montreal") {
				t.Fatalf("duty stored: %+v", s)
			}
		}
		if _, page := b.get("/staff/admin/users"); !strings.Contains(page, "12:00–20:00") {
			t.Fatalf("the list does not show the duty hours:\n%s", page)
		}

		// Role; the last admin keeps theirs.
		if resp, _ := b.post(user+"/role", url.Values{"role": {"viewer"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("set role: %d", resp.StatusCode)
		}
		if u, _ := site.d.Auth.User(ctx, "ana@host.example"); u.Role != auth.RoleViewer {
			t.Fatalf("role after the change: %s", u.Role)
		}
		resp, page = b.post("/staff/admin/users/root@host.example/role", url.Values{"role": {"staff"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "no enabled admin would be left") {
			t.Fatalf("demote the last admin: %d", resp.StatusCode)
		}

		// Two-step reset.
		site.enrol(t, "ana@host.example")
		if resp, _ := b.post(user+"/totp/reset", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset TOTP: %d", resp.StatusCode)
		}
		if on, err := site.d.Auth.HasTOTP(ctx, "ana@host.example"); on || err != nil {
			t.Fatalf("TOTP after the reset: %v %v", on, err)
		}

		// Disabling ends their sessions; enabling lets them in again.
		anaBrowser := newBrowser(t, site.base)
		anaSession := anaBrowser.signIn(site.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPassword)
		if resp, _ := b.post(user+"/disable", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d", resp.StatusCode)
		}
		if _, err := site.d.Sessions.Check(ctx, anaSession, *site.now); !errors.Is(err, auth.ErrSessionUnknown) {
			t.Fatalf("a disabled user's session: %v", err)
		}
		if resp, _ := anaBrowser.get("/staff"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("a disabled user's browser: %d", resp.StatusCode)
		}
		if resp, _ := b.post(user+"/enable", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("enable: %d", resp.StatusCode)
		}
		if _, err := site.d.Auth.CheckPassword(ctx, "ana@host.example", password); err != nil {
			t.Fatalf("enabled again: %v", err)
		}

		// Removal asks to be confirmed, then ends the sessions.
		anaSession = anaBrowser.signIn(site.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPassword)
		resp, page = b.post(user+"/remove", nil)
		wantRefused(t, "remove unconfirmed", resp, page, http.StatusUnprocessableEntity, "confirm")
		if resp, _ := b.post(user+"/remove", url.Values{"confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d", resp.StatusCode)
		}
		if _, err := site.d.Auth.User(ctx, "ana@host.example"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("removed user: %v", err)
		}
		if _, err := site.d.Sessions.Check(ctx, anaSession, *site.now); !errors.Is(err, auth.ErrSessionUnknown) {
			t.Fatalf("a removed user's session: %v", err)
		}
		checkAudit(t, site, "root@host.example", []string{"POST /staff/admin/users", "POST /staff/admin/users/{email}/duty",
			"POST /staff/admin/users/{email}/role", "POST /staff/admin/users/{email}/totp/reset", "POST /staff/admin/users/{email}/disable",
			"POST /staff/admin/users/{email}/enable", "POST /staff/admin/users/{email}/remove"}, password)
		notLogged(t, log, password)
	})
}

// checkAudit checks that actor's successful entries hold the actions
// given and that no entry holds any of the secrets.
func checkAudit(t *testing.T, site *staffSite, actor string, actions []string, secrets ...string) {
	t.Helper()
	ok := map[string]bool{}
	for _, e := range site.audited(t) {
		if e.Actor == actor && e.OK {
			ok[e.Action] = true
		}
		for _, s := range secrets {
			if strings.Contains(e.Action+e.Target+e.Detail+e.Actor, s) {
				t.Fatalf("a secret in the audit log: %+v", e)
			}
		}
	}
	for _, a := range actions {
		if !ok[a] {
			t.Errorf("no successful %q by %s in the audit log", a, actor)
		}
	}
}

// TestAdminMakesAndRevokesTokens: a token made through the page, with a
// name that needs escaping and a scope, authenticates with that scope; the
// revoke button of the list stops it; bad input changes nothing.
func TestAdminMakesAndRevokesTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site, log := newLoggedAdminSite(t, db)
		b := site.adminBrowser(t, "root@host.example")
		b.setCookie(langCookie, "en")
		site.addStaff(t, "ops@host.example", auth.RoleStaff)

		resp, page := b.post("/staff/admin/tokens", url.Values{"user": {"ops@host.example"}, "name": {"ci / deploy"}, "scopes": {"read"}})
		secret := shownSecret(t, "create a token", resp, page, http.StatusCreated)
		p, err := site.d.Auth.Authenticate(ctx, secret)
		if err != nil || p.Email != "ops@host.example" || len(p.Scopes) != 1 || p.Scopes[0] != auth.ScopeRead || p.Can(auth.PermIncidents) {
			t.Fatalf("the token made: %+v %v", p, err)
		}
		for _, c := range []struct {
			what  string
			form  url.Values
			code  int
			field string
		}{
			{"no name", url.Values{"user": {"ops@host.example"}, "name": {" "}}, http.StatusUnprocessableEntity, "name"},
			{"a role above the user's", url.Values{"user": {"ops@host.example"}, "name": {"x"}, "role": {"admin"}}, http.StatusUnprocessableEntity, "role"},
			{"an unknown scope", url.Values{"user": {"ops@host.example"}, "name": {"x"}, "scopes": {"all"}}, http.StatusUnprocessableEntity, "scopes"},
			{"an unknown user", url.Values{"user": {"nobody@host.example"}, "name": {"x"}}, http.StatusNotFound, "user"},
		} {
			resp, page := b.post("/staff/admin/tokens", c.form)
			wantRefused(t, c.what, resp, page, c.code, c.field)
		}
		if resp, _ := b.post("/staff/admin/tokens", url.Values{"user": {"ops@host.example"}, "name": {"ci / deploy"}}); resp.StatusCode != http.StatusConflict {
			t.Fatalf("the same name again: %d", resp.StatusCode)
		}
		if list, _ := site.d.Auth.Tokens(ctx, "ops@host.example"); len(list) != 1 {
			t.Fatalf("refused forms made tokens: %+v", list)
		}

		_, page = b.get("/staff/admin/tokens?user=ops@host.example")
		revoke := regexp.MustCompile(`action="(/staff/admin/tokens/[^"]+/revoke)"`).FindStringSubmatch(page)
		if revoke == nil || strings.Contains(page, secret) {
			t.Fatalf("the list: no revoke button, or the secret shown again\n%s", page)
		}
		if resp, _ := b.post(html.UnescapeString(revoke[1]), nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke %s: %d", revoke[1], resp.StatusCode)
		}
		if _, err := site.d.Auth.Authenticate(ctx, secret); !errors.Is(err, auth.ErrUnauthorized) {
			t.Fatalf("a revoked token: %v", err)
		}
		checkAudit(t, site, "root@host.example", []string{"POST /staff/admin/tokens", "POST /staff/admin/tokens/{email}/{name}/revoke"}, secret)
		notLogged(t, log, secret)
	})
}

// TestAdminManagesLocationsAndAgents: locations and agents made, rotated
// and revoked through the page authenticate exactly as the tokens shown
// say; their health shows; bad names and unknown assets change nothing.
func TestAdminManagesLocationsAndAgents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site, log := newLoggedAdminSite(t, db)
		b := site.adminBrowser(t, "root@host.example")
		b.setCookie(langCookie, "en")

		resp, page := b.post("/staff/admin/locations", url.Values{"name": {"montreal-1"}})
		first := shownSecret(t, "add a location", resp, page, http.StatusCreated)
		if _, page := b.get("/staff/admin/locations"); !strings.Contains(page, `<span class="pill warn">never reported</span>`) ||
			!strings.Contains(page, `action="/staff/admin/locations/montreal-1/token"`) {
			t.Fatalf("the list before its first contact:\n%s", page)
		}
		if _, err := site.d.Locations.Authenticate(ctx, first); err != nil {
			t.Fatalf("the location's token: %v", err)
		}
		resp, page = b.post("/staff/admin/locations", url.Values{"name": {"Montréal"}})
		wantRefused(t, "a bad name", resp, page, http.StatusUnprocessableEntity, "name")
		if resp, _ := b.post("/staff/admin/locations", url.Values{"name": {"montreal-1"}}); resp.StatusCode != http.StatusConflict {
			t.Fatalf("the same location again: %d", resp.StatusCode)
		}
		resp, page = b.post("/staff/admin/locations/montreal-1/token", nil)
		second := shownSecret(t, "rotate a location", resp, page, http.StatusOK)
		if _, err := site.d.Locations.Authenticate(ctx, first); !errors.Is(err, probe.ErrBadLocationToken) {
			t.Fatalf("the old token after rotation: %v", err)
		}
		if _, err := site.d.Locations.Authenticate(ctx, second); err != nil {
			t.Fatalf("the new token: %v", err)
		}
		// The store dates its sightings by the real clock, an hour behind
		// the site's: the location has been quiet for an hour.
		if _, page := b.get("/staff/admin/locations"); !strings.Contains(page, `<span class="pill bad">silent</span>`) {
			t.Fatalf("a location quiet for an hour is not shown silent:\n%s", page)
		}
		if resp, _ := b.post("/staff/admin/locations/montreal-1/revoke", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		if _, err := site.d.Locations.Authenticate(ctx, second); !errors.Is(err, probe.ErrBadLocationToken) {
			t.Fatalf("a revoked location: %v", err)
		}

		if _, page := b.get("/staff/admin/locations"); !strings.Contains(page, `<datalist id="hosts"><option value="hv1">`) {
			t.Fatalf("hv1 is not suggested for an agent:\n%s", page)
		}
		resp, page = b.post("/staff/admin/agents", url.Values{"asset": {"hv9"}})
		wantRefused(t, "an unknown asset", resp, page, http.StatusNotFound, "asset")
		resp, page = b.post("/staff/admin/agents", url.Values{"asset": {"hv1"}})
		agent := shownSecret(t, "add an agent", resp, page, http.StatusCreated)
		if asset, err := site.d.Agents.Authenticate(ctx, agent); err != nil || asset != "hv1" {
			t.Fatalf("the agent's token: %q %v", asset, err)
		}
		if _, page := b.get("/staff/admin/locations"); strings.Contains(page, `<option value="hv1">`) {
			t.Fatalf("hv1 has an agent and is still suggested:\n%s", page)
		}
		resp, page = b.post("/staff/admin/agents/hv1/token", nil)
		agent2 := shownSecret(t, "rotate an agent", resp, page, http.StatusOK)
		if _, err := site.d.Agents.Authenticate(ctx, agent); !errors.Is(err, probe.ErrBadAgentToken) {
			t.Fatalf("the agent's old token: %v", err)
		}
		if resp, _ := b.post("/staff/admin/agents/hv1/remove", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove the agent: %d", resp.StatusCode)
		}
		if _, err := site.d.Agents.Authenticate(ctx, agent2); !errors.Is(err, probe.ErrBadAgentToken) {
			t.Fatalf("a removed agent: %v", err)
		}
		checkAudit(t, site, "root@host.example", []string{"POST /staff/admin/locations", "POST /staff/admin/locations/{name}/token",
			"POST /staff/admin/locations/{name}/revoke", "POST /staff/admin/agents", "POST /staff/admin/agents/{asset}/token",
			"POST /staff/admin/agents/{asset}/remove"}, first, second, agent, agent2)
		notLogged(t, log, first, second, agent, agent2)
	})
}

// TestAdminPagesRefuseWhoMayNot: staff and viewers get 403 from every
// administration action their role lacks, audited as failed, and nothing
// changes; staff see locations without the forms that change them; a
// post without the form's token is refused, even from an admin.
func TestAdminPagesRefuseWhoMayNot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newAdminSite(t, db)
		admin := site.adminBrowser(t, "root@host.example")
		resp, page := admin.post("/staff/admin/locations", url.Values{"name": {"paris-2"}})
		shownSecret(t, "add a location", resp, page, http.StatusCreated)
		posts := map[string]url.Values{
			"/staff/admin/users":                          {"email": {"eve@host.example"}, "role": {"admin"}},
			"/staff/admin/users/root@host.example/role":   {"role": {"viewer"}},
			"/staff/admin/users/root@host.example/duty":   {"mode": {"never"}},
			"/staff/admin/users/root@host.example/remove": {"confirm": {"yes"}},
			"/staff/admin/tokens":                         {"user": {"root@host.example"}, "name": {"stolen"}},
			"/staff/admin/locations":                      {"name": {"evil"}},
			"/staff/admin/locations/paris-2/token":        nil,
			"/staff/admin/locations/paris-2/revoke":       nil,
			"/staff/admin/agents":                         {"asset": {"hv1"}},
		}
		for _, role := range []auth.Role{auth.RoleStaff, auth.RoleViewer} {
			u := site.addStaff(t, string(role)+"@host.example", role)
			b := newBrowser(t, site.base)
			b.signIn(site.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPasswordTOTP)
			for path, form := range posts {
				if resp, page := b.post(path, form); resp.StatusCode != http.StatusForbidden || secretOnPage.MatchString(page) {
					t.Errorf("%s: POST %s: %d, want 403", role, path, resp.StatusCode)
				}
			}
			for _, path := range []string{"/staff/admin/users", "/staff/admin/users/root@host.example", "/staff/admin/tokens"} {
				if resp, _ := b.get(path); resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s: GET %s: %d, want 403", role, path, resp.StatusCode)
				}
			}
			resp, page := b.get("/staff/admin/locations")
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, "paris-2") || strings.Contains(page, `method="post" action="/staff/admin/locations`) {
				t.Errorf("%s: the locations page: %d\n%s", role, resp.StatusCode, page)
			}
			if _, page := b.get("/staff/admin"); strings.Contains(page, `href="/staff/admin/users"`) || !strings.Contains(page, `href="/staff/admin/locations"`) {
				t.Errorf("%s: the index offers what the role may not open\n%s", role, page)
			}
		}
		// Without the form's token, or with another's.
		for name, token := range map[string]string{"no token": "", "a wrong token": formToken("another session")} {
			if resp, _ := admin.post("/staff/admin/users", url.Values{"email": {"eve@host.example"}, "role": {"admin"}, "csrf": {token}}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", name, resp.StatusCode)
			}
			if resp, _ := admin.post("/staff/admin/locations/paris-2/revoke", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: revoke: %d, want 403", name, resp.StatusCode)
			}
		}
		users, _ := site.d.Auth.Users(ctx)
		locations, _ := site.d.Locations.List(ctx)
		agents, _ := site.d.Agents.List(ctx)
		if root, _ := site.d.Auth.User(ctx, "root@host.example"); len(users) != 3 || root.Role != auth.RoleAdmin ||
			len(locations) != 1 || locations[0].Revoked() || len(agents) != 0 {
			t.Fatalf("refused posts changed something: %d users (root %s), locations %+v, agents %+v", len(users), root.Role, locations, agents)
		}
		if tokens, _ := site.d.Auth.Tokens(ctx, "root@host.example"); len(tokens) != 0 {
			t.Fatalf("a refused post made a token: %+v", tokens)
		}
		refused := 0
		for _, e := range site.audited(t) {
			if (e.Actor == "staff@host.example" || e.Actor == "viewer@host.example") && !e.OK && strings.HasPrefix(e.Action, "POST /staff/admin/") {
				refused++
			}
		}
		if refused != 2*len(posts) {
			t.Fatalf("%d refused posts audited, want %d", refused, 2*len(posts))
		}
	})
}

// TestLocationHealthIsToldFromItsLastContact: reporting within three poll
// intervals, silent past them, never reported, revoked.
func TestLocationHealthIsToldFromItsLastContact(t *testing.T) {
	now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	for _, c := range []struct {
		l    probe.Location
		want string
	}{
		{probe.Location{Name: "a", LastSeenAt: ago(20 * time.Second), PollInterval: 10 * time.Second}, "ok"},
		{probe.Location{Name: "a", LastSeenAt: ago(time.Minute), PollInterval: 10 * time.Second}, "silent"},
		{probe.Location{Name: "a"}, "never"},
		{probe.Location{Name: "a", LastSeenAt: ago(time.Hour), RevokedAt: ago(time.Minute)}, "revoked"},
	} {
		if got := viewLocation(c.l, now); got.Health != c.want {
			t.Errorf("%+v: %s, want %s", c.l, got.Health, c.want)
		}
	}
}

// TestAnAdminWhoRemovesThemselvesIsSignedOut: with another admin left, an
// admin may remove their own account; their session ends with it and the
// browser is sent to sign in.
func TestAnAdminWhoRemovesThemselvesIsSignedOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site := newAdminSite(t, db)
		site.addStaff(t, "other@host.example", auth.RoleAdmin)
		b := site.adminBrowser(t, "root@host.example")
		resp, _ := b.post("/staff/admin/users/root@host.example/remove", url.Values{"confirm": {"yes"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != staffSignIn || b.cookie(auth.SessionCookieName) != "" {
			t.Fatalf("remove oneself: %d %q, cookie %q", resp.StatusCode, resp.Header.Get("Location"), b.cookie(auth.SessionCookieName))
		}
		if _, err := site.d.Auth.User(context.Background(), "root@host.example"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the admin is still there: %v", err)
		}
		if resp, _ := b.get("/staff/admin"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("after removing oneself: %d", resp.StatusCode)
		}
	})
}
