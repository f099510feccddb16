package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
)

// staffPassword is every test staff member's password.
const staffPassword = "a long enough password"

// staffSite is a whole web layer over db on loopback, with a clock the
// test moves.
type staffSite struct {
	d    Deps
	base string
	now  *time.Time
}

// newStaffSite serves the web layer over db with a clock the test moves,
// shared by sessions, throttle and audit log. It starts an hour after the
// real time (a session is refused when its user looks newer than it, and
// users are dated by the real clock); the tests count from there.
func newStaffSite(t *testing.T, db *store.DB) *staffSite {
	t.Helper()
	now := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	clock := fixedClock(&now)
	sessions := auth.NewSessions(db)
	sessions.Now = clock
	d := sessionDeps(t, db, Deps{Now: clock, Sessions: sessions, PublicName: "Hébergeur Test"}, "")
	return &staffSite{d: d, base: serveSessions(t, d, nil), now: &now}
}

// addStaff adds a staff member with staffPassword.
func (s *staffSite) addStaff(t *testing.T, email string, role auth.Role) auth.User {
	t.Helper()
	u, err := s.d.Auth.AddUser(context.Background(), email, role, staffPassword)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// enrol gives a staff member TOTP now and recovery codes, as the setup
// page would, and returns the secret and the codes.
func (s *staffSite) enrol(t *testing.T, email string) (string, []string) {
	t.Helper()
	ctx := context.Background()
	secret, _, err := s.d.Auth.BeginTOTP(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.d.Auth.ConfirmTOTP(ctx, email, s.code(t, secret), *s.now); err != nil {
		t.Fatal(err)
	}
	codes, err := s.d.Auth.NewRecoveryCodes(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	// The enrolment took the current step: move on to the next.
	s.tick(30 * time.Second)
	return secret, codes
}

// code is the TOTP code of secret at the site's time.
func (s *staffSite) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, *s.now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tick moves the site's clock on.
func (s *staffSite) tick(d time.Duration) { *s.now = s.now.Add(d) }

// audited returns the audit entries, oldest first.
func (s *staffSite) audited(t *testing.T) []auth.AuditEntry {
	t.Helper()
	all, err := s.d.Audit.List(context.Background(), auth.AuditFilter{Limit: auth.MaxAuditLimit})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]auth.AuditEntry, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		out = append(out, all[i])
	}
	return out
}

// signInForm opens the staff sign-in page and posts email and password
// with its form token, as a browser would.
func (b *browser) signInForm(email, password, next string) *http.Response {
	b.t.Helper()
	if resp, _ := b.get("/staff/signin"); resp.StatusCode != http.StatusOK {
		b.t.Fatalf("sign-in page: %d", resp.StatusCode)
	}
	resp, _ := b.post("/staff/signin", url.Values{"email": {email}, "password": {password}, "next": {next},
		"csrf": {formToken(b.cookie(formCookie))}})
	return resp
}

// secretShown is the TOTP key the setup page shows, without its spaces.
var secretShown = regexp.MustCompile(`<code class="staff-secret" id="secret">([A-Z2-7 ]+)</code>`)
