package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const goodPassword = "correct horse battery staple"

// A contact signs in with their password and lands where they were going,
// on this site only; a wrong password says so, and every attempt is
// audited with its address.
func TestAContactSignsInWithTheirPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newAccountEnv(t, db, false)
		e.withPassword("lea@alpha.example", goodPassword)
		b := newBrowser(t, e.base)
		if resp, body := b.get("/account/signin?next=/account/tickets&lang=en"); resp.StatusCode != http.StatusOK ||
			!strings.Contains(body, `name="next" value="/account/tickets"`) || !strings.Contains(body, "Send me a sign-in link") {
			t.Fatalf("the sign-in page: %d\n%s", resp.StatusCode, body)
		}
		resp, body := b.post("/account/signin", form("email", "lea@alpha.example", "password", "wrong password, long", "next", "/account/tickets"))
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "This address and password do not match") || signedIn(b) {
			t.Fatalf("a wrong password: %d\n%s", resp.StatusCode, body)
		}
		for next, want := range map[string]string{
			"/account/tickets?x=1":  "/account/tickets?x=1",
			"//evil.example/":       "/account",
			"https://evil.example/": "/account",
			"/\\evil.example":       "/account",
			"":                      "/account",
		} {
			b := newBrowser(t, e.base)
			b.get("/account/signin")
			resp, _ := b.post("/account/signin", form("email", " LEA@alpha.example ", "password", goodPassword, "next", next))
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want || !signedIn(b) {
				t.Errorf("next %q: %d to %q, want %q", next, resp.StatusCode, resp.Header.Get("Location"), want)
			}
		}
		lines := strings.Join(e.auditLines(), "\n")
		for _, want := range []string{
			"contact:lea@alpha.example | sign-in |  | refused | 127.0.0.1 | wrong address or password",
			"contact:lea@alpha.example | sign-in | customer C1 | ok | 127.0.0.1 | password",
		} {
			if !strings.Contains(lines, want) {
				t.Errorf("the audit log has no line %q:\n%s", want, lines)
			}
		}
	})
}

// The session a browser brought is not the one it leaves with: a cookie
// planted before sign-in (session fixation) is ended, and only the new
// one works.
func TestSigningInGivesANewSessionAndEndsTheOldOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newAccountEnv(t, db, false)
		lea := e.withPassword("lea@alpha.example", goodPassword)
		other := e.withPassword("max@alpha.example", goodPassword)
		b := newBrowser(t, e.base)
		planted := b.signIn(e.d.Sessions, auth.SubjectContact, auth.ContactSubject(other.ID), auth.LevelPassword)
		b.get("/account/signin")
		// The sign-in form is bound to the form cookie, not to a session.
		f := form("email", lea.Email, "password", goodPassword, "csrf", formToken(b.cookie(formCookie)))
		if resp, _ := b.post("/account/signin", f); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %d", resp.StatusCode)
		}
		after := b.cookie(auth.SessionCookieName)
		if after == "" || after == planted {
			t.Fatalf("the session cookie after sign-in is %q, the planted one %q", after, planted)
		}
		ctx := context.Background()
		if _, err := e.d.Sessions.Check(ctx, planted, e.clock.Now()); err == nil {
			t.Error("the planted session still works after the sign-in")
		}
		sess, err := e.d.Sessions.Check(ctx, after, e.clock.Now())
		if err != nil || sess.SubjectID != auth.ContactSubject(lea.ID) {
			t.Errorf("the new session: %+v %v", sess, err)
		}
	})
}

// After five failures on an account the sixth makes the next attempt
// wait, said in words and with 429; the right password waits too, and
// passes once the wait is over. An address failing on many accounts is
// held the same way.
func TestFailedSignInsAreThrottled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newAccountEnv(t, db, false)
		e.withPassword("lea@alpha.example", goodPassword)
		b := newBrowser(t, e.base)
		b.get("/account/signin?lang=en")
		bad := form("email", "lea@alpha.example", "password", "not the password at all")
		for i := 1; i <= 5; i++ {
			if resp, body := b.post("/account/signin", bad); resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "Try again") {
				t.Fatalf("failure %d: %d\n%s", i, resp.StatusCode, body)
			}
		}
		resp, body := b.post("/account/signin", bad)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" ||
			!strings.Contains(body, "Too many attempts in a short time. Try again in 1 s.") {
			t.Fatalf("the sixth failure: %d %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		good := form("email", "lea@alpha.example", "password", goodPassword)
		if resp, _ := b.post("/account/signin", good); resp.StatusCode != http.StatusTooManyRequests || signedIn(b) {
			t.Fatalf("the right password during the wait: %d", resp.StatusCode)
		}
		e.clock.Add(time.Second)
		if resp, _ := b.post("/account/signin", good); resp.StatusCode != http.StatusSeeOther || !signedIn(b) {
			t.Fatalf("the right password after the wait: %d", resp.StatusCode)
		}
		if !strings.Contains(strings.Join(e.auditLines(), "\n"), "sign-in |  | refused | 127.0.0.1 | throttled: asked to wait 1 s") {
			t.Errorf("the throttled attempt is not audited:\n%s", strings.Join(e.auditLines(), "\n"))
		}

		// One address guessing across accounts: 20 failures are free.
		e.clock.Add(time.Hour)
		b = newBrowser(t, e.base)
		b.get("/account/signin")
		for i := 1; i <= 21; i++ {
			resp, _ := b.post("/account/signin", form("email", "guess"+strconv.Itoa(i)+"@alpha.example", "password", "123456789012"))
			if want := map[bool]int{true: http.StatusTooManyRequests, false: http.StatusUnauthorized}[i == 21]; resp.StatusCode != want {
				t.Fatalf("guess %d from one address: %d, want %d", i, resp.StatusCode, want)
			}
		}
	})
}

// Asking for a sign-in or reset link answers the same for an address that
// is a contact's and one that is not, so that nobody learns who has an
// account; only the contact gets a mail. Asking too often is throttled
// alike.
func TestLinkRequestsTellNothingAboutAddresses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newAccountEnv(t, db, false)
		e.withPassword("lea@alpha.example", goodPassword)
		for _, path := range []string{"/account/magic", "/account/forgot"} {
			answers := map[string]string{}
			for _, email := range []string{"lea@alpha.example", "nobody@alpha.example"} {
				b := newBrowser(t, e.base)
				b.get("/account/signin?lang=en")
				resp, body := b.post(path, form("email", email))
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, "If this address belongs to an account") {
					t.Fatalf("%s for %s: %d\n%s", path, email, resp.StatusCode, body)
				}
				answers[email] = body
			}
			if answers["lea@alpha.example"] != answers["nobody@alpha.example"] {
				t.Errorf("%s answers a contact's address and another differently:\n%s\n---\n%s", path, answers["lea@alpha.example"], answers["nobody@alpha.example"])
			}
		}
		if n := len(e.mails("lea@alpha.example")); n != 3 { // the invitation, a sign-in link, a reset link
			t.Errorf("%d mails to the contact, want 3", n)
		}
		if n := len(e.mails("nobody@alpha.example")); n != 0 {
			t.Errorf("%d mails to an address that is no contact's", n)
		}
		// Each address has had two links asked for; five more are free, the
		// next one waits, for a contact's address as for another.
		codes := map[string][]int{}
		for _, email := range []string{"lea@alpha.example", "nobody@alpha.example"} {
			b := newBrowser(t, e.base)
			b.get("/account/signin?lang=en")
			for range 5 {
				resp, _ := b.post("/account/magic", form("email", email))
				codes[email] = append(codes[email], resp.StatusCode)
			}
		}
		want := []int{200, 200, 200, 200, 429}
		if !slices.Equal(codes["lea@alpha.example"], want) || !slices.Equal(codes["nobody@alpha.example"], want) {
			t.Errorf("links asked in a row: %v, want %v for both addresses", codes, want)
		}
	})
}
