package web

import (
	"context"
	"errors"
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
	d := signInData{Next: localNext(r.URL.Query().Get("next"))}
	switch r.URL.Query().Get("out") {
	case "1":
		d.Notice = "AccountSignedOut"
	case "all":
		d.Notice = "AccountSignedOutEverywhere"
	}
	h.preForm(w, r)
	h.renderPage(w, r, http.StatusOK, "account_signin", h.title(r, "AccountSignInTitle"), d)
}

// signIn checks a contact's address and password, throttled per address
// and per client: a wrong pair, an unknown address and a contact without
// a password all get the same answer.
func (h *accountPages) signIn(w http.ResponseWriter, r *http.Request) {
	d := signInData{Email: strings.TrimSpace(r.PostFormValue("email")), Next: localNext(r.PostFormValue("next"))}
	if !h.checkPreForm(r) {
		d.Notice = "AccountFormExpired"
		h.formExpired(w, r, "account_signin", "AccountSignInTitle", d)
		return
	}
	ctx, addr, now := r.Context(), h.addr(r), h.d.Now()
	target := "contact " + strings.ToLower(d.Email)
	wait, err := h.d.Throttle.Allow(ctx, d.Email, addr, now)
	if err != nil {
		h.pageFail(w, r, err)
		return
	}
	if wait > 0 {
		h.audit(r, "sign-in", target, false, "throttled: asked to wait "+seconds(wait)+" s")
		d.Wait = waitSeconds(w, wait)
		h.renderPage(w, r, http.StatusTooManyRequests, "account_signin", h.title(r, "AccountSignInTitle"), d)
		return
	}
	c, err := h.d.Auth.CheckContactPassword(ctx, d.Email, r.PostFormValue("password"))
	if errors.Is(err, auth.ErrUnauthorized) {
		h.signInFailed(w, r, d, target)
		return
	}
	if err == nil {
		err = h.d.Throttle.Succeeded(ctx, d.Email)
	}
	if err == nil {
		err = h.startSession(w, r, auth.SubjectContact, auth.ContactSubject(c.ID), auth.LevelPassword)
	}
	if err != nil {
		h.pageFail(w, r, err)
		return
	}
	h.audit(r, "sign-in", target, true, "password")
	http.Redirect(w, r, orAccount(d.Next), http.StatusSeeOther)
}

// signInFailed counts a failed sign-in and says so, with the wait it
// brought on, if any (429 then).
func (h *accountPages) signInFailed(w http.ResponseWriter, r *http.Request, d signInData, target string) {
	ctx, addr, now := r.Context(), h.addr(r), h.d.Now()
	h.audit(r, "sign-in", target, false, "wrong address or password")
	if err := h.d.Throttle.Failed(ctx, d.Email, addr, now); err != nil {
		h.pageFail(w, r, err)
		return
	}
	wait, err := h.d.Throttle.Allow(ctx, d.Email, addr, now)
	if err != nil {
		h.pageFail(w, r, err)
		return
	}
	d.Failed, d.Wait = true, waitSeconds(w, wait)
	code := http.StatusUnauthorized
	if wait > 0 {
		code = http.StatusTooManyRequests
	}
	h.preForm(w, r)
	h.renderPage(w, r, code, "account_signin", h.title(r, "AccountSignInTitle"), d)
}

// waitSeconds returns a throttle's wait in whole seconds, rounded up, and
// sets Retry-After when there is one.
func waitSeconds(w http.ResponseWriter, wait time.Duration) int {
	if wait <= 0 {
		return 0
	}
	n := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(n))
	return n
}

func seconds(d time.Duration) string { return strconv.Itoa(int((d + time.Second - 1) / time.Second)) }

// sentData is what the page after asking for a link shows.
type sentData struct {
	// Purpose is "magic" or "reset"; Email the address typed.
	Purpose, Email string
	Notice         string
	Wait           int
}

// showForgot shows the form asking for a password reset link.
func (h *accountPages) showForgot(w http.ResponseWriter, r *http.Request) {
	h.preForm(w, r)
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
	d := sentData{Purpose: string(purpose), Email: strings.TrimSpace(r.PostFormValue("email"))}
	page, title := "account_forgot", "AccountForgotTitle"
	if purpose == auth.LinkMagic {
		page, title = "account_signin", "AccountSignInTitle"
	}
	if !h.checkPreForm(r) {
		d.Notice = "AccountFormExpired"
		h.formExpired(w, r, page, title, signInOr(purpose, d))
		return
	}
	ctx, addr, now := r.Context(), h.addr(r), h.d.Now()
	key := "link:" + d.Email
	wait, err := h.d.Throttle.Allow(ctx, key, addr, now)
	if err == nil && wait == 0 {
		err = h.d.Throttle.Failed(ctx, key, addr, now)
	}
	if err != nil {
		h.pageFail(w, r, err)
		return
	}
	if wait > 0 {
		d.Wait = waitSeconds(w, wait)
		h.audit(r, "link."+string(purpose), "contact "+strings.ToLower(d.Email), false, "throttled")
		h.preForm(w, r)
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
	action, target := "link."+string(purpose), "contact "+strings.ToLower(email)
	c, err := h.d.Auth.ContactByEmail(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound) || errors.Is(err, auth.ErrInvalid):
		h.audit(r, action, target, false, "no such contact")
		return
	case err == nil && c.Disabled:
		h.audit(r, action, target, false, "the contact is disabled")
		return
	case err == nil:
		err = h.accounts.Send(ctx, c, purpose)
	}
	if err != nil {
		h.d.Logger.Error("account: mail a link", "purpose", purpose, "contact", c.ID, "err", err)
		h.audit(r, action, target, false, "the mail could not be queued: "+classify(err).Message)
		return
	}
	h.audit(r, action, target, true, "link mailed")
}
