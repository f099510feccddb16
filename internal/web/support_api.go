package web

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/support"
)

// supportAPI is the staff side of support tickets: lists, threads with
// notes, answers, notes, changes, figures and attachments.
type supportAPI struct {
	responder
	tickets *support.Store
	now     func() time.Time
}

// supportError makes the support store's refusals 422s naming the field;
// other errors go to the boundary as they are.
func supportError(err error) error {
	var ie *support.InvalidError
	if errors.As(err, &ie) {
		return fieldError("invalid input", err, []map[string]string{field(ie.Field, ie.Message)})
	}
	return err
}

// serve adapts a handler returning its error: 503 when the server runs
// without tickets, and errors through the boundary, support's refusals as
// 422s naming the field.
func (h *supportAPI) serve(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.tickets == nil {
			h.fail(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "support tickets are not enabled on this server"})
			return
		}
		if err := fn(w, r); err != nil {
			h.fail(w, r, supportError(err))
		}
	}
}

func ticketID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, badRequest("ticket id: want a number, got %q", r.PathValue("id"))
	}
	return id, nil
}

// staffActor is the staff member a request acts as.
func staffActor(r *http.Request) support.Actor {
	u, _ := UserFrom(r.Context())
	return support.Actor{Kind: support.ByStaff, ID: u.Email}
}

// ticketFilter reads the filters of a ticket listing.
func ticketFilter(r *http.Request) (support.Filter, error) {
	q := r.URL.Query()
	f := support.Filter{Assignee: strings.TrimSpace(q.Get("assignee")), Customer: q.Get("customer")}
	if v := q.Get("status"); v != "" {
		for _, s := range strings.Split(v, ",") {
			st, err := support.ParseStatus("status", strings.TrimSpace(s))
			if err != nil {
				return f, badRequest("%v", err)
			}
			f.Status = append(f.Status, st)
		}
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"incident", &f.Incident}, {"before", &f.Before}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				return f, badRequest("%s: want a positive number, got %q", p.name, v)
			}
			*p.dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > support.MaxList {
			return f, badRequest("limit: want a number from 1 to %d, got %q", support.MaxList, v)
		}
		f.Limit = n
	}
	return f, nil
}

func (h *supportAPI) listTickets(w http.ResponseWriter, r *http.Request) error {
	f, err := ticketFilter(r)
	if err != nil {
		return err
	}
	list, err := h.tickets.List(r.Context(), f)
	if err != nil {
		return err
	}
	out := map[string]any{"tickets": list}
	if limit := cmp.Or(f.Limit, 100); len(list) == limit {
		out["next"] = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *supportAPI) showTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	th, err := h.tickets.Thread(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, th)
	return nil
}

// ticketReplyForm is a staff answer; Status moves the ticket (without it
// an open ticket waits on the customer).
type ticketReplyForm struct {
	Body   string `json:"body"`
	Status string `json:"status,omitempty"`
}

// ticketNoteForm is a staff note, never shown to the customer.
type ticketNoteForm struct {
	Body string `json:"body"`
}

// readTicketForm reads the ticket id of the path and the JSON body into
// form.
func readTicketForm(w http.ResponseWriter, r *http.Request, form any) (int64, error) {
	id, err := ticketID(r)
	if err != nil {
		return 0, err
	}
	return id, decodeJSON(w, r, form)
}

func (h *supportAPI) replyTicket(w http.ResponseWriter, r *http.Request) error {
	var form ticketReplyForm
	id, err := readTicketForm(w, r, &form)
	if err != nil {
		return err
	}
	var to support.Status
	if form.Status != "" {
		if to, err = support.ParseStatus("status", form.Status); err != nil {
			return err
		}
	}
	m, err := h.tickets.StaffReply(r.Context(), id, staffActor(r), form.Body, nil, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (h *supportAPI) noteTicket(w http.ResponseWriter, r *http.Request) error {
	var form ticketNoteForm
	id, err := readTicketForm(w, r, &form)
	if err != nil {
		return err
	}
	m, err := h.tickets.Note(r.Context(), id, staffActor(r), form.Body, nil)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

// ticketEditForm is a staff change of a ticket; absent fields stay.
type ticketEditForm struct {
	Status   *string `json:"status,omitempty"`
	Priority *string `json:"priority,omitempty"`
	// Assignee is a staff member's e-mail; "" takes the ticket back.
	Assignee *string `json:"assignee,omitempty"`
}

func (h *supportAPI) editTicket(w http.ResponseWriter, r *http.Request) error {
	var form ticketEditForm
	id, err := readTicketForm(w, r, &form)
	if err != nil {
		return err
	}
	c := support.Change{Assignee: form.Assignee}
	if form.Status != nil {
		st, err := support.ParseStatus("status", *form.Status)
		if err != nil {
			return err
		}
		c.Status = &st
	}
	if form.Priority != nil {
		p, err := support.ParsePriority("priority", *form.Priority)
		if err != nil {
			return err
		}
		c.Priority = &p
	}
	t, err := h.tickets.Change(r.Context(), id, staffActor(r), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (h *supportAPI) resolveIncidentTickets(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	done, err := h.tickets.ResolveLinked(r.Context(), id, staffActor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"resolved": done})
	return nil
}

// statsPeriod reads the from and to of a figures route: RFC 3339 times,
// to now and from statsWindow before to by default.
func statsPeriod(r *http.Request, now time.Time) (from, to time.Time, err error) {
	to = now
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		at   *time.Time
	}{{"to", &to}, {"from", &from}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return from, to, badRequest("%s: want an RFC 3339 time, got %q", p.name, v)
			}
			*p.at = t
		}
	}
	if from.IsZero() {
		from = to.Add(-statsWindow)
	}
	return from, to, nil
}

func (h *supportAPI) showSupportStats(w http.ResponseWriter, r *http.Request) error {
	from, to, err := statsPeriod(r, h.now())
	if err != nil {
		return err
	}
	stats, err := h.tickets.Stats(r.Context(), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, stats)
	return nil
}

// showTicketAttachment serves a ticket's file to staff.
func (h *supportAPI) showTicketAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	a, f, err := openStaffAttachment(r.Context(), h.tickets, id, r.PathValue("file"))
	if err != nil {
		return err
	}
	serveAttachment(w, r, a, f)
	return nil
}

// openStaffAttachment opens file of ticket id for staff (the API and the
// console): a 404 when the file is not that ticket's.
func openStaffAttachment(ctx context.Context, tickets *support.Store, id int64, file string) (support.Attachment, *os.File, error) {
	a, f, err := tickets.OpenAttachment(ctx, "", file)
	if err != nil {
		return a, nil, err
	}
	if a.TicketID != id {
		_ = f.Close()
		return a, nil, &Error{Status: http.StatusNotFound, Message: "no such attachment on this ticket"}
	}
	return a, f, nil
}

// serveAttachment sends an attachment as a download, never as a page: its
// sniffed type (octet-stream when unknown), nosniff, a sandboxing policy,
// and its name in a Content-Disposition every browser reads safely.
func serveAttachment(w http.ResponseWriter, r *http.Request, a support.Attachment, f *os.File) {
	defer func() { _ = f.Close() }()
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", contentDisposition(a.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", a.CreatedAt, f)
}

// contentDisposition is an attachment's header (RFC 6266): a plain ASCII
// filename for old clients, with quotes, backslashes and anything else
// replaced, and the exact name in filename* (RFC 8187).
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' || r == ';' {
			return '_'
		}
		return r
	}, name)
	var b strings.Builder
	for _, c := range []byte(name) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(strconv.FormatInt(int64(c)|0x100, 16)[1:]))
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + b.String()
}
