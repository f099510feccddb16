package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// A contact sees their signed-in browsers, ends one, signs out, and signs
// out everywhere; another contact's sessions are none of theirs.
func TestAContactManagesTheirSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newAccountEnv(t, db, false)
		c := e.withPassword("lea@alpha.example", goodPassword)
		max := e.withPassword("max@alpha.example", goodPassword)
		subject := auth.ContactSubject(c.ID)
		laptop, phone, tablet := newBrowser(t, e.base), newBrowser(t, e.base), newBrowser(t, e.base)
		for _, b := range []*browser{laptop, phone, tablet} {
			b.get("/account/signin")
			if resp, _ := b.post("/account/signin", form("email", c.Email, "password", goodPassword, "csrf", formToken(b.cookie(formCookie)))); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign in: %d", resp.StatusCode)
			}
		}
		maxBrowser := newBrowser(t, e.base)
		maxToken := maxBrowser.signIn(e.d.Sessions, auth.SubjectContact, auth.ContactSubject(max.ID), auth.LevelPassword)
		resp, body := laptop.get("/account/sessions?lang=en")
		if resp.StatusCode != http.StatusOK || strings.Count(body, "/revoke") != 3 || strings.Count(body, "(this device)") != 1 {
			t.Fatalf("the sessions page: %d\n%s", resp.StatusCode, body)
		}
		list, err := e.d.Sessions.List(t.Context(), auth.SubjectContact, subject)
		if err != nil || len(list) != 3 {
			t.Fatalf("sessions: %v %v", list, err)
		}
		maxSessions, _ := e.d.Sessions.List(t.Context(), auth.SubjectContact, auth.ContactSubject(max.ID))
		// Another contact's session cannot be ended from here.
		if resp, _ := laptop.post("/account/sessions/"+maxSessions[0].ID+"/revoke", nil); resp.StatusCode != http.StatusNotFound || !signedIn(maxBrowser) {
			t.Errorf("ending another contact's session: %d", resp.StatusCode)
		}
		phoneSess, err := e.d.Sessions.Check(t.Context(), phone.cookie(auth.SessionCookieName), e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := laptop.post("/account/sessions/"+phoneSess.ID+"/revoke", nil); resp.StatusCode != http.StatusSeeOther || signedIn(phone) || !signedIn(laptop) {
			t.Fatalf("ending the phone's session: %d", resp.StatusCode)
		}
		resp, _ = tablet.post("/account/signout", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/signin?out=1" || signedIn(tablet) || !signedIn(laptop) {
			t.Fatalf("signing the tablet out: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		// Everywhere: the laptop again, and a fourth browser.
		desk := newBrowser(t, e.base)
		desk.signIn(e.d.Sessions, auth.SubjectContact, subject, auth.LevelPassword)
		resp, _ = laptop.post("/account/signout-everywhere", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/signin?out=all" || signedIn(laptop) || signedIn(desk) {
			t.Fatalf("signing out everywhere: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, err := e.d.Sessions.Check(t.Context(), maxToken, e.clock.Now()); err != nil {
			t.Errorf("signing out everywhere ended another contact's session: %v", err)
		}
		if _, body := laptop.get("/account/signin?out=all&lang=en"); !strings.Contains(body, "You are signed out on all your devices.") {
			t.Errorf("the page after signing out everywhere:\n%s", body)
		}
		lines := strings.Join(e.auditLines(), "\n")
		for _, want := range []string{"contact:lea@alpha.example | session.revoke | session " + phoneSess.ID + " | ok",
			"contact:lea@alpha.example | sign-out |  | ok", "contact:lea@alpha.example | sign-out-everywhere |  | ok | 127.0.0.1 | sessions ended: 2"} {
			if !strings.Contains(lines, want) {
				t.Errorf("no audit line %q:\n%s", want, lines)
			}
		}
	})
}
