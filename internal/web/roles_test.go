package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// caller is a token of some role and scopes.
type caller struct {
	name  string
	p     auth.Principal // what the table says it may do
	token string
}

// callers makes a user per role and tokens of each, plain and scoped.
func callers(t *testing.T, a *app.App) []caller {
	t.Helper()
	ctx := context.Background()
	var out []caller
	add := func(role auth.Role, scopes ...auth.Scope) {
		email := string(role) + "@example.org"
		if _, err := a.Auth.User(ctx, email); err != nil {
			if _, err := a.Auth.AddUser(ctx, email, role, "a long enough password"); err != nil {
				t.Fatal(err)
			}
		}
		name := fmt.Sprintf("%s%v", role, scopes)
		secret, _, err := a.Auth.CreateToken(ctx, email, auth.TokenSpec{Name: name, Scopes: scopes})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, caller{name: name, token: secret, p: auth.Principal{Role: role, Scopes: scopes}})
	}
	add(auth.RoleAdmin)
	add(auth.RoleStaff)
	add(auth.RoleViewer)
	add(auth.RoleAdmin, auth.ScopeAlertmanager)
	add(auth.RoleAdmin, auth.ScopeRead)
	add(auth.RoleAdmin, auth.ScopeImport)
	add(auth.RoleStaff, auth.ScopeAlertmanager)
	add(auth.RoleStaff, auth.ScopeRead)
	add(auth.RoleViewer, auth.ScopeRead)
	return out
}

var pathValue = regexp.MustCompile(`\{[a-z]+\}`)

// TestEveryRouteAnswersAsTheRoleTableSays calls every route the router
// registered with every role and scope: 403 exactly where the permission
// table says no, never 401 or 403 where it says yes. The routes come from
// the router itself, so a new route is checked as soon as it exists, and
// one registered without a permission stops the server from being built.
func TestEveryRouteAnswersAsTheRoleTableSays(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: storetest.DSN(t, store.SQLite)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	who := callers(t, a)
	routes := a.Routes()
	if len(routes) < 60 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	call := func(method, path, token string) int {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	seen := map[string]bool{}
	for _, rt := range routes {
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if !ok {
			t.Errorf("route %q has no method", rt.Pattern)
			continue
		}
		if seen[rt.Pattern] {
			t.Errorf("route %q registered twice", rt.Pattern)
		}
		seen[rt.Pattern] = true
		// Path values that name nothing: allowed calls end in 400, 404
		// or 422, never in a change.
		path = pathValue.ReplaceAllString(path, "zz-none")
		switch rt.Credential {
		case "staff token":
			if !slices.Contains(auth.Permissions, rt.Permission) {
				t.Errorf("%s needs %q, which is no permission", rt.Pattern, rt.Permission)
				continue
			}
			if got := call(method, path, ""); got != http.StatusUnauthorized {
				t.Errorf("%s without a token: %d, want 401", rt.Pattern, got)
			}
			// What the issue asks, independently of what each route
			// declares: viewers only read; staff change no inventory,
			// users, tokens, locations or agents; admins do everything.
			adminOnly := method != http.MethodGet || strings.HasPrefix(rt.Pattern, "GET /api/v1/users")
			for _, prefix := range []string{"/api/v1/customers", "/api/v1/assets", "/api/v1/checks", "/api/v1/import", "/api/v1/components",
				"/api/v1/users", "/api/v1/locations", "/api/v1/agents"} {
				if strings.HasPrefix(path, prefix) && adminOnly {
					if auth.RoleAllows(auth.RoleStaff, rt.Permission) {
						t.Errorf("%s: staff may do it (%s)", rt.Pattern, rt.Permission)
					}
				}
			}
			if method != http.MethodGet && auth.RoleAllows(auth.RoleViewer, rt.Permission) {
				t.Errorf("%s: a viewer may do it (%s)", rt.Pattern, rt.Permission)
			}
			if !auth.RoleAllows(auth.RoleAdmin, rt.Permission) {
				t.Errorf("%s: an admin may not do it (%s)", rt.Pattern, rt.Permission)
			}
			for _, c := range who {
				got := call(method, path, c.token)
				allowed := c.p.Can(rt.Permission)
				switch {
				case allowed && (got == http.StatusForbidden || got == http.StatusUnauthorized):
					t.Errorf("%s as %s (may %s): %d", rt.Pattern, c.name, rt.Permission, got)
				case !allowed && got != http.StatusForbidden:
					t.Errorf("%s as %s (may not %s): %d, want 403", rt.Pattern, c.name, rt.Permission, got)
				}
			}
		case "location token", "agent token":
			// A user's token, even an admin's, is no machine credential.
			if got := call(method, path, who[0].token); got != http.StatusUnauthorized {
				t.Errorf("%s with an admin's token: %d, want 401", rt.Pattern, got)
			}
		case "staff session", "customer session":
			// A token opens no page: a GET is sent to sign in (the staff's
			// or the customer's), a form refused.
			signIn := "/staff/signin?next="
			if rt.Credential == "customer session" {
				signIn = "/account/signin?next="
			}
			want, where := http.StatusUnauthorized, ""
			if method == http.MethodGet {
				want, where = http.StatusSeeOther, signIn
			}
			if got, loc := callPage(t, method, srv.URL+path, who[0].token); got != want || !strings.HasPrefix(loc, where) {
				t.Errorf("%s with an admin's token and no session: %d %q, want %d %s", rt.Pattern, got, loc, want, where)
			}
		case "anyone":
			got := call(method, path, "")
			// The sign-in forms (staff and customers') refuse a post
			// without their form token.
			if got == http.StatusForbidden && method == http.MethodPost && (path == "/staff/signin" || strings.HasPrefix(path, "/account/")) {
				break
			}
			if got == http.StatusUnauthorized || got == http.StatusForbidden {
				t.Errorf("%s without credentials: %d", rt.Pattern, got)
			}
		default:
			t.Errorf("route %q: unknown credential %q", rt.Pattern, rt.Credential)
		}
	}
}

// callPage sends a request with a bearer token and no cookie, without
// following redirects, and returns the status and Location.
func callPage(t *testing.T, method, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}
