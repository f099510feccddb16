package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/probe"
)

// credential is what a route authenticates its caller with.
type credential int

const (
	// anyone: no credential (health, metrics, and heartbeats, whose token
	// is the path); these routes are rate limited per client address.
	anyone credential = iota + 1
	// staffToken: a user's API token, with its role and scopes.
	staffToken
	// locationToken: a remote probe location's token.
	locationToken
	// agentToken: a host agent's token, bound to one asset.
	agentToken
	// customerSession: a customer signed in by cookie (a contact, or a
	// session opened by the host's panel).
	customerSession
	// staffSession: a staff member signed in by cookie.
	staffSession
)

func (c credential) String() string {
	switch c {
	case anyone:
		return "anyone"
	case staffToken:
		return "staff token"
	case locationToken:
		return "location token"
	case agentToken:
		return "agent token"
	case customerSession:
		return "customer session"
	case staffSession:
		return "staff session"
	}
	return "unknown"
}

// access is who may call a route: the credential, and for staff tokens
// the permission needed.
type access struct {
	who  credential
	perm auth.Permission
	// fromMemory routes answer from documents rendered in advance (the
	// status page): they cost no database work, so they are not rate
	// limited; a whole office behind one address may read them at once.
	fromMemory bool
	// pending lets a staff session through below the level its role
	// needs (the pages that raise it); maxBody caps the forms posted to
	// a session route (default 64 KiB).
	pending bool
	maxBody int64
}

// needs is the access of a staff route that needs perm.
func needs(perm auth.Permission) access { return access{who: staffToken, perm: perm} }

var (
	noCredential = access{who: anyone}
	// publicPage is the access of the status page, its feeds and its
	// Statuspage-compatible documents.
	publicPage   = access{who: anyone, fromMemory: true}
	fromLocation = access{who: locationToken}
	fromAgent    = access{who: agentToken}
)

// class sets how long a route may take to read its request and write its
// answer, so that a slow client cannot hold a connection for long.
type class struct {
	name        string
	read, write time.Duration
}

var (
	// classAPI: ordinary API calls.
	classAPI = class{"api", 30 * time.Second, 60 * time.Second}
	// classLongPoll: answers that wait for a change (up to a minute).
	classLongPoll = class{"long-poll", 10 * time.Second, 90 * time.Second}
	// classImport: inventory files of up to MaxImportBody.
	classImport = class{"import", 10 * time.Minute, 10 * time.Minute}
	// classIntake: machine deliveries (alerts, results, facts).
	classIntake = class{"intake", time.Minute, time.Minute}
	// classPing: heartbeats, tiny bodies from scripts.
	classPing = class{"ping", 10 * time.Second, 10 * time.Second}
	// classOps: health and metrics.
	classOps = class{"ops", 5 * time.Second, 30 * time.Second}
)

// Route describes one registered route, for tests and documentation.
type Route struct {
	Pattern string
	// Summary says what the route does, for the API reference.
	Summary string
	// Credential is "anyone", "staff token", "location token" or "agent
	// token"; Permission is set for staff tokens.
	Credential string
	Permission auth.Permission
	Class      string
	// Query lists the query parameters the route takes.
	Query []string

	doc     doc
	surface string
}

// router registers routes with who may call them and how long they may
// take; every route is registered through it.
type router struct {
	mux    *http.ServeMux
	s      *Server
	routes []Route
	// surface names the routes being registered, for the API reference.
	surface string
}

// handle registers h at pattern. A staff route without a permission is a
// programming error that stops the server from being built.
func (rt *router) handle(pattern string, a access, c class, d doc, h http.HandlerFunc) {
	if a.who == 0 || ((a.who == staffToken || a.who == staffSession) && a.perm == "" && !a.pending) {
		panic(fmt.Sprintf("web: route %q registered without a permission", pattern))
	}
	if d.summary == "" {
		panic(fmt.Sprintf("web: route %q registered without a summary for the API reference", pattern))
	}
	if (a.who == customerSession || a.who == staffSession) && !slices.Contains(d.queryNames(), "lang") {
		// Every page takes the language switch.
		d.query = append(slices.Clip(d.query), "lang: fr or en, remembered in a cookie")
	}
	rt.routes = append(rt.routes, Route{Pattern: pattern, Summary: d.summary, Credential: a.who.String(), Permission: a.perm,
		Class: c.name, Query: d.queryNames(), doc: d, surface: rt.surface})
	next := http.Handler(h)
	if !d.anyQuery {
		next = rt.s.checkQuery(d, h)
	}
	switch {
	case a.fromMemory:
	case a.who == anyone:
		next = rt.s.limited(next)
	case a.who == staffToken:
		next = rt.s.audited(pattern, rt.s.requireStaff(a.perm, rt.s.republish(next)))
	case a.who == locationToken:
		next = rt.s.requireLocation(next)
	case a.who == agentToken:
		next = rt.s.requireAgent(next)
	case a.who == customerSession || a.who == staffSession:
		next = rt.s.requireSession(a, next)
		if a.who == staffSession {
			next = rt.s.audited(pattern, next)
		}
	}
	rt.mux.Handle(pattern, deadlines(c, next))
}

// deadlines bounds the time left to read the request and write the answer.
func deadlines(c class, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setDeadlines(w, c)
		next.ServeHTTP(w, r)
	})
}

func setDeadlines(w http.ResponseWriter, c class) {
	rc := http.NewResponseController(w)
	now := time.Now()
	// Writers that cannot take deadlines (test recorders) do without.
	// An answer that waits for a change must not outlive the read
	// deadline: past it the server takes the connection for closed and
	// cancels the request. Its request (no body) is read by then.
	read := c.read
	if c == classLongPoll {
		read = c.write
	}
	_ = rc.SetReadDeadline(now.Add(read))
	_ = rc.SetWriteDeadline(now.Add(c.write))
}

type ctxKey int

const (
	principalKey ctxKey = iota
	locationKey
	agentKey
)

// PrincipalFrom returns who a staff request acts as.
func PrincipalFrom(ctx context.Context) (auth.Principal, bool) {
	p, ok := ctx.Value(principalKey).(auth.Principal)
	return p, ok
}

// UserFrom returns the user of a staff request.
func UserFrom(ctx context.Context) (auth.User, bool) {
	p, ok := PrincipalFrom(ctx)
	return p.User, ok
}

// bearer returns the bearer token of a request, or "".
func bearer(r *http.Request) string {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// deny answers a request refused before its body was read; the connection
// is closed after the answer rather than read to the end of a body that
// may never come.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, err *Error) {
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
	}
	if err.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigie"`)
	}
	s.fail(w, r, err)
}

// requireStaff lets through staff tokens whose role and scopes allow perm:
// 401 without a valid token, 403 when it may not do this.
func (s *Server) requireStaff(perm auth.Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := bearer(r)
		if token == "" {
			s.deny(w, r, &Error{Status: http.StatusUnauthorized, Message: "missing bearer token: send Authorization: Bearer <token>"})
			return
		}
		p, err := s.d.Auth.Authenticate(r.Context(), token)
		if errors.Is(err, auth.ErrUnauthorized) {
			s.deny(w, r, &Error{Status: http.StatusUnauthorized, Message: "invalid or revoked token"})
			return
		}
		if err != nil {
			s.deny(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "cannot check the token now; try again shortly",
				Err: fmt.Errorf("authenticate: %w", err), RetryAfter: retryAfterSeconds})
			return
		}
		noteActor(r.Context(), principalActor(p))
		if !p.Can(perm) {
			s.deny(w, r, &Error{Status: http.StatusForbidden,
				Message: fmt.Sprintf("this token (role %s%s) may not do this: it needs the %q permission", p.Role, scopeText(p.Scopes), perm)})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey, p)))
	})
}

func scopeText(scopes []auth.Scope) string {
	if len(scopes) == 0 {
		return ""
	}
	names := make([]string, len(scopes))
	for i, sc := range scopes {
		names[i] = string(sc)
	}
	return ", scopes " + strings.Join(names, ",")
}

// requireLocation lets through only requests with a valid location token.
func (s *Server) requireLocation(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.d.Locations == nil {
			s.deny(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "remote probes are not enabled"})
			return
		}
		token := bearer(r)
		if token == "" {
			s.deny(w, r, &Error{Status: http.StatusUnauthorized, Message: "missing location token: send Authorization: Bearer <token>"})
			return
		}
		loc, err := s.d.Locations.Authenticate(r.Context(), token)
		if errors.Is(err, probe.ErrBadLocationToken) {
			s.deny(w, r, &Error{Status: http.StatusUnauthorized, Message: "invalid or revoked location token"})
			return
		}
		if err != nil {
			s.deny(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "cannot check the token now; try again shortly",
				Err: fmt.Errorf("authenticate location: %w", err), RetryAfter: retryAfterSeconds})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), locationKey, loc.Name)))
	})
}

// requireAgent lets through only requests with a valid host agent token;
// the asset it is bound to goes in the context.
func (s *Server) requireAgent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.d.Agents == nil {
			s.deny(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "host agents are not enabled"})
			return
		}
		token := bearer(r)
		if token == "" {
			s.deny(w, r, &Error{Status: http.StatusUnauthorized, Message: "missing agent token: send Authorization: Bearer <token>"})
			return
		}
		asset, err := s.d.Agents.Authenticate(r.Context(), token)
		if errors.Is(err, probe.ErrBadAgentToken) {
			s.deny(w, r, &Error{Status: http.StatusUnauthorized, Message: "invalid or removed agent token"})
			return
		}
		if err != nil {
			s.deny(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "cannot check the token now; try again shortly",
				Err: fmt.Errorf("authenticate agent: %w", err), RetryAfter: retryAfterSeconds})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), agentKey, asset)))
	})
}

// limited refuses, with 429 and Retry-After, the requests of a client
// address over its rate; routes without credentials go through it.
func (s *Server) limited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.d.Limiter != nil {
			if ok, wait := s.d.Limiter.Allow(s.d.ClientAddr(r)); !ok {
				secs := max(1, int((wait+time.Second-1)/time.Second))
				s.deny(w, r, &Error{Status: http.StatusTooManyRequests, RetryAfter: secs,
					Message: fmt.Sprintf("too many requests from this address; try again in %d s", secs)})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Limiter says whether a client address may make one more request now,
// and if not how long it should wait.
type Limiter interface {
	Allow(addr netip.Addr) (ok bool, retryAfter time.Duration)
}

// republish brings the status page up to date after a staff change
// succeeded, before the answer is sent: once staff have their answer, the
// public page, feeds and documents already tell the change. (Engine
// changes reach them within the publisher's interval, a second.)
func (s *Server) republish(next http.Handler) http.Handler {
	if s.d.Status == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		held := &heldWriter{ResponseWriter: w}
		next.ServeHTTP(held, r)
		if held.code == 0 {
			held.code = http.StatusOK
		}
		if held.code < http.StatusBadRequest {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			if err := s.d.Status.Refresh(ctx); err != nil {
				s.d.Logger.WarnContext(ctx, "status page refresh after a staff change", "err", err)
			}
			cancel()
		}
		w.WriteHeader(held.code)
		_, _ = w.Write(held.body.Bytes())
	})
}

// heldWriter keeps an answer until it is let go: staff answers are small.
type heldWriter struct {
	http.ResponseWriter
	code int
	body bytes.Buffer
}

func (w *heldWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *heldWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.body.Write(b)
}

// Unwrap gives http.ResponseController the connection underneath.
func (w *heldWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
