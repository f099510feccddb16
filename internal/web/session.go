package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
)

// The paths a browser without a session is sent to.
const (
	customerSignIn = "/account/signin"
	staffSignIn    = "/staff/signin"
	staffTOTP      = "/staff/totp"
)

// defaultFormBody caps the body of a form posted to a session route.
const defaultFormBody = 64 << 10

var (
	// customerArea is the access of the customer's area: a contact signed
	// in, or a session opened by the host's panel for the customer.
	customerArea = access{who: customerSession}
	// staffPending lets a staff member through whatever their session's
	// level: the pages that raise it (TOTP) and sign out.
	staffPending = access{who: staffSession, pending: true}
)

// staffPage is the access of a staff page that needs perm.
func staffPage(perm auth.Permission) access { return access{who: staffSession, perm: perm} }

// withBody is a with a larger cap on the body of its forms (uploads).
func (a access) withBody(n int64) access {
	a.maxBody = n
	return a
}

// viewer is who a request on a session route acts as.
type viewer struct {
	Session auth.Session
	// Token is the session cookie's value, to rotate or end it.
	Token string
	// Customer is the customer of a customer session; Contact the contact
	// signed in (nil for a session opened by the host's panel).
	Customer inventory.Customer
	Contact  *auth.Contact
	// User and Principal are the staff member of a staff session.
	User      auth.User
	Principal auth.Principal
	// Lang is "fr" or "en"; Zone the zone times are shown in.
	Lang string
	Zone *time.Location
	// CSRF is the form token of this session.
	CSRF string
}

// Staff reports whether the viewer is a staff member.
func (v *viewer) Staff() bool { return v != nil && v.Session.SubjectKind == auth.SubjectStaff }

// Can reports whether a staff viewer's role allows perm.
func (v *viewer) Can(perm string) bool { return v.Staff() && v.Principal.Can(auth.Permission(perm)) }

// Name is how the page header names the viewer.
func (v *viewer) Name() string {
	switch {
	case v == nil:
		return ""
	case v.Staff():
		return v.User.Email
	case v.Contact != nil:
		if v.Contact.Name != "" {
			return v.Contact.Name
		}
		return v.Contact.Email
	}
	return v.Customer.Name
}

const viewerKey ctxKey = 100

// viewerOf returns the viewer of a session route's request (nil on other
// routes).
func viewerOf(r *http.Request) *viewer {
	v, _ := r.Context().Value(viewerKey).(*viewer)
	return v
}

// sessionToken is the session cookie's value, or "".
func sessionToken(r *http.Request) string {
	c, err := r.Cookie(auth.SessionCookieName)
	if err != nil {
		return ""
	}
	return c.Value
}

// errNoSession means the request has no live session; errOtherKind that
// its session is of the other kind (staff on a customer's page).
var (
	errNoSession = errors.New("no session")
	errOtherKind = errors.New("session of another kind")
)

// viewerFor reads the request's session and what it stands for.
func (s *Server) viewerFor(r *http.Request, kind credential) (*viewer, error) {
	token := sessionToken(r)
	if token == "" || s.d.Sessions == nil {
		return nil, errNoSession
	}
	ctx := r.Context()
	sess, err := s.d.Sessions.Check(ctx, token, s.d.Now())
	if errors.Is(err, auth.ErrSessionUnknown) || errors.Is(err, auth.ErrSessionExpired) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	v := &viewer{Session: sess, Token: token, CSRF: formToken(token)}
	switch {
	case kind == staffSession && sess.SubjectKind == auth.SubjectStaff:
		err = s.staffViewer(ctx, v)
	case kind == customerSession && sess.SubjectKind != auth.SubjectStaff:
		err = s.customerViewer(ctx, v)
	default:
		return nil, errOtherKind
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	v.Lang = pickLang(r, v.Lang)
	return v, nil
}

func (s *Server) staffViewer(ctx context.Context, v *viewer) error {
	id, err := strconv.ParseInt(v.Session.SubjectID, 10, 64)
	if err != nil {
		return fmt.Errorf("staff session subject %q: %w", v.Session.SubjectID, store.ErrNotFound)
	}
	u, err := s.d.Auth.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if u.Disabled {
		return store.NotFound("user", u.Email)
	}
	v.User, v.Principal = u, auth.Principal{User: u, Role: u.Role}
	v.Zone = loadZone(u.Timezone)
	return nil
}

func (s *Server) customerViewer(ctx context.Context, v *viewer) error {
	customer := v.Session.SubjectID
	zone := ""
	if v.Session.SubjectKind == auth.SubjectContact {
		c, err := s.d.Auth.ContactOfSession(ctx, v.Session)
		if err != nil {
			return err
		}
		if c.Disabled {
			return store.NotFound("contact", c.Email)
		}
		v.Contact, customer, v.Lang, zone = &c, c.Customer, c.Lang, c.Zone
	}
	cu, err := s.d.Inventory.Customer(ctx, customer)
	if err != nil {
		return err
	}
	v.Customer = cu
	if v.Lang == "" {
		v.Lang = cu.Language
	}
	if zone == "" {
		zone = cu.Timezone
	}
	v.Zone = loadZone(zone)
	return nil
}

// loadZone is the named zone, Paris for an empty or unknown name.
func loadZone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}

// requireSession lets through requests with a live session of a's kind,
// with the viewer in their context; unsafe methods must also come from
// the same origin and carry the session's form token.
func (s *Server) requireSession(a access, next http.Handler) http.Handler {
	return s.sameOrigin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := s.viewerFor(r, a.who)
		if errors.Is(err, errNoSession) || errors.Is(err, errOtherKind) {
			if errors.Is(err, errNoSession) && sessionToken(r) != "" {
				http.SetCookie(w, auth.ClearSessionCookie(s.secure(r)))
			}
			s.signInFirst(w, r, a.who)
			return
		}
		if err != nil {
			s.failPage(w, r, fmt.Errorf("read session: %w", err))
			return
		}
		if a.who == staffSession {
			noteActor(r.Context(), v.User.Email)
		}
		if a.who == staffSession && !a.pending {
			if v.Session.AuthLevel != auth.LevelPasswordTOTP && s.secondStepDue(r.Context(), v.User) {
				s.redirectTo(w, r, staffTOTP)
				return
			}
			if !v.Principal.Can(a.perm) {
				s.failPage(w, r, &Error{Status: http.StatusForbidden, Message: "your role may not do this"})
				return
			}
		}
		if !safeMethod(r.Method) && !s.checkForm(w, r, a, v.Token) {
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), viewerKey, v)))
	}))
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// signInFirst sends a browser without a session to its sign-in page, back
// here after it; other methods get 401.
func (s *Server) signInFirst(w http.ResponseWriter, r *http.Request, who credential) {
	page := customerSignIn
	if who == staffSession {
		page = staffSignIn
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.failPage(w, r, &Error{Status: http.StatusUnauthorized, Message: "sign in first"})
		return
	}
	s.redirectTo(w, r, page)
}

// redirectTo sends a GET to page with the request's path as next, and
// refuses other methods with 401.
func (s *Server) redirectTo(w http.ResponseWriter, r *http.Request, page string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.failPage(w, r, &Error{Status: http.StatusUnauthorized, Message: "sign in first"})
		return
	}
	http.Redirect(w, r, page+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

// secure reports whether the browser reached the server over HTTPS.
func (s *Server) secure(r *http.Request) bool { return s.d.Scheme(r) == "https" }

// startSession ends the browser's session, if any, and opens a new one
// under a new id (never the one a browser brought: no fixation), setting
// its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, kind auth.SubjectKind, subject string, level auth.Level) error {
	if old := sessionToken(r); old != "" {
		if err := s.d.Sessions.End(r.Context(), old); err != nil {
			return fmt.Errorf("end the previous session: %w", err)
		}
	}
	token, sess, err := s.d.Sessions.Start(r.Context(), kind, subject, level, s.d.ClientAddr(r).String(), r.UserAgent())
	if err != nil {
		return err
	}
	http.SetCookie(w, auth.SessionCookie(token, sess, s.d.Now(), s.secure(r)))
	return nil
}

// rotateSession moves the browser's session to a new id at level ("":
// the same), setting its cookie.
func (s *Server) rotateSession(w http.ResponseWriter, r *http.Request, level auth.Level) error {
	token, sess, err := s.d.Sessions.Rotate(r.Context(), sessionToken(r), level)
	if err != nil {
		return err
	}
	http.SetCookie(w, auth.SessionCookie(token, sess, s.d.Now(), s.secure(r)))
	return nil
}

// endSession ends the browser's session and clears its cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, auth.ClearSessionCookie(s.secure(r)))
	if token := sessionToken(r); token != "" {
		return s.d.Sessions.End(r.Context(), token)
	}
	return nil
}

// audit records what a request did, by whom and from where; a failure to
// write is logged, since the action itself is done.
func (s *Server) audit(r *http.Request, action, target string, ok bool, detail string) {
	s.auditAs(r, actorOf(r), action, target, ok, detail)
}

// auditAs records what a request made without a session did, in the name
// of whom it acts for (a contact's address, a customer id, the staff
// member a signed link names).
func (s *Server) auditAs(r *http.Request, actor, action, target string, ok bool, detail string) {
	if s.d.Audit == nil {
		return
	}
	e := auth.AuditEntry{Actor: actor, Action: action, Target: target, Addr: s.addr(r), Detail: detail, OK: ok}
	if err := s.d.Audit.Record(r.Context(), e); err != nil {
		s.log.WarnContext(r.Context(), "audit", "action", action, "err", err)
	}
}

// addr is the client's address, as the throttle and audit know it.
func (s *Server) addr(r *http.Request) string { return addrText(s.d.ClientAddr(r)) }

// actorOf names who a request acts as: a staff member (by session or
// token), a customer's contact, or a customer by hand-off; "" for anyone.
func actorOf(r *http.Request) string {
	if v := viewerOf(r); v != nil {
		switch {
		case v.Staff():
			return v.User.Email
		case v.Contact != nil:
			return "contact:" + v.Contact.Email
		}
		return "customer:" + v.Customer.ID
	}
	if p, ok := PrincipalFrom(r.Context()); ok {
		return principalActor(p)
	}
	return ""
}

// principalActor names a staff member acting through a token.
func principalActor(p auth.Principal) string {
	if p.TokenName != "" {
		return p.Email + " (token " + p.TokenName + ")"
	}
	return p.Email
}
