package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/vigie/vigie/internal/auth"
)

// linkData is what the page of an e-mail link shows: what the link does,
// for whom, until when, and the form that spends it.
type linkData struct {
	Purpose string
	Email   string
	// Until is when the link expires, in the contact's zone.
	Until string
	// Problem is a message id about the passwords typed.
	Problem string
	Notice  string
}

// showLink says what a link does without spending it: mail scanners and
// link previews fetch every link of a mail, and must not use it up before
// its reader clicks. The form on the page spends it.
func (h *accountPages) showLink(w http.ResponseWriter, r *http.Request) {
	info, err := h.d.Auth.PeekLink(r.Context(), r.PathValue("token"), h.d.Now())
	if err != nil {
		h.linkRefused(w, r, err)
		return
	}
	h.renderLink(w, r, http.StatusOK, info, linkData{})
}

func (h *accountPages) renderLink(w http.ResponseWriter, r *http.Request, code int, info auth.LinkInfo, d linkData) {
	d.Purpose, d.Email = string(info.Purpose), info.Contact.Email
	d.Until = pageLocale{b: h.d.Texts, lang: pickLang(r, info.Contact.Lang), zone: loadZone(info.Contact.Zone)}.when(info.Expires)
	title := map[auth.LinkPurpose]string{auth.LinkInvite: "AccountInviteTitle", auth.LinkReset: "AccountResetTitle",
		auth.LinkMagic: "AccountMagicLinkTitle"}[info.Purpose]
	// The token is in the address: no cache may keep the page.
	w.Header().Set("Cache-Control", "no-store")
	h.renderPage(w, r, code, "account_link", h.title(r, title), d)
}

// useLink spends a link: an invitation or a reset sets the password typed
// twice, then signs in (a reset ends every other session); a sign-in link
// signs in. Passwords are checked before the link is spent, so that a typo
// does not cost the link.
func (h *accountPages) useLink(w http.ResponseWriter, r *http.Request) {
	ctx, token := r.Context(), r.PathValue("token")
	info, err := h.d.Auth.PeekLink(ctx, token, h.d.Now())
	if err != nil {
		h.linkRefused(w, r, err)
		return
	}
	if !h.checkPreForm(w, r) {
		return
	}
	password := r.PostFormValue("password")
	if info.Purpose != auth.LinkMagic {
		if problem := passwordProblem(password, r.PostFormValue("confirm")); problem != "" {
			h.renderLink(w, r, http.StatusUnprocessableEntity, info, linkData{Problem: problem})
			return
		}
	}
	c, err := h.d.Auth.UseLink(ctx, token, info.Purpose, h.d.Now())
	if err != nil {
		h.linkRefused(w, r, err)
		return
	}
	level := auth.LevelMagicLink
	if info.Purpose != auth.LinkMagic {
		level = auth.LevelPassword
		// This ends every session of the contact, and their reset links.
		err = h.d.Auth.SetContactPassword(ctx, c.ID, password)
	}
	if err == nil {
		err = h.startSession(w, r, auth.SubjectContact, auth.ContactSubject(c.ID), level)
	}
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	h.auditAs(r, contactActor(c.Email), "sign-in", "customer "+c.Customer, true, string(info.Purpose)+" link")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// passwordProblem returns the message id of what is wrong with a new
// password typed twice, or "".
func passwordProblem(password, confirm string) string {
	switch {
	case utf8.RuneCountInString(password) < auth.MinPasswordLength:
		return "AccountPasswordTooShort"
	case password != confirm:
		return "AccountPasswordMismatch"
	}
	return ""
}

// linkProblem is the page of a link that cannot be used.
type linkProblem struct {
	Title, Body string
}

// linkRefused says, in plain words, why a link cannot be used: expired
// (410), used (410) or unknown (404), with a way to a new one.
func (h *accountPages) linkRefused(w http.ResponseWriter, r *http.Request, err error) {
	p, code := linkProblem{"AccountLinkUnknownTitle", "AccountLinkUnknown"}, http.StatusNotFound
	switch {
	case errors.Is(err, auth.ErrLinkExpired):
		p, code = linkProblem{"AccountLinkExpiredTitle", "AccountLinkExpired"}, http.StatusGone
	case errors.Is(err, auth.ErrLinkUsed):
		p, code = linkProblem{"AccountLinkUsedTitle", "AccountLinkUsed"}, http.StatusGone
	case !errors.Is(err, auth.ErrUnauthorized):
		h.failPage(w, r, err)
		return
	}
	h.d.Logger.Debug("account: link refused", "err", err)
	w.Header().Set("Cache-Control", "no-store")
	h.renderPage(w, r, code, "account_link_problem", h.title(r, p.Title), p)
}

// accountNext returns next when it is a path of this server, "" otherwise:
// a sign-in never sends its browser to another site.
func accountNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\\\r\n\t") || len(next) > 500 {
		return ""
	}
	return next
}

// orAccount is next, or the customer area's first page.
func orAccount(next string) string {
	if next == "" {
		return "/account"
	}
	return next
}
