package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
)

// signInData is what the sign-in page shows.
type signInData struct {
	Email, Next string
	// Notice is a message id shown above the forms (signed out, an
	// expired form); Failed says the address and password did not match;
	// Wait, in seconds, that the next attempt must wait.
	Notice string
	Failed bool
	Wait   int
}

// showSignIn shows the sign-in forms: password, and a sign-in link.
func (h *accountPages) showSignIn(w http.ResponseWriter, r *http.Request) {
	d := signInData{Next: accountNext(r.URL.Query().Get("next"))}
	switch r.URL.Query().Get("out") {
	case "1":
		d.Notice = "AccountSignedOut"
	case "all":
		d.Notice = "AccountSignedOutEverywhere"
	}
	h.renderPage(w, r, http.StatusOK, "account_signin", h.title(r, "AccountSignInTitle"), d)
}

// toSignIn sends a GET of the sign-in link form's address, such as the
// language switch of the page after it, to the sign-in page.
func (h *accountPages) toSignIn(w http.ResponseWriter, r *http.Request) {
	to := "/account/signin"
	if lang := r.URL.Query().Get("lang"); lang == "fr" || lang == "en" {
		to += "?lang=" + lang
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// signIn checks a contact's address and password, throttled per address
// and per client: a wrong pair, an unknown address and a contact without
// a password all get the same answer.
func (h *accountPages) signIn(w http.ResponseWriter, r *http.Request) {
	// The form's token first: it caps the body before anything reads it.
	if !h.checkPreForm(w, r) {
		return
	}
	d := signInData{Email: strings.TrimSpace(r.PostFormValue("email")), Next: accountNext(r.PostFormValue("next"))}
	ctx, addr, now := r.Context(), h.addr(r), h.d.Now()
	actor := contactActor(d.Email)
	wait, err := h.d.Throttle.Allow(ctx, d.Email, addr, now)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	if wait > 0 {
		d.Wait = retryAfter(w, wait)
		h.auditAs(r, actor, "sign-in", "", false, fmt.Sprintf("throttled: asked to wait %d s", d.Wait))
		h.renderPage(w, r, http.StatusTooManyRequests, "account_signin", h.title(r, "AccountSignInTitle"), d)
		return
	}
	c, err := h.d.Auth.CheckContactPassword(ctx, d.Email, r.PostFormValue("password"))
	if errors.Is(err, auth.ErrUnauthorized) {
		h.signInFailed(w, r, d, actor)
		return
	}
	if err == nil {
		err = h.d.Throttle.Succeeded(ctx, d.Email)
	}
	if err == nil {
		err = h.startSession(w, r, auth.SubjectContact, auth.ContactSubject(c.ID), auth.LevelPassword)
	}
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	h.auditAs(r, actor, "sign-in", "customer "+c.Customer, true, "password")
	http.Redirect(w, r, orAccount(d.Next), http.StatusSeeOther)
}

// signInFailed counts a failed sign-in and says so, with the wait it
// brought on, if any (429 then).
func (h *accountPages) signInFailed(w http.ResponseWriter, r *http.Request, d signInData, actor string) {
	ctx, addr, now := r.Context(), h.addr(r), h.d.Now()
	h.auditAs(r, actor, "sign-in", "", false, "wrong address or password")
	if err := h.d.Throttle.Failed(ctx, d.Email, addr, now); err != nil {
		h.failPage(w, r, err)
		return
	}
	wait, err := h.d.Throttle.Allow(ctx, d.Email, addr, now)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	d.Failed, d.Wait = true, retryAfter(w, wait)
	code := http.StatusUnauthorized
	if wait > 0 {
		code = http.StatusTooManyRequests
	}
	h.renderPage(w, r, code, "account_signin", h.title(r, "AccountSignInTitle"), d)
}

// retryAfter returns a throttle's wait in whole seconds, rounded up, and
// sets Retry-After when there is one.
func retryAfter(w http.ResponseWriter, wait time.Duration) int {
	if wait <= 0 {
		return 0
	}
	n := waitSeconds(wait)
	w.Header().Set("Retry-After", strconv.Itoa(n))
	return n
}

// sentData is what the page after asking for a link shows.
type sentData struct {
	// Purpose is "magic" or "reset"; Email the address typed.
	Purpose, Email string
	Notice         string
	Wait           int
}

// showForgot shows the form asking for a password reset link.
func (h *accountPages) showForgot(w http.ResponseWriter, r *http.Request) {
	h.renderPage(w, r, http.StatusOK, "account_forgot", h.title(r, "AccountForgotTitle"), sentData{Purpose: string(auth.LinkReset)})
}

// sendMagic mails a sign-in link to the address, if it is a contact's.
func (h *accountPages) sendMagic(w http.ResponseWriter, r *http.Request) {
	h.sendLink(w, r, auth.LinkMagic)
}

// sendReset mails a password reset link to the address, if it is a
// contact's.
func (h *accountPages) sendReset(w http.ResponseWriter, r *http.Request) {
	h.sendLink(w, r, auth.LinkReset)
}

// sendLink answers the same page whatever the address, known or not, so
// that nobody learns from it who has an account. Requests are throttled
// per address asked for (a mailbox is not flooded) and per client, as
// sign-ins are, each one counting as a failure.
func (h *accountPages) sendLink(w http.ResponseWriter, r *http.Request, purpose auth.LinkPurpose) {
	if !h.checkPreForm(w, r) {
		return
	}
	d := sentData{Purpose: string(purpose), Email: strings.TrimSpace(r.PostFormValue("email"))}
	page, title := "account_forgot", "AccountForgotTitle"
	if purpose == auth.LinkMagic {
		page, title = "account_signin", "AccountSignInTitle"
	}
	ctx, addr, now := r.Context(), h.addr(r), h.d.Now()
	key := "link:" + d.Email
	wait, err := h.d.Throttle.Allow(ctx, key, addr, now)
	if err == nil && wait == 0 {
		err = h.d.Throttle.Failed(ctx, key, addr, now)
	}
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	if wait > 0 {
		d.Wait = retryAfter(w, wait)
		h.auditAs(r, contactActor(d.Email), "link."+string(purpose), "", false, "throttled")
		h.renderPage(w, r, http.StatusTooManyRequests, page, h.title(r, title), signInOr(purpose, d))
		return
	}
	h.mailLink(ctx, r, d.Email, purpose)
	h.renderPage(w, r, http.StatusOK, "account_sent", h.title(r, "AccountSentTitle"), d)
}

// signInOr is the data of the page a link request came from.
func signInOr(purpose auth.LinkPurpose, d sentData) any {
	if purpose == auth.LinkMagic {
		return signInData{Email: d.Email, Notice: d.Notice, Wait: d.Wait}
	}
	return d
}

// mailLink queues a link for the contact with this address, if any; what
// happens is audited and logged, never shown.
func (h *accountPages) mailLink(ctx context.Context, r *http.Request, email string, purpose auth.LinkPurpose) {
	actor, action := contactActor(email), "link."+string(purpose)
	c, err := h.d.Auth.ContactByEmail(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound) || errors.Is(err, auth.ErrInvalid):
		h.auditAs(r, actor, action, "", false, "no such contact")
		return
	case err == nil && c.Disabled:
		h.auditAs(r, actor, action, "", false, "the contact is disabled")
		return
	case err == nil:
		err = h.d.Accounts.Send(ctx, c, purpose)
	}
	if err != nil {
		h.d.Logger.Error("account: mail a link", "purpose", purpose, "contact", c.ID, "err", err)
		h.auditAs(r, actor, action, "", false, "the mail could not be queued: "+classify(err).Message)
		return
	}
	h.auditAs(r, actor, action, "", true, "link mailed")
}
