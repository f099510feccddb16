package web

import (
	"net/http"
	"strings"

	"github.com/vigie/vigie/internal/auth"
)

// accountPages are the customers' sign-in pages, their sessions, and the
// hand-off from the host's own customer panel.
type accountPages struct {
	*Server
}

// accountRoutes registers the staff API of customers' contacts and the
// customers' sign-in pages.
func (s *Server) accountRoutes(rt *router) {
	d := s.d
	if d.Accounts != nil {
		rt.surface = "staff"
		h := &contactsAPI{responder: s.responder, auth: d.Auth, inv: d.Inventory, mailer: d.Accounts}
		write := needs(auth.PermContacts)
		rt.handle("GET /api/v1/customers/{id}/contacts", needs(auth.PermRead), classAPI, doc{summary: "List a customer's contacts, the people who sign in to the customer area"}, h.listContacts)
		rt.handle("POST /api/v1/customers/{id}/contacts", write, classAPI, doc{summary: "Add a contact to a customer and mail them an invitation (good for 7 days); without an e-mail channel for customers nothing is created (409)", body: contactForm{}}, h.inviteContact)
		rt.handle("POST /api/v1/customers/{id}/contacts/{contact}/invite", write, classAPI, doc{summary: "Mail a contact (by id or e-mail) a new invitation; the older one stops working"}, h.reinviteContact)
		rt.handle("DELETE /api/v1/customers/{id}/contacts/{contact}", write, classAPI, doc{summary: "Remove a contact (by id or e-mail): their sessions and links end at once"}, h.removeContact)
	}
	if d.Sessions == nil || d.Accounts == nil {
		return
	}
	rt.surface = "account"
	h := &accountPages{Server: s}
	lang := "lang: fr or en, remembered in a cookie"
	rt.handle("GET /account/signin", noCredential, classAPI, doc{summary: "The customers' sign-in page: password, or a sign-in link by e-mail", query: []string{"next: the local path to land on", "out: 1 or all, after signing out", lang}}, h.showSignIn)
	rt.handle("POST /account/signin", noCredential, classAPI, doc{summary: "Sign a contact in with their e-mail address and password (throttled per address and client)"}, h.signIn)
	rt.handle("GET /account/magic", noCredential, classAPI, doc{summary: "The sign-in page, where the sign-in link form is (the language switch of the page after it lands here)", query: []string{lang}}, h.toSignIn)
	rt.handle("POST /account/magic", noCredential, classAPI, doc{summary: "Mail a sign-in link to a contact's address; the answer is the same for any address"}, h.sendMagic)
	rt.handle("GET /account/forgot", noCredential, classAPI, doc{summary: "The form asking for a password reset link", query: []string{lang}}, h.showForgot)
	rt.handle("POST /account/forgot", noCredential, classAPI, doc{summary: "Mail a password reset link to a contact's address; the answer is the same for any address"}, h.sendReset)
	rt.handle("GET /account/link/{token}", noCredential, classAPI, doc{summary: "What an e-mail link does (invitation, sign-in, reset), shown without spending it", query: []string{lang}}, h.showLink)
	rt.handle("POST /account/link/{token}", noCredential, classAPI, doc{summary: "Spend an e-mail link: set the password of an invitation or a reset, or sign in", query: []string{lang}}, h.useLink)
	rt.handle("POST /account/signout", customerArea, classAPI, doc{summary: "Sign this browser out"}, h.signOut)
	rt.handle("POST /account/signout-everywhere", customerArea, classAPI, doc{summary: "Sign the contact out of every browser, this one included"}, h.signOutEverywhere)
	rt.handle("GET /account/sessions", customerArea, classAPI, doc{summary: "The contact's signed-in browsers: device, address, last seen"}, h.showSessions)
	rt.handle("POST /account/sessions/{id}/revoke", customerArea, classAPI, doc{summary: "End one of the contact's sessions"}, h.revokeSession)
	rt.handle("GET /handoff", noCredential, classAPI, doc{summary: "Open a customer's session from a link signed by the host's own customer panel (404 without a configured secret)",
		query: []string{"customer: the customer's id", "ts: the link's Unix time", "nonce: 16 to 64 letters, digits, - or _, used once", "next: the local path to land on", "sig: hex HMAC-SHA256 of the fields", lang}}, h.handOff)
}

// title is a page's title in the reader's language.
func (h *accountPages) title(r *http.Request, id string) string {
	lang := pickLang(r, "")
	if v := viewerOf(r); v != nil {
		lang = v.Lang
	}
	return h.text(lang, id)
}

// contactActor names a contact, by the address given, in the audit log.
func contactActor(email string) string { return "contact:" + strings.ToLower(strings.TrimSpace(email)) }
