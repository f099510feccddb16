package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/vigie/vigie/internal/auth"
)

// auditPageView is the audit log page.
type auditPageView struct {
	// Actor, Action, Since and Until are the filter as typed.
	Actor, Action, Since, Until string
	// Zone names the zone the times are in.
	Zone    string
	Entries []auditRow
	// Next is the link to the next page, "" on the last; First the link
	// back to the newest entries once paged; CSV the export's link.
	Next, First, CSV string
	// Problem says what is wrong with the filter.
	Problem string
}

// auditRow is one entry as the page shows it.
type auditRow struct {
	auth.AuditEntry
	// At is the time in the viewer's zone, to the second.
	AtText string
}

// auditFilterFields are the query fields the page keeps from one page to
// the next and gives the export.
var auditFilterFields = []string{"actor", "action", "since", "until"}

// showAudit shows a page of the audit log, newest first, with its filter,
// a link to the next page and one to the CSV export.
func (h *staff) showAudit(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	q := r.URL.Query()
	view := auditPageView{Actor: q.Get("actor"), Action: q.Get("action"), Since: q.Get("since"), Until: q.Get("until"),
		Zone: v.Zone.String()}
	title := h.text(v.Lang, "StaffAuditTitle")
	f, err := auditFilter(q, v.Zone)
	var bad *Error
	if errors.As(err, &bad) && bad.Status == http.StatusBadRequest {
		view.Problem = bad.Message
		h.renderPage(w, r, http.StatusBadRequest, "staff_audit", title, view)
		return
	}
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	entries, err := h.d.Audit.List(r.Context(), f)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	for _, e := range entries {
		view.Entries = append(view.Entries, auditRow{AuditEntry: e, AtText: e.At.In(v.Zone).Format("2006-01-02 15:04:05")})
	}
	keep := url.Values{}
	for _, k := range auditFilterFields {
		if val := q.Get(k); val != "" {
			keep.Set(k, val)
		}
	}
	view.CSV = "/staff/audit.csv"
	if len(keep) > 0 {
		view.CSV += "?" + keep.Encode()
	}
	if n := len(entries); n > 0 && n == auditPageSize(f.Limit) {
		next := url.Values{}
		for k, vals := range keep {
			next[k] = vals
		}
		if q.Get("limit") != "" {
			next.Set("limit", q.Get("limit"))
		}
		next.Set("after_id", strconv.FormatInt(entries[n-1].ID, 10))
		view.Next = "/staff/audit?" + next.Encode()
	}
	if f.AfterID > 0 {
		view.First = "/staff/audit"
		if len(keep) > 0 {
			view.First += "?" + keep.Encode()
		}
	}
	h.renderPage(w, r, http.StatusOK, "staff_audit", title, view)
}

// exportAuditPage downloads the entries the page's filter selects as CSV,
// for a signed-in admin (the API's export needs a token).
func (h *staff) exportAuditPage(w http.ResponseWriter, r *http.Request) {
	f, err := auditFilter(r.URL.Query(), viewerOf(r).Zone)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	h.audits.writeAuditCSV(w, r, f)
}
