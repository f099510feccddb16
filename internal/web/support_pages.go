package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/support"
)

// supportPages are the customer's ticket pages: every lookup is scoped by
// the viewer's customer, and what is not theirs is not found.
type supportPages struct {
	s         *Server
	tickets   *support.Store
	incidents *incident.Store
	status    *status.Publisher
}

// uploadBody caps a ticket form: the files and the text.
const uploadBody = support.MaxAttachments*support.MaxAttachmentSize + 1<<20

// customerActor is the customer's contact (or, for a session opened by
// the host's panel, the customer) a request acts as.
func customerActor(v *viewer) support.Actor {
	if v.Contact != nil {
		return support.Actor{Kind: support.ByCustomer, ID: v.Contact.Email, Name: v.Contact.Name}
	}
	return support.Actor{Kind: support.ByCustomer, Name: v.Customer.Name}
}

// page adapts a page handler returning its error: not found when the
// server runs without tickets, and errors answered as pages.
func (h *supportPages) page(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.tickets == nil {
			h.s.failPage(w, r, store.NotFound("page", r.URL.Path))
			return
		}
		if err := fn(w, r); err != nil {
			h.s.failPage(w, r, err)
		}
	}
}

// answer ends a posted form: a refusal is shown again with its reason in
// the viewer's language, another error goes to the boundary, success
// goes on to next.
func (h *supportPages) answer(w http.ResponseWriter, r *http.Request, err error, again func(reason string), next string) error {
	if reason, bad := h.invalidText(viewerOf(r).Lang, err); bad {
		again(reason)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// ticketRow is a ticket in the customer's list.
type ticketRow struct {
	ID                int64
	Subject, Asset    string
	Status            support.Status
	Updated, Created  time.Time
	StatusID, PillCSS string
}

// pillOf is the style of a ticket's status.
func pillOf(s support.Status) string {
	switch s {
	case support.Open:
		return "info"
	case support.Waiting:
		return "warn"
	case support.Resolved:
		return "ok"
	}
	return "unknown"
}

func rowOf(t support.Ticket) ticketRow {
	return ticketRow{ID: t.ID, Subject: t.Subject, Asset: t.Asset, Status: t.Status, Updated: t.UpdatedAt, Created: t.CreatedAt,
		StatusID: "SupportStatus_" + string(t.Status), PillCSS: pillOf(t.Status)}
}

type supportListView struct {
	Tickets  []ticketRow
	Followed bool
}

func (h *supportPages) list(w http.ResponseWriter, r *http.Request) error {
	v := viewerOf(r)
	list, err := h.tickets.CustomerTickets(r.Context(), v.Customer.ID, support.MaxList)
	if err != nil {
		return err
	}
	out := supportListView{Followed: r.URL.Query().Get("followed") == "1"}
	for _, t := range list {
		out.Tickets = append(out.Tickets, rowOf(t))
	}
	h.s.renderPage(w, r, http.StatusOK, "support_list", h.s.text(v.Lang, "SupportTitle"), out)
	return nil
}

// messageRow is a message as the customer sees it.
type messageRow struct {
	Kind   support.AuthorKind
	Author string
	// Mine is the viewer's own message; Last the thread's last one.
	Mine, Last bool
	At         time.Time
	Body       string
	Files      []fileRow
}

type fileRow struct {
	URL, Name string
	KiB       int64
}

type supportShowView struct {
	MaxFiles  int
	MaxMiB    int
	Ticket    ticketRow
	Messages  []messageRow
	Incidents []int64
	Closed    bool
	Notice    string
	Error     string
	Body      string
}

// thread reads the viewer's ticket of the path: another customer's is not
// found, as one that does not exist.
func (h *supportPages) thread(r *http.Request) (support.Thread, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return support.Thread{}, store.NotFound("ticket", r.PathValue("id"))
	}
	return h.tickets.CustomerThread(r.Context(), viewerOf(r).Customer.ID, id)
}

func (h *supportPages) show(w http.ResponseWriter, r *http.Request) error {
	th, err := h.thread(r)
	if err != nil {
		return err
	}
	v := viewerOf(r)
	view := h.showView(r, th)
	switch {
	case r.URL.Query().Get("sent") == "1":
		view.Notice = h.s.text(v.Lang, "SupportSent")
	case r.URL.Query().Get("replied") == "1":
		view.Notice = h.s.text(v.Lang, "SupportReplied")
	}
	h.renderShow(w, r, http.StatusOK, th, view)
	return nil
}

func (h *supportPages) renderShow(w http.ResponseWriter, r *http.Request, code int, th support.Thread, view supportShowView) {
	v := viewerOf(r)
	title := h.s.d.Texts.T(v.Lang, "SupportTicketTitle", map[string]any{"ID": th.Ticket.ID, "Subject": th.Ticket.Subject})
	h.s.renderPage(w, r, code, "support_show", title, view)
}

// showView is a thread as the customer sees it: their messages, staff's
// answers and Vigie's, never a note; the incidents linked that customers
// have been told of.
func (h *supportPages) showView(r *http.Request, th support.Thread) supportShowView {
	v := viewerOf(r)
	view := supportShowView{Ticket: rowOf(th.Ticket), Closed: th.Ticket.Status == support.Closed,
		MaxFiles: support.MaxAttachments, MaxMiB: support.MaxAttachmentSize >> 20}
	for _, m := range th.Messages {
		row := messageRow{Kind: m.AuthorKind, Author: m.Author, At: m.At, Body: m.Body,
			Mine: m.AuthorKind == support.ByCustomer && v.Contact != nil && m.Author == v.Contact.Email}
		for _, a := range m.Attachments {
			row.Files = append(row.Files, fileRow{Name: a.Name, KiB: (a.Size + 1023) / 1024,
				URL: fmt.Sprintf("/account/tickets/%d/attachments/%s", th.Ticket.ID, url.PathEscape(a.ID))})
		}
		view.Messages = append(view.Messages, row)
	}
	if n := len(view.Messages); n > 0 {
		view.Messages[n-1].Last = true
	}
	for _, l := range th.Links {
		if inc, err := h.incidents.Get(r.Context(), l.IncidentID); err == nil && inc.Settled() {
			view.Incidents = append(view.Incidents, l.IncidentID)
		}
	}
	return view
}

// uploads reads the files of a posted form, at most one more than allowed
// and each at most one byte over the limit, which the store refuses.
func uploads(r *http.Request) ([]support.Upload, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []support.Upload
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the empty part of a file field left blank
		}
		if len(out) > support.MaxAttachments {
			break
		}
		f, err := fh.Open()
		if err != nil {
			return nil, fmt.Errorf("read upload: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(f, support.MaxAttachmentSize+1))
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("read upload: %w", err)
		}
		out = append(out, support.Upload{Name: fh.Filename, Data: data})
	}
	return out, nil
}

// invalidText is what a customer reads of a refused form, in their
// language, by the field at fault; ok is false for other errors.
func (h *supportPages) invalidText(lang string, err error) (string, bool) {
	var ie *support.InvalidError
	if !errors.As(err, &ie) {
		return "", false
	}
	data := map[string]any{"Max": support.MaxAttachments, "MiB": support.MaxAttachmentSize >> 20}
	id := map[string]string{"subject": "SupportErrSubject", "body": "SupportErrBody", "attachments": "SupportErrAttachments",
		"asset": "SupportErrAsset", "status": "SupportErrClosed"}[ie.Field]
	if id == "" {
		id = "SupportErrInvalid"
	}
	return h.s.d.Texts.T(lang, id, data), true
}

func (h *supportPages) reply(w http.ResponseWriter, r *http.Request) error {
	th, err := h.thread(r)
	if err != nil {
		return err
	}
	v := viewerOf(r)
	files, err := uploads(r)
	if err == nil {
		_, err = h.tickets.CustomerReply(r.Context(), v.Customer.ID, th.Ticket.ID, customerActor(v), r.PostFormValue("body"), files)
	}
	return h.answer(w, r, err, func(reason string) {
		view := h.showView(r, th)
		view.Error, view.Body = reason, r.PostFormValue("body")
		h.renderShow(w, r, http.StatusUnprocessableEntity, th, view)
	}, fmt.Sprintf("/account/tickets/%d?replied=1#last", th.Ticket.ID))
}

// attachment serves a file of the viewer's ticket; any other is not found.
func (h *supportPages) attachment(w http.ResponseWriter, r *http.Request) error {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	a, f, err := h.tickets.OpenAttachment(r.Context(), viewerOf(r).Customer.ID, r.PathValue("file"))
	if err != nil {
		return err
	}
	if a.TicketID != id {
		_ = f.Close()
		return store.NotFound("attachment", r.PathValue("file"))
	}
	serveAttachment(w, r, a, f)
	return nil
}

// assets are the viewer's assets, which the form's select offers.
func (h *supportPages) assets(v *viewer) []string {
	g := h.s.d.Inventory.Graph()
	if g == nil {
		return nil
	}
	return g.Owned(v.Customer.ID, "")
}

// trimmed is the form value name, trimmed.
func trimmed(r *http.Request, name string) string { return strings.TrimSpace(r.FormValue(name)) }
