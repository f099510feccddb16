package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const twoCustomers = `
customers:
  - {id: C1, name: Alpha Bakery, email: alpha@example.org, language: en, timezone: America/Montreal}
  - {id: C2, name: Beta Books, email: beta@example.org}
`

// whoami answers who the session stands for, for the tests.
func whoami(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	fmt.Fprintf(w, "customer=%s staff=%s lang=%s zone=%s", v.Customer.ID, v.User.Email, v.Lang, v.Zone)
}

func testRoutes(rt *router) {
	rt.handle("GET /account/whoami", customerArea, classAPI, doc{summary: "test"}, whoami)
	rt.handle("POST /account/whoami", customerArea, classAPI, doc{summary: "test"}, whoami)
	rt.handle("GET /staff/whoami", staffPage(auth.PermRead), classAPI, doc{summary: "test"}, whoami)
	rt.handle("GET /staff/pending", staffPending, classAPI, doc{summary: "test"}, whoami)
}

// A customer route lets through a customer's session only, with the
// customer, language and zone it stands for; without one a browser is
// sent to sign in, and comes back after.
func TestCustomerSessionRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := sessionDeps(t, db, Deps{}, twoCustomers)
		base := serveSessions(t, d, testRoutes)
		c, err := d.Auth.AddContact(ctx, auth.Contact{Customer: "C1", Email: "ana@alpha.example", Lang: "fr", Zone: "America/Montreal"})
		if err != nil {
			t.Fatal(err)
		}

		b := newBrowser(t, base)
		resp, _ := b.get("/account/whoami?x=1")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/signin?next="+url.QueryEscape("/account/whoami?x=1") {
			t.Fatalf("no session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		b.signIn(d.Sessions, auth.SubjectContact, auth.ContactSubject(c.ID), auth.LevelPassword)
		resp, body := b.get("/account/whoami")
		if resp.StatusCode != http.StatusOK || body != "customer=C1 staff= lang=fr zone=America/Montreal" {
			t.Fatalf("contact session: %d %q", resp.StatusCode, body)
		}
		if _, body := b.get("/account/whoami?lang=en"); !strings.Contains(body, "lang=en") {
			t.Fatalf("asked for English: %q", body)
		}

		// A hand-off session stands for the customer, in its language.
		h := newBrowser(t, base)
		h.signIn(d.Sessions, auth.SubjectCustomer, "C2", auth.LevelHandOff)
		if _, body := h.get("/account/whoami"); body != "customer=C2 staff= lang=fr zone=Europe/Paris" {
			t.Fatalf("hand-off session: %q", body)
		}

		// A staff session is not a customer's, and the other way round.
		if _, err := d.Auth.AddUser(ctx, "lea@host.example", auth.RoleStaff, "a long enough password"); err != nil {
			t.Fatal(err)
		}
		u, _ := d.Auth.User(ctx, "lea@host.example")
		st := newBrowser(t, base)
		st.signIn(d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPassword)
		if resp, _ := st.get("/account/whoami"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("staff session on a customer route: %d", resp.StatusCode)
		}
		if resp, _ := b.get("/staff/whoami"); resp.StatusCode != http.StatusSeeOther ||
			!strings.HasPrefix(resp.Header.Get("Location"), "/staff/signin?next=") {
			t.Fatalf("customer session on a staff route: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, body := st.get("/staff/whoami"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "staff=lea@host.example") {
			t.Fatalf("staff session: %d %q", resp.StatusCode, body)
		}

		// A disabled contact's session no longer opens anything.
		if err := d.Auth.DisableContact(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if resp, _ := b.get("/account/whoami"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("disabled contact: %d", resp.StatusCode)
		}
	})
}

// Forms posted to a session route need the session's token and must come
// from the same site; a body past the cap is refused; nothing runs.
func TestSessionFormsNeedTheirToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := sessionDeps(t, db, Deps{}, twoCustomers)
		base := serveSessions(t, d, testRoutes)
		b := newBrowser(t, base)
		b.signIn(d.Sessions, auth.SubjectCustomer, "C1", auth.LevelHandOff)
		if resp, body := b.post("/account/whoami", nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, "customer=C1") {
			t.Fatalf("form with its token: %d %q", resp.StatusCode, body)
		}
		for name, form := range map[string]url.Values{
			"no token":    {"csrf": {""}},
			"wrong token": {"csrf": {formToken("another session")}},
		} {
			if resp, body := b.post("/account/whoami", form); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "customer=") {
				t.Errorf("%s: %d %q", name, resp.StatusCode, body)
			}
		}
		// The right token, from another site.
		req, _ := http.NewRequest(http.MethodPost, base+"/account/whoami", strings.NewReader("csrf="+b.csrf()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		if resp, body := b.do(req); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "customer=") {
			t.Errorf("cross-site: %d %q", resp.StatusCode, body)
		}
		big := url.Values{"x": {strings.Repeat("a", defaultFormBody)}}
		if resp, _ := b.post("/account/whoami", big); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("large form: %d", resp.StatusCode)
		}
	})
}

// An admin signed in by password only is sent to the TOTP step before
// anything else, except the pages that raise the level.
func TestAdminsNeedTheirSecondFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := sessionDeps(t, db, Deps{}, "")
		base := serveSessions(t, d, testRoutes)
		u, err := d.Auth.AddUser(ctx, "root@host.example", auth.RoleAdmin, "a long enough password")
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, base)
		token := b.signIn(d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPassword)
		if resp, _ := b.get("/staff/whoami"); resp.StatusCode != http.StatusSeeOther ||
			!strings.HasPrefix(resp.Header.Get("Location"), staffTOTP+"?next=") {
			t.Fatalf("admin at password level: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := b.get("/staff/pending"); resp.StatusCode != http.StatusOK {
			t.Fatalf("pending page: %d", resp.StatusCode)
		}
		newToken, _, err := d.Sessions.Rotate(ctx, token, auth.LevelPasswordTOTP)
		if err != nil {
			t.Fatal(err)
		}
		b.setCookie(auth.SessionCookieName, newToken)
		if resp, _ := b.get("/staff/whoami"); resp.StatusCode != http.StatusOK {
			t.Fatalf("admin with TOTP: %d", resp.StatusCode)
		}
	})
}

func signInRoutes(rt *router) {
	s := rt.s
	rt.handle("GET /test/signin", noCredential, classAPI, doc{summary: "test"}, func(w http.ResponseWriter, r *http.Request) {
		s.renderPage(w, r, http.StatusOK, "error", "Sign in", errorView{Message: "form"})
	})
	rt.handle("POST /test/signin", noCredential, classAPI, doc{summary: "test"}, func(w http.ResponseWriter, r *http.Request) {
		if !s.checkPreForm(w, r) {
			return
		}
		if err := s.startSession(w, r, auth.SubjectCustomer, "C1", auth.LevelHandOff); err != nil {
			s.failPage(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	rt.handle("POST /account/rotate", customerArea.withBody(1<<20), classAPI, doc{summary: "test"}, func(w http.ResponseWriter, r *http.Request) {
		if err := s.rotateSession(w, r, ""); err != nil {
			s.failPage(w, r, err)
			return
		}
		s.audit(r, "rotate", "", true, "")
		w.WriteHeader(http.StatusNoContent)
	})
	rt.handle("POST /account/signout", customerArea, classAPI, doc{summary: "test"}, func(w http.ResponseWriter, r *http.Request) {
		s.audit(r, "sign-out", "", true, "")
		if err := s.endSession(w, r); err != nil {
			s.failPage(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	rt.handle("GET /account/secret", customerArea, classAPI, doc{summary: "test"}, func(w http.ResponseWriter, r *http.Request) {
		s.failPage(w, r, store.NotFound("ticket", "B-secret-42"))
	})
}

// Signing in ends the session a browser brought and opens one under a
// new id (no fixation); the sign-in form needs the token of its cookie.
func TestSignInStartsANewSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := sessionDeps(t, db, Deps{}, twoCustomers)
		base := serveSessions(t, d, func(rt *router) { testRoutes(rt); signInRoutes(rt) })
		b := newBrowser(t, base)
		resp, body := b.get("/test/signin")
		if resp.StatusCode != http.StatusOK || b.cookie(formCookie) == "" {
			t.Fatalf("sign-in page: %d, form cookie %q\n%s", resp.StatusCode, b.cookie(formCookie), body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("CSP %q", csp)
		}
		// A session planted by someone else before sign-in.
		planted := b.signIn(d.Sessions, auth.SubjectCustomer, "C2", auth.LevelHandOff)
		form := url.Values{"csrf": {formToken(b.cookie(formCookie))}}
		if resp, _ := b.post("/test/signin", url.Values{"csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("sign-in without the form's token: %d", resp.StatusCode)
		}
		if resp, body := b.post("/test/signin", form); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("sign-in: %d %s", resp.StatusCode, body)
		}
		got := b.cookie(auth.SessionCookieName)
		if got == "" || got == planted {
			t.Fatalf("session cookie after sign-in: %q (planted %q)", got, planted)
		}
		if _, err := d.Sessions.Check(ctx, planted, d.Now()); err == nil {
			t.Fatal("the planted session still works after sign-in")
		}
		if _, body := b.get("/account/whoami"); !strings.Contains(body, "customer=C1") {
			t.Fatalf("after sign-in: %q", body)
		}
		// Rotating moves the session to a new id; signing out ends it; both
		// are audited under the customer's name.
		before := b.cookie(auth.SessionCookieName)
		if resp, _ := b.post("/account/rotate", nil); resp.StatusCode != http.StatusNoContent || b.cookie(auth.SessionCookieName) == before {
			t.Fatalf("rotate: %d", resp.StatusCode)
		}
		if _, err := d.Sessions.Check(ctx, before, d.Now()); err == nil {
			t.Fatal("the session before rotation still works")
		}
		if _, err := d.Sessions.Check(ctx, b.cookie(auth.SessionCookieName), d.Now()); err != nil {
			t.Fatalf("the rotated session: %v", err)
		}
		// A 404 page tells nothing of what was asked.
		resp, body = b.get("/account/secret")
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "B-secret-42") || !strings.Contains(body, "<html") {
			t.Fatalf("404 page: %d\n%s", resp.StatusCode, body)
		}
		last := b.cookie(auth.SessionCookieName)
		if resp, _ := b.post("/account/signout", nil); resp.StatusCode != http.StatusNoContent || b.cookie(auth.SessionCookieName) != "" {
			t.Fatalf("sign out: %d, cookie %q", resp.StatusCode, b.cookie(auth.SessionCookieName))
		}
		if _, err := d.Sessions.Check(ctx, last, d.Now()); err == nil {
			t.Fatal("the session still works after signing out")
		}
		entries, err := d.Audit.List(ctx, auth.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			if e.Actor == "customer:C1" && e.Addr == "127.0.0.1" {
				actions = append(actions, e.Action)
			}
		}
		if !slices.Contains(actions, "rotate") || !slices.Contains(actions, "sign-out") {
			t.Fatalf("audited actions of customer:C1: %v (entries %+v)", actions, entries)
		}
	})
}
