package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
)

// setupView is what the enrolment page shows.
type setupView struct {
	// Key is the otpauth:// URL, posted back only to show the same key
	// again after a mistyped code; Secret the key grouped for typing; QR
	// its QR code as a data: URI.
	Key, Secret string
	QR          template.URL
	// Required says the role needs TOTP before anything else.
	Required bool
	Next     string
	Problem  string
}

// codesView is the page showing new recovery codes, once.
type codesView struct {
	Codes []string
	Next  string
}

// mayEnrol reports whether the viewer may set up a (new) authenticator
// app: someone who has one must have used it in this session first, or a
// stolen password would be enough to replace it.
func (h *staff) mayEnrol(w http.ResponseWriter, r *http.Request, next string) bool {
	v := viewerOf(r)
	if v.Session.AuthLevel == auth.LevelPasswordTOTP {
		return true
	}
	has, err := h.d.Auth.HasTOTP(r.Context(), v.User.Email)
	if err != nil {
		h.failPage(w, r, err)
		return false
	}
	if has {
		seeOther(w, r, withNext(staffTOTP, next))
		return false
	}
	return true
}

// showSetup starts an enrolment: a new pending key, shown as text and QR
// code. The active key, if any, keeps working until a code confirms the
// new one.
func (h *staff) showSetup(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	next := localNext(r.URL.Query().Get("next"))
	if !h.mayEnrol(w, r, next) {
		return
	}
	_, key, err := h.d.Auth.BeginTOTPWithIssuer(r.Context(), v.User.Email, h.d.PublicName)
	if err != nil {
		h.failPage(w, r, fmt.Errorf("begin totp enrolment: %w", err))
		return
	}
	h.renderSetup(w, r, http.StatusOK, setupView{Key: key, Next: next})
}

// renderSetup shows the enrolment page for view.Key.
func (h *staff) renderSetup(w http.ResponseWriter, r *http.Request, code int, view setupView) {
	v := viewerOf(r)
	qr, err := totpQR(view.Key)
	if err != nil {
		h.failPage(w, r, fmt.Errorf("totp enrolment page: %w", err))
		return
	}
	view.QR = qr
	view.Secret = groupSecret(otpSecret(view.Key))
	has, err := h.d.Auth.HasTOTP(r.Context(), v.User.Email)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	view.Required = auth.TOTPRequired(v.User.Role) && !has
	h.renderPage(w, r, code, "staff_setup", h.text(v.Lang, "StaffSetupTitle"), view)
}

// confirmSetup activates the pending key with a code it shows, gives new
// recovery codes (shown once) and moves the session to a new id at the
// password+TOTP level.
func (h *staff) confirmSetup(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	ctx := r.Context()
	next := localNext(r.PostFormValue("next"))
	if !h.mayEnrol(w, r, next) {
		return
	}
	err := h.d.Auth.ConfirmTOTP(ctx, v.User.Email, r.PostFormValue("code"), h.d.Now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Nothing pending (enrolled meanwhile, or a reload): start again.
		seeOther(w, r, withNext(staffTOTPSetup, next))
		return
	case errors.Is(err, auth.ErrInvalid):
		auditDetail(r, "wrong code")
		key := r.PostFormValue("key")
		if _, qrErr := totpQR(key); qrErr != nil {
			seeOther(w, r, withNext(staffTOTPSetup, next))
			return
		}
		h.renderSetup(w, r, http.StatusUnprocessableEntity, setupView{Key: key, Next: next, Problem: "StaffSetupWrong"})
		return
	case err != nil:
		h.failPage(w, r, fmt.Errorf("confirm totp enrolment: %w", err))
		return
	}
	codes, err := h.d.Auth.NewRecoveryCodes(ctx, v.User.Email)
	if err == nil {
		err = h.rotateSession(w, r, auth.LevelPasswordTOTP)
	}
	if err != nil {
		h.failPage(w, r, fmt.Errorf("finish totp enrolment of %s: %w", v.User.Email, err))
		return
	}
	auditDetail(r, "two-step verification turned on, new recovery codes")
	h.renderPage(w, r, http.StatusOK, "staff_codes", h.text(v.Lang, "StaffCodesTitle"), codesView{Codes: codes, Next: next})
}

// otpSecret is the secret of an otpauth:// URL already checked by totpQR.
func otpSecret(key string) string {
	k, err := otpKey(key)
	if err != nil {
		return ""
	}
	return k.Secret()
}
