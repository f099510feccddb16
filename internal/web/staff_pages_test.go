package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestAdminsMustEnrolBeforeAnythingElse: an admin without TOTP is signed in
// at the password level but sent to enrol before any page; a wrong code
// shows the same key again; the right one turns TOTP on, shows ten
// recovery codes once and moves the session to a new id.
func TestAdminsMustEnrolBeforeAnythingElse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newStaffSite(t, db)
		site.addStaff(t, "root@host.example", auth.RoleAdmin)
		b := newBrowser(t, site.base)
		resp := b.signInForm("root@host.example", staffPassword, "/staff/audit")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/totp/setup?next=%2Fstaff%2Faudit" {
			t.Fatalf("admin without TOTP: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		for path, want := range map[string]string{"/staff/audit": "/staff/totp?next=%2Fstaff%2Faudit", "/staff/totp": "/staff/totp/setup"} {
			if resp, _ := b.get(path); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
				t.Errorf("GET %s before enrolling: %d %q, want %s", path, resp.StatusCode, resp.Header.Get("Location"), want)
			}
		}
		resp, page := b.get("/staff/totp/setup?next=/staff/audit")
		m := secretShown.FindStringSubmatch(page)
		if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(page, `src="data:image/png;base64,`) ||
			!strings.Contains(page, `class="card warn"`) {
			t.Fatalf("setup page: %d\n%s", resp.StatusCode, page)
		}
		secret := strings.ReplaceAll(m[1], " ", "")
		key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(page)[1]
		form := url.Values{"code": {"123456"}, "next": {"/staff/audit"}, "key": {strings.ReplaceAll(key, "&amp;", "&")}}
		if resp, page := b.post("/staff/totp/setup", form); resp.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(page, m[1]) {
			t.Fatalf("wrong code: %d, the same key shown again: %v", resp.StatusCode, strings.Contains(page, m[1]))
		}
		before := b.cookie(auth.SessionCookieName)
		code, err := totp.GenerateCode(secret, *site.now)
		if err != nil {
			t.Fatal(err)
		}
		form.Set("code", code)
		resp, page = b.post("/staff/totp/setup", form)
		codes := regexp.MustCompile(`<li><code>([0-9a-z]{5}-[0-9a-z]{5})</code></li>`).FindAllStringSubmatch(page, -1)
		if resp.StatusCode != http.StatusOK || len(codes) != auth.RecoveryCodeCount || !strings.Contains(page, `href="/staff/audit"`) {
			t.Fatalf("confirmed: %d, %d codes\n%s", resp.StatusCode, len(codes), page)
		}
		after := b.cookie(auth.SessionCookieName)
		if after == before {
			t.Fatal("the session kept its id when its level rose")
		}
		if sess, err := site.d.Sessions.Check(ctx, after, *site.now); err != nil || sess.AuthLevel != auth.LevelPasswordTOTP {
			t.Fatalf("session after enrolling: %+v %v", sess, err)
		}
		if resp, _ := b.get("/staff/audit"); resp.StatusCode != http.StatusOK {
			t.Fatalf("audit log after enrolling: %d", resp.StatusCode)
		}
		// A recovery code shown works as a second step.
		if err := site.d.Auth.UseRecoveryCode(ctx, "root@host.example", codes[0][1]); err != nil {
			t.Fatalf("a recovery code shown: %v", err)
		}
	})
}

// TestStaffFormsRefuseForgedPosts: without the form token, with another's,
// or from another site, a staff form changes nothing; a refusal by the
// token is audited as failed, under the session's owner.
func TestStaffFormsRefuseForgedPosts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newStaffSite(t, db)
		u := site.addStaff(t, "sam@host.example", auth.RoleStaff)
		other := newBrowser(t, site.base)
		otherToken := other.signIn(site.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPassword)
		b := newBrowser(t, site.base)
		b.signIn(site.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPassword)
		forged := map[string]url.Values{"no token": {"csrf": {""}}, "another's token": {"csrf": {formToken(otherToken)}}}
		for name, form := range forged {
			if resp, _ := b.post("/staff/security/signout-everywhere", form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", name, resp.StatusCode)
			}
		}
		req, _ := http.NewRequest(http.MethodPost, site.base+"/staff/security/signout-everywhere", strings.NewReader("csrf="+b.csrf()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		if resp, _ := b.do(req); resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site: %d, want 403", resp.StatusCode)
		}
		if _, err := site.d.Sessions.Check(ctx, otherToken, *site.now); err != nil {
			t.Fatalf("a forged post signed the other browser out: %v", err)
		}
		// The sign-in form, cross-site or without its token.
		anon := newBrowser(t, site.base)
		anon.get("/staff/signin")
		req, _ = http.NewRequest(http.MethodPost, site.base+"/staff/signin", strings.NewReader(url.Values{"email": {"sam@host.example"},
			"password": {staffPassword}, "csrf": {formToken(anon.cookie(formCookie))}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if resp, _ := anon.do(req); resp.StatusCode != http.StatusForbidden || anon.cookie(auth.SessionCookieName) != "" {
			t.Errorf("cross-site sign-in: %d", resp.StatusCode)
		}
		if resp, _ := anon.post("/staff/signin", url.Values{"email": {"sam@host.example"}, "password": {staffPassword}, "csrf": {"x"}}); resp.StatusCode != http.StatusForbidden ||
			anon.cookie(auth.SessionCookieName) != "" {
			t.Errorf("sign-in without the form's token: %d", resp.StatusCode)
		}
		var refused int
		for _, e := range site.audited(t) {
			if e.Action != "POST /staff/security/signout-everywhere" || e.Actor != "sam@host.example" || e.OK {
				t.Errorf("unexpected entry %+v", e)
			}
			refused++
		}
		if refused != len(forged) {
			t.Fatalf("%d refusals audited, want %d (those by token; a cross-site post names nobody)", refused, len(forged))
		}
	})
}

// TestTheSecurityPage lists a staff member's sessions, signs one out,
// signs out everywhere else, renews recovery codes and turns TOTP off with
// a code; an admin may not turn it off. Each change is audited once.
func TestTheSecurityPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newStaffSite(t, db)
		u := site.addStaff(t, "sam@host.example", auth.RoleStaff)
		secret, _ := site.enrol(t, "sam@host.example")
		var others []string
		for range 3 {
			others = append(others, newBrowser(t, site.base).signIn(site.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPasswordTOTP))
		}
		b := newBrowser(t, site.base)
		b.signIn(site.d.Sessions, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPasswordTOTP)
		resp, page := b.get("/staff/security")
		revoke := regexp.MustCompile(`action="/staff/security/sessions/([^/"]+)/revoke"`).FindAllStringSubmatch(page, -1)
		if resp.StatusCode != http.StatusOK || len(revoke) != 3 || !strings.Contains(page, "staff-this") {
			t.Fatalf("security page: %d, %d sessions to revoke\n%s", resp.StatusCode, len(revoke), page)
		}
		if resp, _ := b.post("/staff/security/sessions/"+revoke[0][1]+"/revoke", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		if resp, _ := b.post("/staff/security/sessions/nope/revoke", nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("revoke an unknown session: %d", resp.StatusCode)
		}
		resp, _ = b.post("/staff/security/signout-everywhere", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/security?done=everywhere&n=2" {
			t.Fatalf("sign out everywhere: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		for _, tok := range others {
			if _, err := site.d.Sessions.Check(ctx, tok, *site.now); err == nil {
				t.Error("another session survived")
			}
		}
		if _, page := b.get(resp.Header.Get("Location")); !strings.Contains(page, "2 other sessions signed out") &&
			!strings.Contains(page, "2 autres sessions déconnectées") {
			t.Errorf("no word of the sessions signed out:\n%s", page)
		}
		resp, page = b.post("/staff/security/recovery-codes", url.Values{"code": {site.code(t, secret)}})
		if codes := regexp.MustCompile(`<li><code>[0-9a-z-]{11}</code></li>`).FindAllString(page, -1); resp.StatusCode != http.StatusOK ||
			len(codes) != auth.RecoveryCodeCount {
			t.Fatalf("renew recovery codes: %d, %d codes", resp.StatusCode, len(codes))
		}
		if resp, _ := b.post("/staff/security/totp/disable", url.Values{"code": {site.code(t, secret)}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("turn off with a used code: %d", resp.StatusCode)
		}
		site.tick(30 * time.Second)
		if resp, _ := b.post("/staff/security/totp/disable", url.Values{"code": {site.code(t, secret)}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("turn off: %d", resp.StatusCode)
		}
		if has, _ := site.d.Auth.HasTOTP(ctx, "sam@host.example"); has {
			t.Fatal("TOTP still on")
		}
		var actions []string
		for _, e := range site.audited(t) {
			actions = append(actions, e.Action+map[bool]string{true: "", false: " (refused)"}[e.OK])
		}
		want := []string{"POST /staff/security/sessions/{id}/revoke", "POST /staff/security/sessions/{id}/revoke (refused)",
			"POST /staff/security/signout-everywhere", "POST /staff/security/recovery-codes",
			"POST /staff/security/totp/disable (refused)", "POST /staff/security/totp/disable"}
		if strings.Join(actions, "|") != strings.Join(want, "|") {
			t.Fatalf("audited:\n%q\nwant\n%q", actions, want)
		}
	})
}

// TestAdminsMayNotTurnTOTPOff: the form is refused, TOTP stays on.
func TestAdminsMayNotTurnTOTPOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newStaffSite(t, db)
		admin := site.addStaff(t, "root@host.example", auth.RoleAdmin)
		adminSecret, _ := site.enrol(t, "root@host.example")
		a := newBrowser(t, site.base)
		a.signIn(site.d.Sessions, auth.SubjectStaff, auth.StaffSubject(admin.ID), auth.LevelPasswordTOTP)
		if resp, _ := a.post("/staff/security/totp/disable", url.Values{"code": {site.code(t, adminSecret)}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("an admin turns TOTP off: %d", resp.StatusCode)
		}
		if has, _ := site.d.Auth.HasTOTP(ctx, "root@host.example"); !has {
			t.Fatal("the admin's TOTP is off")
		}
	})
}

// TestTheAuditLogPage shows admins the log with its filter, a page at a
// time, and its CSV; other roles get 403.
func TestTheAuditLogPage(t *testing.T) {
	site := newStaffSite(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	admin := site.addStaff(t, "root@host.example", auth.RoleAdmin)
	viewer := site.addStaff(t, "vic@host.example", auth.RoleViewer)
	for i := range auth.DefaultAuditLimit + 5 {
		actor := "ana@host.example"
		if i%2 == 1 {
			actor = "=evil()"
		}
		if err := site.d.Audit.Record(ctx, auth.AuditEntry{Actor: actor, Action: "sign-in", Addr: "192.0.2.9", OK: i%3 != 0}); err != nil {
			t.Fatal(err)
		}
	}
	v := newBrowser(t, site.base)
	v.signIn(site.d.Sessions, auth.SubjectStaff, auth.StaffSubject(viewer.ID), auth.LevelPassword)
	for _, path := range []string{"/staff/audit", "/staff/audit.csv"} {
		if resp, body := v.get(path); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "192.0.2.9") {
			t.Errorf("a viewer reads %s: %d", path, resp.StatusCode)
		}
	}
	b := newBrowser(t, site.base)
	b.signIn(site.d.Sessions, auth.SubjectStaff, auth.StaffSubject(admin.ID), auth.LevelPasswordTOTP)
	resp, page := b.get("/staff/audit?lang=en")
	rows := strings.Count(page, "<td class=\"staff-nowrap\">")
	next := regexp.MustCompile(`<a href="(/staff/audit\?after_id=\d+)">Older entries`).FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || rows != auth.DefaultAuditLimit || next == nil || !strings.Contains(page, `href="/staff/audit.csv"`) {
		t.Fatalf("first page: %d, %d rows, next %v", resp.StatusCode, rows, next)
	}
	if _, page := b.get(next[1]); strings.Count(page, "<td class=\"staff-nowrap\">") != 5 || strings.Contains(page, "Older entries") {
		t.Fatalf("second page: %d rows", strings.Count(page, "<td class=\"staff-nowrap\">"))
	}
	resp, page = b.get("/staff/audit?actor=ana%40host.example")
	if resp.StatusCode != http.StatusOK || strings.Contains(page, "=evil()") || !strings.Contains(page, `href="/staff/audit.csv?actor=ana%40host.example"`) {
		t.Fatalf("filtered: %d", resp.StatusCode)
	}
	if resp, page := b.get("/staff/audit?since=yesterday"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "since: want") {
		t.Fatalf("bad filter: %d", resp.StatusCode)
	}
	resp, body := b.get("/staff/audit.csv?actor=%3Devil()")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if resp.StatusCode != http.StatusOK || err != nil || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") ||
		len(recs) != 1+(auth.DefaultAuditLimit+5)/2 || recs[1][2] != "'=evil()" {
		t.Fatalf("CSV: %d %v %q, %d rows", resp.StatusCode, err, resp.Header.Get("Content-Disposition"), len(recs))
	}
}
