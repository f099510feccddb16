package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestStaffSignInIsThrottledAndAudited: after five failures each attempt
// waits, refused with 429 and the wait in words even with the right
// password, and every attempt is in the audit log with its address.
func TestStaffSignInIsThrottledAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site := newStaffSite(t, db)
		site.addStaff(t, "sam@host.example", auth.RoleStaff)
		b := newBrowser(t, site.base)
		for i := range 6 {
			resp := b.signInForm("Sam@Host.example", "not the password", "")
			if resp.StatusCode != http.StatusUnauthorized || b.cookie(auth.SessionCookieName) != "" {
				t.Fatalf("wrong password %d: %d", i+1, resp.StatusCode)
			}
		}
		b.get("/staff/signin")
		resp, page := b.post("/staff/signin", url.Values{"email": {"sam@host.example"}, "password": {staffPassword},
			"csrf": {formToken(b.cookie(formCookie))}})
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" ||
			!strings.Contains(page, "try again in 1 s") && !strings.Contains(page, "réessayez dans 1 s") ||
			b.cookie(auth.SessionCookieName) != "" {
			t.Fatalf("right password while throttled: %d %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), page)
		}
		site.tick(time.Second)
		if resp := b.signInForm("sam@host.example", staffPassword, "/staff/security"); resp.StatusCode != http.StatusSeeOther ||
			resp.Header.Get("Location") != "/staff/security" || b.cookie(auth.SessionCookieName) == "" {
			t.Fatalf("right password after the wait: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := b.get("/staff/security"); resp.StatusCode != http.StatusOK {
			t.Fatalf("signed in, security page: %d", resp.StatusCode)
		}
		var got []string
		for _, e := range site.audited(t) {
			if e.Action != "sign-in" || e.Actor != "sam@host.example" || e.Addr != "127.0.0.1" {
				t.Errorf("unexpected entry %+v", e)
			}
			got = append(got, map[bool]string{true: "ok", false: "failed"}[e.OK])
		}
		want := "failed failed failed failed failed failed failed ok"
		if strings.Join(got, " ") != want {
			t.Fatalf("sign-in attempts audited: %v, want %s", got, want)
		}
	})
}

// TestStaffSignInWithTOTP signs in with a password and then a TOTP code:
// the session gets a new id at each step (no fixation), a LevelPassword
// session opens nothing but the second step, which refuses a wrong code.
func TestStaffSignInWithTOTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newStaffSite(t, db)
		site.addStaff(t, "sam@host.example", auth.RoleStaff)
		secret, _ := site.enrol(t, "sam@host.example")
		b := newBrowser(t, site.base)
		planted := b.signIn(site.d.Sessions, auth.SubjectCustomer, "C1", auth.LevelHandOff)

		resp := b.signInForm("sam@host.example", staffPassword, "/staff/security")
		password := b.cookie(auth.SessionCookieName)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/totp?next=%2Fstaff%2Fsecurity" ||
			password == "" || password == planted {
			t.Fatalf("password step: %d %q, session %q (planted %q)", resp.StatusCode, resp.Header.Get("Location"), password, planted)
		}
		if _, err := site.d.Sessions.Check(ctx, planted, *site.now); err == nil {
			t.Fatal("the planted session survived the sign-in")
		}
		for _, path := range []string{"/staff", "/staff/security", "/staff/totp/setup"} {
			resp, _ := b.get(path)
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/staff/totp" && !strings.HasPrefix(loc, "/staff/totp?next=") {
				t.Errorf("%s at the password level: %d %q, want the TOTP step", path, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		if resp, page := b.post("/staff/totp", url.Values{"code": {"000000"}, "next": {"/staff/security"}}); resp.StatusCode != http.StatusUnauthorized ||
			!strings.Contains(page, `role="alert"`) {
			t.Fatalf("wrong code: %d", resp.StatusCode)
		}
		code := site.code(t, secret)
		resp, _ = b.post("/staff/totp", url.Values{"code": {code}, "next": {"/staff/security"}})
		full := b.cookie(auth.SessionCookieName)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/security" || full == password || full == "" {
			t.Fatalf("TOTP step: %d %q, session %q after %q", resp.StatusCode, resp.Header.Get("Location"), full, password)
		}
		if sess, err := site.d.Sessions.Check(ctx, full, *site.now); err != nil || sess.AuthLevel != auth.LevelPasswordTOTP {
			t.Fatalf("session after the TOTP step: %+v %v", sess, err)
		}
		if _, err := site.d.Sessions.Check(ctx, password, *site.now); err == nil {
			t.Fatal("the password-level session survived the TOTP step")
		}
		if resp, _ := b.get("/staff/security"); resp.StatusCode != http.StatusOK {
			t.Fatalf("security page after the TOTP step: %d", resp.StatusCode)
		}
	})
}

// TestTOTPAndRecoveryCodesWorkOnce signs in again and again: a TOTP code
// is refused the second time within its 30 s, a recovery code the second
// time at all; each step is audited with what was typed, never the code.
func TestTOTPAndRecoveryCodesWorkOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site := newStaffSite(t, db)
		site.addStaff(t, "sam@host.example", auth.RoleStaff)
		secret, codes := site.enrol(t, "sam@host.example")
		b := newBrowser(t, site.base)
		again := func(code string) int {
			t.Helper()
			b.post("/staff/signout", nil)
			if resp := b.signInForm("sam@host.example", staffPassword, ""); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("password again: %d", resp.StatusCode)
			}
			resp, _ := b.post("/staff/totp", url.Values{"code": {code}})
			return resp.StatusCode
		}
		code := site.code(t, secret)
		if got := again("000000"); got != http.StatusUnauthorized {
			t.Fatalf("a wrong code: %d, want 401", got)
		}
		if got := again(code); got != http.StatusSeeOther {
			t.Fatalf("a TOTP code: %d, want 303", got)
		}
		if got := again(code); got != http.StatusUnauthorized {
			t.Fatalf("the same TOTP code twice: %d, want 401", got)
		}
		if got := again(codes[3]); got != http.StatusSeeOther {
			t.Fatalf("a recovery code: %d, want 303", got)
		}
		if got := again(codes[3]); got != http.StatusUnauthorized {
			t.Fatalf("the same recovery code twice: %d, want 401", got)
		}
		if left, _ := site.d.Auth.RecoveryCodesLeft(context.Background(), "sam@host.example"); left != auth.RecoveryCodeCount-1 {
			t.Fatalf("recovery codes left: %d", left)
		}
		var steps []string
		for _, e := range site.audited(t) {
			if e.Action == "POST /staff/totp" && e.Actor == "sam@host.example" {
				if strings.Contains(e.Detail, code) || strings.Contains(e.Detail, codes[3]) {
					t.Errorf("a code in the audit log: %+v", e)
				}
				steps = append(steps, map[bool]string{true: "ok", false: "failed"}[e.OK]+": "+e.Detail)
			}
		}
		want := []string{"failed: wrong or used TOTP code", "ok: signed in with a TOTP code", "failed: wrong or used TOTP code",
			"ok: signed in with a recovery code", "failed: wrong or used recovery code"}
		if strings.Join(steps, "|") != strings.Join(want, "|") {
			t.Fatalf("TOTP steps audited:\n%q\nwant\n%q", steps, want)
		}
	})
}

// TestAPasswordDoesNotResetTheCountOfWrongCodes: whoever knows the
// password cannot sign in again between bursts of TOTP guesses to start
// the count over; the sixth wrong code waits whatever happened between.
func TestAPasswordDoesNotResetTheCountOfWrongCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site := newStaffSite(t, db)
		site.addStaff(t, "sam@host.example", auth.RoleStaff)
		site.enrol(t, "sam@host.example")
		b := newBrowser(t, site.base)
		for i := range 5 {
			// The password first, and again mid-way.
			if i == 0 || i == 3 {
				if resp := b.signInForm("sam@host.example", staffPassword, ""); resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("password before code %d: %d", i+1, resp.StatusCode)
				}
			}
			if resp, _ := b.post("/staff/totp", url.Values{"code": {"000000"}}); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong code %d: %d", i+1, resp.StatusCode)
			}
		}
		if resp, _ := b.post("/staff/totp", url.Values{"code": {"000000"}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("sixth wrong code: %d", resp.StatusCode)
		}
		if resp, _ := b.post("/staff/totp", url.Values{"code": {"000000"}}); resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("seventh code, the password typed again in between: %d, want 429", resp.StatusCode)
		}
	})
}
