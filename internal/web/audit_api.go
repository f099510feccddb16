package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
)

// auditLog serves the audit log to admins: as JSON and CSV on the API, and
// as a staff page.
type auditLog struct {
	responder
	audit *auth.Audit
	now   func() time.Time
}

// auditQuery is what the audit routes take in their query string.
var auditQuery = []string{
	"actor: only this actor's entries (a staff e-mail, customer:ID, token:NAME or system)",
	"action: only this action, e.g. sign-in or POST /api/v1/incidents/{id}/updates",
	"since: RFC 3339 time, inclusive",
	"until: RFC 3339 time, exclusive",
	"after_id: the cursor: the last id of the previous page",
	"limit: at most this many (default 100, at most 1000; CSV: all when not given)",
}

// auditEntryJSON is an audit entry as the API shows it.
type auditEntryJSON struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Addr   string    `json:"addr"`
	Detail string    `json:"detail"`
	OK     bool      `json:"ok"`
}

// auditFilter reads the filter of the audit log from a query. Times are
// RFC 3339, or local to zone as a date-time form field sends them
// (2026-12-07T02:30) or as a day (2026-12-07).
func auditFilter(q url.Values, zone *time.Location) (auth.AuditFilter, error) {
	f := auth.AuditFilter{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action"))}
	var err error
	if f.Since, err = auditTime("since", q.Get("since"), zone); err != nil {
		return f, err
	}
	if f.Until, err = auditTime("until", q.Get("until"), zone); err != nil {
		return f, err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return f, badRequest("until: must be after since")
	}
	if v := q.Get("after_id"); v != "" {
		if f.AfterID, err = strconv.ParseInt(v, 10, 64); err != nil || f.AfterID < 1 {
			return f, badRequest("after_id: want an entry id, got %q", v)
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > auth.MaxAuditLimit {
			return f, badRequest("limit: want a number from 1 to %d, got %q", auth.MaxAuditLimit, v)
		}
	}
	return f, nil
}

// auditTimeLayouts are the local forms auditTime accepts besides RFC 3339.
var auditTimeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02"}

// auditTime parses one time of the filter; "" is no bound.
func auditTime(name, v string, zone *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range auditTimeLayouts {
		if t, err := time.ParseInLocation(layout, v, zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, badRequest("%s: want an RFC 3339 time such as 2026-11-26T03:00:00Z, got %q", name, v)
}

// listAudit answers the audit log as JSON, newest first, a page at a time;
// with format=csv, as a CSV file.
func (h *auditLog) listAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch q.Get("format") {
	case "", "json":
	case "csv":
		h.exportAudit(w, r)
		return
	default:
		h.fail(w, r, badRequest("format: want json or csv, got %q", q.Get("format")))
		return
	}
	f, err := auditFilter(q, time.UTC)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	entries, err := h.audit.List(r.Context(), f)
	if err != nil {
		h.fail(w, r, fmt.Errorf("list audit log: %w", err))
		return
	}
	out := make([]auditEntryJSON, len(entries))
	for i, e := range entries {
		out[i] = auditEntryJSON{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Target: e.Target,
			Addr: e.Addr, Detail: e.Detail, OK: e.OK}
	}
	next := ""
	if n := len(entries); n > 0 && n == auditPageSize(f.Limit) {
		next = strconv.FormatInt(entries[n-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out, "next": next})
}

// auditPageSize is how many entries a page of limit holds at most.
func auditPageSize(limit int) int {
	if limit <= 0 {
		return auth.DefaultAuditLimit
	}
	return min(limit, auth.MaxAuditLimit)
}

// exportAudit answers the entries the query selects as a CSV attachment,
// every one of them unless limit says otherwise; cells a spreadsheet would
// run as formulas are defused by Audit.WriteCSV.
func (h *auditLog) exportAudit(w http.ResponseWriter, r *http.Request) {
	f, err := auditFilter(r.URL.Query(), time.UTC)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeAuditCSV(w, r, f)
}

// writeAuditCSV writes the entries f selects as a CSV attachment.
func (h *auditLog) writeAuditCSV(w http.ResponseWriter, r *http.Request, f auth.AuditFilter) {
	name := "vigie-audit-" + h.now().UTC().Format("20060102T150405Z") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	cw := &countingWriter{w: w}
	err := h.audit.WriteCSV(r.Context(), cw, f)
	switch {
	case err != nil && cw.n == 0:
		w.Header().Del("Content-Disposition")
		h.fail(w, r, err)
	case err != nil:
		// The status is sent with the first rows: the file can only end
		// short, and the failure be logged.
		h.log.ErrorContext(r.Context(), "audit log export cut short", "err", err)
	}
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
