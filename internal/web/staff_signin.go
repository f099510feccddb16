package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
)

// staff serves the staff's pages: signing in, two-step verification,
// security and the audit log.
type staff struct {
	*Server
	audits *auditLog
}

// The pages of the second step.
const staffTOTPSetup = "/staff/totp/setup"

// signInView is what the sign-in and TOTP forms show.
type signInView struct {
	Email, Next string
	// Problem is the message id of what went wrong; Wait the seconds to
	// wait when throttled.
	Problem string
	Wait    int
}

// pageLang is the language of the request's page.
func (h *staff) pageLang(r *http.Request) string {
	if v := viewerOf(r); v != nil {
		return v.Lang
	}
	return pickLang(r, "")
}

// seeOther sends the browser on to path.
func seeOther(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// withNext is path with next added when it is not the staff home.
func withNext(path, next string) string {
	if next == staffHome || next == "" {
		return path
	}
	return path + "?next=" + url.QueryEscape(next)
}

func (h *staff) showSignIn(w http.ResponseWriter, r *http.Request) {
	view := signInView{Next: localNext(r.URL.Query().Get("next"))}
	h.renderPage(w, r, http.StatusOK, "staff_signin", h.text(h.pageLang(r), "StaffSigninTitle"), view)
}

// signIn checks an e-mail and password. Each attempt is throttled per
// account and address and recorded in the audit log with the address; a
// right password opens a session at the password level, which goes on to
// the TOTP step for those who have TOTP, and to enrolling for admins who
// have none yet.
func (h *staff) signIn(w http.ResponseWriter, r *http.Request) {
	if !h.checkPreForm(w, r) {
		return
	}
	ctx, now := r.Context(), h.d.Now()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	view := signInView{Email: email, Next: localNext(r.PostFormValue("next"))}
	title := h.text(h.pageLang(r), "StaffSigninTitle")
	addr := addrText(h.d.ClientAddr(r))
	if email == "" || password == "" {
		view.Problem = "StaffSigninMissing"
		h.renderPage(w, r, http.StatusUnprocessableEntity, "staff_signin", title, view)
		return
	}
	if wait, err := h.d.Throttle.Allow(ctx, email, addr, now); err != nil {
		h.failPage(w, r, fmt.Errorf("staff sign-in: %w", err))
		return
	} else if wait > 0 {
		view.Problem, view.Wait = "StaffThrottled", waitSeconds(wait)
		h.auditSignIn(r, email, false, fmt.Sprintf("refused unchecked: too many failures, %d s to wait", view.Wait))
		w.Header().Set("Retry-After", strconv.Itoa(view.Wait))
		h.renderPage(w, r, http.StatusTooManyRequests, "staff_signin", title, view)
		return
	}
	u, err := h.d.Auth.CheckPassword(ctx, email, password)
	if errors.Is(err, auth.ErrUnauthorized) {
		if err := h.d.Throttle.Failed(ctx, email, addr, now); err != nil {
			h.log.ErrorContext(ctx, "staff sign-in: count a failure", "err", err)
		}
		h.auditSignIn(r, email, false, "wrong e-mail or password")
		view.Problem = "StaffSigninWrong"
		h.renderPage(w, r, http.StatusUnauthorized, "staff_signin", title, view)
		return
	}
	if err != nil {
		h.failPage(w, r, fmt.Errorf("staff sign-in: %w", err))
		return
	}
	h.openStaffSession(w, r, u, view.Next)
}

// openStaffSession opens the session of a staff member whose password was
// right, at the password level, and sends them on: to the TOTP step when
// they have TOTP, to enrolling when their role needs it, else to next.
func (h *staff) openStaffSession(w http.ResponseWriter, r *http.Request, u auth.User, next string) {
	ctx := r.Context()
	hasTOTP, err := h.d.Auth.HasTOTP(ctx, u.Email)
	// The account's failures are forgotten only once the whole sign-in is
	// done: a password alone must not reset the count of wrong codes.
	if err == nil && !hasTOTP && !auth.TOTPRequired(u.Role) {
		err = h.d.Throttle.Succeeded(ctx, u.Email)
	}
	if err == nil {
		err = h.startSession(w, r, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPassword)
	}
	if err != nil {
		h.failPage(w, r, fmt.Errorf("staff sign-in of %s: %w", u.Email, err))
		return
	}
	switch {
	case hasTOTP:
		h.auditSignIn(r, u.Email, true, "password right; TOTP code asked next")
		seeOther(w, r, withNext(staffTOTP, next))
	case auth.TOTPRequired(u.Role):
		h.auditSignIn(r, u.Email, true, "password right; must set up TOTP first")
		seeOther(w, r, withNext(staffTOTPSetup, next))
	default:
		h.auditSignIn(r, u.Email, true, "password")
		seeOther(w, r, next)
	}
}

// waitSeconds rounds a wait up to whole seconds, at least one.
func waitSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// auditSignIn records a sign-in attempt under the address typed, which no
// session names yet.
func (h *staff) auditSignIn(r *http.Request, email string, ok bool, detail string) {
	if h.d.Audit == nil {
		return
	}
	e := auth.AuditEntry{Actor: email, Action: "sign-in", Addr: addrText(h.d.ClientAddr(r)), Detail: detail, OK: ok}
	// The entry is written even when the browser has gone.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), auditRecordTimeout)
	defer cancel()
	if err := h.d.Audit.Record(ctx, e); err != nil {
		h.log.ErrorContext(ctx, "audit log: cannot record a sign-in", "actor", email, "err", err)
	}
}

// secondStepDue reports whether a staff member must pass the TOTP step
// before their session opens anything: admins always, others once they
// have TOTP. When it cannot be told, it is due.
func (s *Server) secondStepDue(ctx context.Context, u auth.User) bool {
	if auth.TOTPRequired(u.Role) {
		return true
	}
	has, err := s.d.Auth.HasTOTP(ctx, u.Email)
	return has || err != nil
}

func (h *staff) showTOTP(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	next := localNext(r.URL.Query().Get("next"))
	if v.Session.AuthLevel == auth.LevelPasswordTOTP {
		seeOther(w, r, next)
		return
	}
	has, err := h.d.Auth.HasTOTP(r.Context(), v.User.Email)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	if !has {
		seeOther(w, r, withNext(staffTOTPSetup, next))
		return
	}
	h.renderPage(w, r, http.StatusOK, "staff_totp", h.text(v.Lang, "StaffTOTPTitle"), signInView{Next: next})
}

// checkTOTP takes the second step: a TOTP code (each taken once) or a
// recovery code (each good once), throttled as passwords are. It moves the
// session to a new id at the password+TOTP level.
func (h *staff) checkTOTP(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	ctx, now := r.Context(), h.d.Now()
	view := signInView{Next: localNext(r.PostFormValue("next"))}
	title := h.text(v.Lang, "StaffTOTPTitle")
	if v.Session.AuthLevel == auth.LevelPasswordTOTP {
		seeOther(w, r, view.Next)
		return
	}
	addr := addrText(h.d.ClientAddr(r))
	if wait, err := h.d.Throttle.Allow(ctx, v.User.Email, addr, now); err != nil {
		h.failPage(w, r, fmt.Errorf("staff totp step: %w", err))
		return
	} else if wait > 0 {
		view.Problem, view.Wait = "StaffThrottled", waitSeconds(wait)
		auditDetail(r, fmt.Sprintf("refused unchecked: too many failures, %d s to wait", view.Wait))
		w.Header().Set("Retry-After", strconv.Itoa(view.Wait))
		h.renderPage(w, r, http.StatusTooManyRequests, "staff_totp", title, view)
		return
	}
	how, err := checkSecondFactor(ctx, h.d.Auth, v.User.Email, r.PostFormValue("code"), now)
	if errors.Is(err, auth.ErrUnauthorized) {
		if err := h.d.Throttle.Failed(ctx, v.User.Email, addr, now); err != nil {
			h.log.ErrorContext(ctx, "staff totp step: count a failure", "err", err)
		}
		auditDetail(r, "wrong or used "+how.words())
		view.Problem = "StaffTOTPWrong"
		h.renderPage(w, r, http.StatusUnauthorized, "staff_totp", title, view)
		return
	}
	if err == nil {
		err = h.d.Throttle.Succeeded(ctx, v.User.Email)
	}
	if err == nil {
		err = h.rotateSession(w, r, auth.LevelPasswordTOTP)
	}
	if err != nil {
		h.failPage(w, r, fmt.Errorf("staff totp step of %s: %w", v.User.Email, err))
		return
	}
	auditDetail(r, "signed in with a "+how.words())
	seeOther(w, r, view.Next)
}

// signOut ends this browser's session.
func (h *staff) signOut(w http.ResponseWriter, r *http.Request) {
	if err := h.endSession(w, r); err != nil {
		h.failPage(w, r, fmt.Errorf("staff sign-out: %w", err))
		return
	}
	seeOther(w, r, staffSignIn)
}
