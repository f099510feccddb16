package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// An invitation's link shows what it does without spending it, however
// often it is fetched; a typo in the password costs nothing; the good
// form spends it, sets the password and signs in; a second use is refused
// in plain words.
func TestAnInvitationLinkSetsThePasswordOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newAccountEnv(t, db, false)
		c := e.invite("C1", "lea@alpha.example", "fr")
		link := e.lastLink(c.Email)
		b := newBrowser(t, e.base)
		for range 2 { // a mail scanner, then the reader
			resp, body := b.get(link + "?lang=fr")
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Choisissez le mot de passe de lea@alpha.example") ||
				!strings.Contains(body, "Lien valable jusqu&#39;au 14 déc. 2026, 04:00 (Montreal, UTC-5), une seule fois.") {
				t.Fatalf("the invitation's page: %d\n%s", resp.StatusCode, body)
			}
		}
		if signedIn(b) {
			t.Fatal("showing the invitation signed in")
		}
		for _, bad := range []struct{ password, confirm, says string }{
			{"short", "short", "au moins 12 caractères"},
			{goodPassword, goodPassword + "!", "ne sont pas identiques"},
		} {
			resp, body := b.post(link+"?lang=fr", form("password", bad.password, "confirm", bad.confirm, "csrf", formToken(b.cookie(formCookie))))
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, bad.says) {
				t.Fatalf("password %q/%q: %d\n%s", bad.password, bad.confirm, resp.StatusCode, body)
			}
		}
		resp, _ := b.post(link, form("password", goodPassword, "confirm", goodPassword, "csrf", formToken(b.cookie(formCookie))))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" || !signedIn(b) {
			t.Fatalf("the invitation used: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if got, err := e.d.Auth.CheckContactPassword(context.Background(), c.Email, goodPassword); err != nil || got.ActivatedAt == nil {
			t.Errorf("after the invitation: %+v %v", got, err)
		}
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			other := newBrowser(t, e.base)
			var (
				resp *http.Response
				body string
			)
			if method == http.MethodGet {
				resp, body = other.get(link + "?lang=en")
			} else {
				other.get("/account/signin")
				resp, body = other.post(link+"?lang=en", form("password", goodPassword+"2", "confirm", goodPassword+"2", "csrf", formToken(other.cookie(formCookie))))
			}
			if resp.StatusCode != http.StatusGone || !strings.Contains(body, "This link was already used") ||
				!strings.Contains(body, `href="/account/signin"`) || signedIn(other) {
				t.Errorf("%s of a used invitation: %d\n%s", method, resp.StatusCode, body)
			}
		}
	})
}

// A sign-in link past its 15 minutes and an unknown link are each a page
// saying so, with the way to a new link; neither signs in.
func TestExpiredAndUnknownLinksSaySo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newAccountEnv(t, db, false)
		e.withPassword("lea@alpha.example", goodPassword)
		b := newBrowser(t, e.base)
		b.get("/account/signin?lang=en")
		b.post("/account/magic", form("email", "lea@alpha.example"))
		link := e.lastLink("lea@alpha.example")
		if resp, body := b.get(link); resp.StatusCode != http.StatusOK || !strings.Contains(body, "This link signs you in as lea@alpha.example") {
			t.Fatalf("the sign-in link: %d\n%s", resp.StatusCode, body)
		}
		e.clock.Add(15 * time.Minute)
		resp, body := b.get(link)
		if resp.StatusCode != http.StatusGone || !strings.Contains(body, "This link has expired") || !strings.Contains(body, "Get a new link") {
			t.Fatalf("an expired link: %d\n%s", resp.StatusCode, body)
		}
		if resp, _ := b.post(link, form("csrf", formToken(b.cookie(formCookie)))); resp.StatusCode != http.StatusGone || signedIn(b) {
			t.Fatalf("an expired link posted: %d", resp.StatusCode)
		}
		resp, body = b.get("/account/link/vcl_nothing_here")
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "This link is not valid") {
			t.Fatalf("an unknown link: %d\n%s", resp.StatusCode, body)
		}
	})
}

// A sign-in link signs in at the magic-link level.
func TestASignInLinkSignsIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newAccountEnv(t, db, false)
		c := e.invite("C1", "lea@alpha.example", "en")
		b := newBrowser(t, e.base)
		b.get("/account/signin")
		b.post("/account/magic", form("email", c.Email))
		resp, _ := b.post(e.lastLink(c.Email), form("csrf", formToken(b.cookie(formCookie))))
		if resp.StatusCode != http.StatusSeeOther || !signedIn(b) {
			t.Fatalf("the sign-in link used: %d", resp.StatusCode)
		}
		sess, err := e.d.Sessions.Check(context.Background(), b.cookie(auth.SessionCookieName), e.clock.Now())
		if err != nil || sess.AuthLevel != auth.LevelMagicLink || sess.SubjectID != auth.ContactSubject(c.ID) {
			t.Fatalf("the session of a sign-in link: %+v %v", sess, err)
		}
	})
}

// A reset sets a new password, signs in, and ends every other session of
// the contact: the old password and the other browsers no longer work.
func TestAResetEndsEveryOtherSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newAccountEnv(t, db, false)
		c := e.withPassword("lea@alpha.example", goodPassword)
		laptop := newBrowser(t, e.base)
		laptop.signIn(e.d.Sessions, auth.SubjectContact, auth.ContactSubject(c.ID), auth.LevelPassword)
		phone := newBrowser(t, e.base)
		phone.get("/account/forgot?lang=en")
		if resp, body := phone.post("/account/forgot", form("email", c.Email)); resp.StatusCode != http.StatusOK ||
			!strings.Contains(body, "a link to choose a new password has just been sent") {
			t.Fatalf("asking for a reset: %d\n%s", resp.StatusCode, body)
		}
		link := e.lastLink(c.Email)
		if _, body := phone.get(link + "?lang=en"); !strings.Contains(body, "Choose a new password for lea@alpha.example") {
			t.Fatalf("the reset page:\n%s", body)
		}
		const newPassword = "a brand new passphrase"
		resp, _ := phone.post(link, form("password", newPassword, "confirm", newPassword, "csrf", formToken(phone.cookie(formCookie))))
		if resp.StatusCode != http.StatusSeeOther || !signedIn(phone) {
			t.Fatalf("the reset: %d", resp.StatusCode)
		}
		if signedIn(laptop) {
			t.Error("the other browser is still signed in after the reset")
		}
		ctx := context.Background()
		if _, err := e.d.Auth.CheckContactPassword(ctx, c.Email, goodPassword); err == nil {
			t.Error("the old password still works")
		}
		if _, err := e.d.Auth.CheckContactPassword(ctx, c.Email, newPassword); err != nil {
			t.Errorf("the new password: %v", err)
		}
	})
}

// The forms before sign-in refuse a post from another site and one
// without the form token, and spend nothing.
func TestSignInFormsRefuseForgedPosts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newAccountEnv(t, db, false)
		c := e.withPassword("lea@alpha.example", goodPassword)
		e.invite("C2", "max@beta.example", "en")
		link := e.lastLink("max@beta.example")
		posts := map[string]map[string]string{
			"/account/signin": {"email": c.Email, "password": goodPassword},
			"/account/magic":  {"email": c.Email},
			"/account/forgot": {"email": c.Email},
			link:              {"password": goodPassword, "confirm": goodPassword},
		}
		mailsBefore := len(e.mails(c.Email))
		for path, fields := range posts {
			b := newBrowser(t, e.base)
			b.get("/account/signin")
			f := form()
			for k, v := range fields {
				f.Set(k, v)
			}
			// Without the token.
			f.Set("csrf", "")
			if resp, _ := b.post(path, f); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s without the form token: %d, want 403", path, resp.StatusCode)
			}
			// With the token, from another site.
			f.Set("csrf", formToken(b.cookie(formCookie)))
			req, _ := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "https://evil.example")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			if resp, _ := b.do(req); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s from another site: %d, want 403", path, resp.StatusCode)
			}
			if signedIn(b) {
				t.Errorf("%s signed in on a forged post", path)
			}
		}
		if n := len(e.mails(c.Email)); n != mailsBefore {
			t.Errorf("forged posts sent %d mails", n-mailsBefore)
		}
		if _, err := e.d.Auth.PeekLink(context.Background(), link[len("/account/link/"):], e.clock.Now()); err != nil {
			t.Errorf("a forged post spent the invitation: %v", err)
		}
	})
}
