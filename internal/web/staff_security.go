package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/auth"
)

// roleText names roles on the pages.
var roleText = map[auth.Role]string{auth.RoleAdmin: "StaffRoleAdmin", auth.RoleStaff: "StaffRoleStaff", auth.RoleViewer: "StaffRoleViewer"}

// securityView is the security page.
type securityView struct {
	HasTOTP   bool
	CodesLeft int
	// MayDisable is false for roles that require TOTP.
	MayDisable bool
	Sessions   []sessionRow
	// Done is the message id of what was just done, Count its number;
	// Problem the message id of what went wrong.
	Done    string
	Count   int
	Problem string
	// NewCodes are recovery codes just made, shown this once.
	NewCodes []string
}

// sessionRow is one of the viewer's sessions.
type sessionRow struct {
	ID            string
	Started, Seen time.Time
	Addr, Browser string
	Level         string
	ThisOne       bool
}

// securityDone maps the done= of the page after an action to its message.
var securityDone = map[string]string{
	"disabled": "StaffDisabledDone", "revoked": "StaffSessionRevoked", "everywhere": "StaffSignedOutEverywhere",
}

func (h *staff) showSecurity(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	view := securityView{Done: securityDone[q.Get("done")]}
	view.Count, _ = strconv.Atoi(q.Get("n"))
	h.renderSecurity(w, r, http.StatusOK, view)
}

// renderSecurity fills in the viewer's state and shows the security page.
func (h *staff) renderSecurity(w http.ResponseWriter, r *http.Request, code int, view securityView) {
	v := viewerOf(r)
	ctx := r.Context()
	var err error
	if view.HasTOTP, err = h.d.Auth.HasTOTP(ctx, v.User.Email); err == nil {
		view.CodesLeft, err = h.d.Auth.RecoveryCodesLeft(ctx, v.User.Email)
	}
	var list []auth.Session
	if err == nil {
		list, err = h.d.Sessions.List(ctx, auth.SubjectStaff, auth.StaffSubject(v.User.ID))
	}
	if err != nil {
		h.failPage(w, r, fmt.Errorf("security page of %s: %w", v.User.Email, err))
		return
	}
	view.MayDisable = !auth.TOTPRequired(v.User.Role)
	for _, s := range list {
		level := "StaffLevelPassword"
		if s.AuthLevel == auth.LevelPasswordTOTP {
			level = "StaffLevelTOTP"
		}
		view.Sessions = append(view.Sessions, sessionRow{ID: s.ID, Started: s.CreatedAt, Seen: s.LastSeenAt,
			Addr: s.Addr, Browser: s.UserAgent, Level: level, ThisOne: s.ID == v.Session.ID})
	}
	h.renderPage(w, r, code, "staff_security", h.text(v.Lang, "StaffSecurityTitle"), view)
}

// confirmTOTP checks the code typed to confirm a security change, throttled
// as sign-ins are; on a wrong code it shows the page again and returns
// false.
func (h *staff) confirmTOTP(w http.ResponseWriter, r *http.Request) bool {
	v := viewerOf(r)
	ctx, now := r.Context(), h.d.Now()
	addr := addrText(h.d.ClientAddr(r))
	wait, err := h.d.Throttle.Allow(ctx, v.User.Email, addr, now)
	if err != nil {
		h.failPage(w, r, fmt.Errorf("confirm with totp: %w", err))
		return false
	}
	if wait > 0 {
		auditDetail(r, "refused unchecked: too many failures")
		w.Header().Set("Retry-After", strconv.Itoa(waitSeconds(wait)))
		h.renderSecurity(w, r, http.StatusTooManyRequests, securityView{Problem: "StaffThrottled", Count: waitSeconds(wait)})
		return false
	}
	err = h.d.Auth.VerifyTOTP(ctx, v.User.Email, r.PostFormValue("code"), now)
	if errors.Is(err, auth.ErrUnauthorized) {
		if err := h.d.Throttle.Failed(ctx, v.User.Email, addr, now); err != nil {
			h.log.ErrorContext(ctx, "confirm with totp: count a failure", "err", err)
		}
		auditDetail(r, "wrong or used TOTP code")
		h.renderSecurity(w, r, http.StatusUnprocessableEntity, securityView{Problem: "StaffTOTPWrong"})
		return false
	}
	if err != nil {
		h.failPage(w, r, fmt.Errorf("confirm with totp: %w", err))
		return false
	}
	return true
}

// renewCodes replaces the viewer's recovery codes, confirmed by a TOTP
// code, and shows the new ones once.
func (h *staff) renewCodes(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if !h.confirmTOTP(w, r) {
		return
	}
	codes, err := h.d.Auth.NewRecoveryCodes(r.Context(), v.User.Email)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	auditDetail(r, "new recovery codes")
	h.renderPage(w, r, http.StatusOK, "staff_codes", h.text(v.Lang, "StaffCodesTitle"), codesView{Codes: codes, Next: "/staff/security"})
}

// disableTOTP turns off the viewer's two-step verification, confirmed by a
// TOTP code; roles that require it may not.
func (h *staff) disableTOTP(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if auth.TOTPRequired(v.User.Role) {
		auditDetail(r, "refused: the role requires TOTP")
		h.renderSecurity(w, r, http.StatusForbidden, securityView{Problem: "StaffDisableAdmins"})
		return
	}
	if !h.confirmTOTP(w, r) {
		return
	}
	if err := h.d.Auth.DisableTOTP(r.Context(), v.User.Email); err != nil {
		h.failPage(w, r, err)
		return
	}
	auditDetail(r, "two-step verification turned off")
	seeOther(w, r, "/staff/security?done=disabled")
}

// revokeSession ends another of the viewer's sessions.
func (h *staff) revokeSession(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if err := h.d.Sessions.Revoke(r.Context(), auth.SubjectStaff, auth.StaffSubject(v.User.ID), r.PathValue("id")); err != nil {
		h.failPage(w, r, err)
		return
	}
	seeOther(w, r, "/staff/security?done=revoked")
}

// signOutEverywhere ends every session of the viewer's but this one.
func (h *staff) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	n, err := h.d.Sessions.EndAll(r.Context(), auth.SubjectStaff, auth.StaffSubject(v.User.ID), v.Token)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	auditDetail(r, fmt.Sprintf("%d other sessions ended", n))
	seeOther(w, r, "/staff/security?done=everywhere&n="+strconv.FormatInt(n, 10))
}
