package web

import (
	"net/http"

	"github.com/vigie/vigie/internal/auth"
)

// staffRoutes registers the staff's own routes: the audit log on the API.
func (s *Server) staffRoutes(rt *router) {
	h := &auditLog{responder: s.responder, audit: s.d.Audit, now: s.d.Now}
	audit := needs(auth.PermAudit)
	rt.handle("GET /api/v1/audit", audit, classAPI, doc{summary: "The audit log, newest first, a page at a time: every staff action and sign-in, who, what, when and from where (format=csv: a spreadsheet-safe CSV file)",
		query: append([]string{"format: json (default) or csv"}, auditQuery...)}, h.needsAudit(h.listAudit))
	rt.handle("GET /api/v1/audit.csv", audit, classAPI, doc{summary: "The audit log as a CSV file, newest first, cells a spreadsheet would run as formulas defused",
		query: auditQuery}, h.needsAudit(h.exportAudit))
}

// needsAudit answers 503 when the server keeps no audit log.
func (h *auditLog) needsAudit(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.audit == nil {
			h.fail(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "this server keeps no audit log"})
			return
		}
		next(w, r)
	}
}
