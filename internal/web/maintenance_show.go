package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
)

// maintShowView is a window's page.
type maintShowView struct {
	W         incident.Window
	State     incident.MaintenanceState
	When      *whenRange
	Verify    string
	Impact    maintImpact
	CanPlan   bool
	Done      string
	Form      maintenanceForm
	Assets    string
	Errors    map[string]string
	Problems  []incident.FieldError
	NoPreview bool
	Previews  []maintPreview
	// Told says the notices are for a window to come: one over or
	// cancelled has none to preview.
	Told bool
}

// maintDone maps done= to its message.
var maintDone = map[string]string{"created": "ConsoleMaintDoneCreated", "updated": "ConsoleMaintDoneUpdated",
	"cancelled": "ConsoleMaintDoneCancelled"}

// loadWindow returns a window, a cancelled one included.
func (h *maintenancePages) loadWindow(ctx context.Context, id string) (incident.Window, error) {
	win, err := h.d.Maintenance.Get(ctx, id)
	if !errors.Is(err, store.ErrNotFound) {
		return win, err
	}
	all, lerr := h.d.Maintenance.ListAll(ctx)
	if lerr != nil {
		return win, lerr
	}
	for _, w := range all {
		if w.ID == id {
			return w, nil
		}
	}
	return win, err
}

// showWindow shows a window: its details, what it reaches, the notice it
// gives, and the forms to change or cancel it.
func (h *maintenancePages) showWindow(w http.ResponseWriter, r *http.Request) {
	h.renderWindow(w, r, http.StatusOK, r.PathValue("id"), nil, nil, nil)
}

// renderWindow shows a window's page; f, when not nil, is its edit form
// as typed, with its problems.
func (h *maintenancePages) renderWindow(w http.ResponseWriter, r *http.Request, code int, id string, f *maintenanceForm,
	errs map[string]string, problems []incident.FieldError) {
	ctx, v := r.Context(), viewerOf(r)
	win, err := h.loadWindow(ctx, id)
	if err == nil {
		err = h.d.Inventory.LoadGraph(ctx)
	}
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	now := h.d.Now()
	view := maintShowView{W: win, State: win.State(now), Impact: impactOf(h.d.Inventory.Graph(), win.Assets),
		CanPlan: v.Principal.Can(auth.PermMaintenance) && !win.Cancelled, Done: maintDone[r.URL.Query().Get("done")],
		Errors: errs, Problems: problems, Verify: shortDuration(incident.DefaultVerify)}
	if win.Verify > 0 {
		view.Verify = shortDuration(win.Verify)
	}
	if s, e, ok := win.Occurrence(now); ok {
		view.When = &whenRange{From: s, To: e}
	}
	if view.Form = maintFormOfWindow(&win); f != nil {
		view.Form = *f
	}
	view.Assets = strings.Join(view.Form.Assets, " ")
	view.Told = !win.Cancelled && view.State == incident.Scheduled
	if view.Told {
		if h.d.PreviewWindow == nil {
			view.NoPreview = true
		} else {
			list, err := h.d.PreviewWindow(ctx, &win)
			if err != nil {
				h.failPage(w, r, fmt.Errorf("preview the notices of window %s: %w", id, err))
				return
			}
			view.Previews = previewsOf(list)
		}
	}
	title := h.text(v.Lang, "ConsoleMaintWindowTitle") + " " + maintTitle(&win, v.Lang)
	h.renderPage(w, r, code, "staff_maintenance_show", title, view)
}

// shortDuration writes whole minutes as "15m" rather than "15m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if d%time.Minute == 0 {
		s = strings.TrimSuffix(s, "0s")
	}
	if d%time.Hour == 0 {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// updateWindow changes a window as its edit form says, through the store
// the API uses.
func (h *maintenancePages) updateWindow(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := h.d.Maintenance.Get(r.Context(), id); err != nil {
		h.failPage(w, r, err)
		return
	}
	win, ok := h.checked(w, r, maintFormOf(r), id)
	if !ok {
		return
	}
	if err := h.d.Maintenance.Update(r.Context(), win); err != nil {
		h.failPage(w, r, err)
		return
	}
	auditDetail(r, fmt.Sprintf("maintenance window %s changed (sequence %d)", id, win.Sequence))
	seeOther(w, r, "/staff/maintenance/"+id+"?done=updated")
}

// cancelWindow cancels a window, as DELETE on the API does.
func (h *maintenancePages) cancelWindow(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if r.PostFormValue("confirm") == "" {
		auditDetail(r, "refused: not confirmed")
		h.renderWindow(w, r, http.StatusUnprocessableEntity, id, nil, map[string]string{"confirm": h.text(viewerOf(r).Lang, "ConsoleMaintConfirmMissing")},
			[]incident.FieldError{{Field: "confirm", Message: "tick the box to confirm the cancellation"}})
		return
	}
	if err := h.d.Maintenance.Delete(r.Context(), id); err != nil {
		h.failPage(w, r, err)
		return
	}
	auditDetail(r, "maintenance window "+id+" cancelled")
	seeOther(w, r, "/staff/maintenance/"+id+"?done=cancelled")
}
