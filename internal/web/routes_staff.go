package web

import (
	"net/http"

	"github.com/vigie/vigie/internal/auth"
)

// staffRoutes registers the staff's own routes: the audit log on the API,
// and the pages of signing in (password, then a TOTP code), security
// (two-step verification, sessions) and the audit log.
func (s *Server) staffRoutes(rt *router) {
	log := &auditLog{responder: s.responder, audit: s.d.Audit, now: s.d.Now}
	audit := needs(auth.PermAudit)
	rt.handle("GET /api/v1/audit", audit, classAPI, doc{summary: "The audit log, newest first, a page at a time: every staff action and sign-in, who, what, when and from where (format=csv: a spreadsheet-safe CSV file)",
		query: append([]string{"format: json (default) or csv"}, auditQuery...)}, log.needsAudit(log.listAudit))
	rt.handle("GET /api/v1/audit.csv", audit, classAPI, doc{summary: "The audit log as a CSV file, newest first, cells a spreadsheet would run as formulas defused",
		query: auditQuery}, log.needsAudit(log.exportAudit))
	if s.d.Sessions == nil || s.d.Throttle == nil {
		return // no sign-in without sessions and their throttle
	}
	h := &staff{Server: s, audits: log}
	next := []string{"next: the page to go to once signed in (a path of this site)"}
	signIn := append([]string{"lang: fr or en, remembered in a cookie"}, next...)
	rt.surface = "staff pages"
	rt.handle("GET /staff/signin", noCredential, classAPI, doc{summary: "The staff sign-in form (e-mail and password)", query: signIn}, h.showSignIn)
	rt.handle("POST /staff/signin", noCredential, classAPI, doc{summary: "Sign in as staff with e-mail and password; throttled per account and address, every attempt audited", query: signIn}, h.signIn)
	rt.handle("GET /staff/totp", staffPending, classAPI, doc{summary: "The second sign-in step: a TOTP code or a recovery code", query: next}, h.showTOTP)
	rt.handle("POST /staff/totp", staffPending, classAPI, doc{summary: "Check a TOTP or recovery code; the session moves to a new id at the password+TOTP level", query: next}, h.checkTOTP)
	rt.handle("GET /staff/totp/setup", staffPending, classAPI, doc{summary: "Start enrolling an authenticator app: its key as text and QR code", query: next}, h.showSetup)
	rt.handle("POST /staff/totp/setup", staffPending, classAPI, doc{summary: "Confirm the enrolment with a code; the recovery codes are shown once", query: next}, h.confirmSetup)
	rt.handle("POST /staff/signout", staffPending, classAPI, doc{summary: "Sign out of this browser"}, h.signOut)
	read := staffPage(auth.PermRead)
	dash := &dashboard{staff: h, live: newConsoleLive(s)}
	rt.handle("GET /staff", read, classAPI, doc{summary: "The console's landing: what happened since you last looked, in your zone, then open incidents, new signals, probe locations, compliance, stale backups, pending post-mortems, tickets waiting and this month's response times",
		query: []string{"window: 24h or 7d to read that instead of since your last look (which it does not move)"}}, dash.showDashboard)
	rt.handle("GET /staff/events", read, classLongPoll, doc{summary: "Server-sent events for open console pages: the console's version at each change (a minute per connection; browsers reconnect)"}, dash.live.streamConsole)
	rt.handle("GET /staff/security", read, classAPI, doc{summary: "Your two-step verification, recovery codes and sessions",
		query: []string{"done: what was just done (disabled, revoked, everywhere)", "n: how many sessions were signed out"}}, h.showSecurity)
	rt.handle("POST /staff/security/recovery-codes", read, classAPI, doc{summary: "Replace your recovery codes, confirmed by a TOTP code; shown once"}, h.renewCodes)
	rt.handle("POST /staff/security/totp/disable", read, classAPI, doc{summary: "Turn off your two-step verification, confirmed by a TOTP code (not for admins)"}, h.disableTOTP)
	rt.handle("POST /staff/security/sessions/{id}/revoke", read, classAPI, doc{summary: "Sign out one of your other sessions"}, h.revokeSession)
	rt.handle("POST /staff/security/signout-everywhere", read, classAPI, doc{summary: "Sign out every one of your sessions but this one"}, h.signOutEverywhere)
	pageQuery := append([]string{}, auditQuery...)
	rt.handle("GET /staff/audit", staffPage(auth.PermAudit), classAPI, doc{summary: "The audit log as a page: filters, a page at a time, a CSV link", query: pageQuery}, log.needsAudit(h.showAudit))
	rt.handle("GET /staff/audit.csv", staffPage(auth.PermAudit), classAPI, doc{summary: "The audit log as a CSV file, for a signed-in admin", query: pageQuery}, log.needsAudit(h.exportAuditPage))
	rt.surface = "staff"
}

// needsAudit answers 503 when the server keeps no audit log.
func (h *auditLog) needsAudit(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.audit == nil {
			h.fail(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "this server keeps no audit log"})
			return
		}
		next(w, r)
	}
}
