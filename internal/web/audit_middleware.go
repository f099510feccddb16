package web

import (
	"context"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
)

// auditNote is who acts in a staff request, filled in by whatever
// authenticated it (a staff token, a staff session) and read by the audit
// middleware once the answer is written.
type auditNote struct {
	actor, detail string
}

// auditNoteKey is the context key of a request's *auditNote.
type auditNoteKey struct{}

// noteActor tells the audit middleware, when the request goes through it,
// who acts (named as actorOf names them).
func noteActor(ctx context.Context, actor string) {
	if n, ok := ctx.Value(auditNoteKey{}).(*auditNote); ok {
		n.actor = actor
	}
}

// auditDetail adds words for admins to the audit entry of a staff request
// (which second factor, how many sessions ended); never a secret.
func auditDetail(r *http.Request, detail string) {
	if n, ok := r.Context().Value(auditNoteKey{}).(*auditNote); ok {
		n.detail = detail
	}
}

// auditRecordTimeout bounds the write of one audit entry.
const auditRecordTimeout = 5 * time.Second

// audited records in the audit log every state-changing request to a staff
// route, once answered: who (as noted by the authentication), the method
// and route pattern, the path values, the client address, and whether it
// succeeded (a status below 400). A request refused for its permission or
// its form token is recorded as failed; one whose sender was not
// recognised at all is not (it is nobody's action, and anyone could fill
// the log with them). Bodies are never recorded: they may hold secrets.
func (s *Server) audited(pattern string, next http.Handler) http.Handler {
	if s.d.Audit == nil {
		return next
	}
	wildcards := patternWildcards(pattern)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		note := &auditNote{}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), auditNoteKey{}, note)))
		// A handler that only wrote a body answered 200, status 0 here.
		if note.actor == "" {
			return
		}
		action := pattern
		if !strings.Contains(pattern, " ") {
			action = r.Method + " " + pattern
		}
		e := auth.AuditEntry{Actor: note.actor, Action: action, Target: auditTarget(r, wildcards),
			Addr: addrText(s.d.ClientAddr(r)), Detail: note.detail, OK: sw.status < http.StatusBadRequest}
		// The entry is written even when the client has gone.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), auditRecordTimeout)
		defer cancel()
		if err := s.d.Audit.Record(ctx, e); err != nil {
			s.d.Logger.ErrorContext(ctx, "audit log: cannot record a staff action", "action", e.Action, "actor", e.Actor, "err", err)
		}
	})
}

// wildcard matches a wildcard of a route pattern, {name} or {name...}.
var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(?:\.\.\.)?\}`)

// patternWildcards returns the names of a route pattern's wildcards.
func patternWildcards(pattern string) []string {
	var names []string
	for _, m := range wildcard.FindAllStringSubmatch(pattern, -1) {
		names = append(names, m[1])
	}
	return names
}

// addrText is a client address as the audit log keeps it, "" when unknown.
func addrText(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// auditTarget is what a request acts on: its path values, as
// "id=42, update=3".
func auditTarget(r *http.Request, wildcards []string) string {
	parts := make([]string, 0, len(wildcards))
	for _, name := range wildcards {
		parts = append(parts, name+"="+r.PathValue(name))
	}
	return strings.Join(parts, ", ")
}
