package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
)

// accountSessionRow is one signed-in device on the sessions page.
type accountSessionRow struct {
	ID                  string
	Browser, System     string
	Addr                string
	Started, LastSeenAt time.Time
	Current             bool
}

// sessionsData is what the sessions page shows; HandOff is set for a
// session opened by the host's panel, which has no list of its own.
type sessionsData struct {
	Sessions []accountSessionRow
	HandOff  bool
}

// showSessions lists the contact's signed-in devices, with a way to end
// each, and to end them all.
func (h *accountPages) showSessions(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	d := sessionsData{HandOff: v.Contact == nil}
	if v.Contact != nil {
		list, err := h.d.Sessions.List(r.Context(), auth.SubjectContact, auth.ContactSubject(v.Contact.ID))
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		for _, s := range list {
			browser, system := describeAgent(s.UserAgent)
			d.Sessions = append(d.Sessions, accountSessionRow{ID: s.ID, Browser: browser, System: system, Addr: s.Addr,
				Started: s.CreatedAt, LastSeenAt: s.LastSeenAt, Current: s.ID == v.Session.ID})
		}
	}
	h.renderPage(w, r, http.StatusOK, "account_sessions", h.title(r, "AccountSessionsTitle"), d)
}

// revokeSession ends one of the contact's sessions; ending the current
// one signs out.
func (h *accountPages) revokeSession(w http.ResponseWriter, r *http.Request) {
	v, id := viewerOf(r), r.PathValue("id")
	if v.Contact == nil {
		h.failPage(w, r, &Error{Status: http.StatusForbidden, Message: "a session opened by the host's panel has no sessions to end"})
		return
	}
	if id == v.Session.ID {
		h.signOut(w, r)
		return
	}
	err := h.d.Sessions.Revoke(r.Context(), auth.SubjectContact, auth.ContactSubject(v.Contact.ID), id)
	if errors.Is(err, store.ErrNotFound) {
		err = &Error{Status: http.StatusNotFound, Message: "no such session of yours: it may have ended already", Err: err}
	}
	if err != nil {
		h.audit(r, "session.revoke", "session "+id, false, classify(err).Message)
		h.failPage(w, r, err)
		return
	}
	h.audit(r, "session.revoke", "session "+id, true, "")
	http.Redirect(w, r, "/account/sessions", http.StatusSeeOther)
}

// signOut ends this browser's session.
func (h *accountPages) signOut(w http.ResponseWriter, r *http.Request) {
	if err := h.endSession(w, r); err != nil {
		h.failPage(w, r, err)
		return
	}
	h.audit(r, "sign-out", "", true, "")
	http.Redirect(w, r, "/account/signin?out=1", http.StatusSeeOther)
}

// signOutEverywhere ends every session of the contact, this one included.
// A hand-off session, shared by nobody, just ends.
func (h *accountPages) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if v.Contact != nil {
		n, err := h.d.Sessions.EndAll(r.Context(), auth.SubjectContact, auth.ContactSubject(v.Contact.ID), "")
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		h.audit(r, "sign-out-everywhere", "", true, fmt.Sprintf("sessions ended: %d", n))
	}
	if err := h.endSession(w, r); err != nil {
		h.failPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/signin?out=all", http.StatusSeeOther)
}

// describeAgent tells a browser and its system from a User-Agent header,
// roughly, for people to recognise their devices; "" when unknown.
func describeAgent(ua string) (browser, system string) {
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chromium/", "Chromium"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"}, {"curl/", "curl"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, s := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	return browser, system
}
