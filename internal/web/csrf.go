package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"strings"
)

// formCookie carries the secret that the forms of pages shown before
// sign-in are bound to (the sign-in form itself).
const formCookie = "vigie_form"

// formToken is the token the forms of a session carry: a MAC of the
// session's secret, which only the browser holding the cookie knows, so
// no other site can make one.
func formToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("vigie-form-v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// errBadForm is the answer to a form without a valid token.
var errBadForm = &Error{Status: http.StatusForbidden,
	Message: "this form has expired or did not come from this site: go back, reload the page and send it again"}

// sameOrigin refuses unsafe requests that a browser says come from another
// site (Sec-Fetch-Site, Origin), as http.CrossOriginProtection does.
func (s *Server) sameOrigin(next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.failPage(w, r, &Error{Status: http.StatusForbidden, Message: "cross-origin request refused: this form must be sent from this site's own pages"})
	}))
	return p.Handler(next)
}

// checkForm caps the body of an unsafe request, reads its form and checks
// its token against secret; it answers and returns false when it fails.
func (s *Server) checkForm(w http.ResponseWriter, r *http.Request, a access, secret string) bool {
	limit := a.maxBody
	if limit <= 0 {
		limit = defaultFormBody
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		if err := parseForm(r, limit); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.failPage(w, r, &Error{Status: http.StatusRequestEntityTooLarge, Message: "what you sent is too large"})
				return false
			}
			s.failPage(w, r, &Error{Status: http.StatusBadRequest, Message: "the form could not be read: " + err.Error()})
			return false
		}
		got = r.PostFormValue("csrf")
	}
	if secret == "" || !hmac.Equal([]byte(got), []byte(formToken(secret))) {
		s.failPage(w, r, errBadForm)
		return false
	}
	return true
}

// parseForm reads a URL-encoded or multipart body of at most limit bytes.
func parseForm(r *http.Request, limit int64) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		return r.ParseMultipartForm(limit)
	}
	return r.ParseForm()
}

// preForm returns the form token of a page shown before sign-in, setting
// the cookie it is bound to when the browser has none yet.
func (s *Server) preForm(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(formCookie); err == nil && c.Value != "" {
		return formToken(c.Value)
	}
	for _, line := range w.Header().Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(line, formCookie+"="); ok {
			v, _, _ = strings.Cut(v, ";")
			return formToken(v)
		}
	}
	secret := rand.Text()
	http.SetCookie(w, &http.Cookie{Name: formCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: 24 * 3600})
	return formToken(secret)
}

// checkPreForm checks an unsafe request to a page before sign-in: from
// this site, with the token of its form cookie. It answers and returns
// false when it fails.
func (s *Server) checkPreForm(w http.ResponseWriter, r *http.Request) bool {
	if err := http.NewCrossOriginProtection().Check(r); err != nil {
		s.failPage(w, r, &Error{Status: http.StatusForbidden, Message: "cross-origin request refused: this form must be sent from this site's own pages"})
		return false
	}
	secret := ""
	if c, err := r.Cookie(formCookie); err == nil {
		secret = c.Value
	}
	return s.checkForm(w, r, access{}, secret)
}
