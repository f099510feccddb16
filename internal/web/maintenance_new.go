package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
)

// maintSearchMax is how many names a search shows.
const maintSearchMax = 30

// maintNewView is the planner of a new window.
type maintNewView struct {
	// Q is the search as typed; Results what it found; Carry the chosen
	// assets and typed fields, for the search form to keep.
	Q        string
	Searched bool
	Results  []maintAsset
	Carry    []maintField
	Chosen   []maintAsset
	Impact   maintImpact
	// Night is the configured night; Slot the first free one (nil when
	// none is within three months), SlotUsed whether the form holds it.
	Night    string
	Slot     *whenRange
	SlotText string
	SlotUsed bool
	Form     maintenanceForm
	// Errors are the problems by field; Problems all of them in order.
	Errors   map[string]string
	Problems []incident.FieldError
	// Previewed is set once the notices were asked for; Previews are
	// they, NoPreview set when the server cannot render them.
	Previewed bool
	NoPreview bool
	Previews  []maintPreview
	When      *whenRange
}

// maintAsset is an asset in the picker: a search result or a chosen one,
// with the link that adds or removes it.
type maintAsset struct {
	Name, Kind, Link string
	Chosen, Unknown  bool
	Impact           inventory.Impact
}

// maintField is a hidden field the search form carries.
type maintField struct{ Name, Value string }

// showNew shows the planner: the search and its results, the chosen
// assets and their impact, the first free night filled in.
func (h *maintenancePages) showNew(w http.ResponseWriter, r *http.Request) {
	view, err := h.newView(r, maintFormOf(r))
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	code := http.StatusOK
	if len(view.Errors) > 0 {
		code = http.StatusUnprocessableEntity
	}
	h.renderNew(w, r, code, view)
}

func (h *maintenancePages) renderNew(w http.ResponseWriter, r *http.Request, code int, view *maintNewView) {
	h.renderPage(w, r, code, "staff_maintenance_new", h.text(viewerOf(r).Lang, "ConsoleMaintNewTitle"), view)
}

// newView builds the planner's page for a form: its assets looked up,
// the search run, the slot suggested and filled in when the form has no
// times yet.
func (h *maintenancePages) newView(r *http.Request, f maintenanceForm) (*maintNewView, error) {
	ctx := r.Context()
	if err := h.d.Inventory.LoadGraph(ctx); err != nil {
		return nil, fmt.Errorf("maintenance planner: %w", err)
	}
	g := h.d.Inventory.Graph()
	night := h.night(ctx)
	view := &maintNewView{Q: strings.TrimSpace(r.URL.Query().Get("q")), Form: f,
		Night: fmt.Sprintf("%s–%s (%s)", night.Start, night.End, night.Zone)}
	if f.Start == "" && f.End == "" {
		others, err := h.d.Maintenance.List(ctx)
		if err != nil {
			return nil, err
		}
		if slot, ok := incident.SuggestSlot(h.d.Now(), night, others); ok {
			view.Form.Start, view.Form.End, view.Form.Zone = slot.Start, slot.End, slot.Zone
			view.SlotUsed = true
			s, e, _ := slot.Occurrence(h.d.Now())
			view.Slot = &whenRange{From: s, To: e}
			view.SlotText = slot.Start[:10] + " " + night.Start + "–" + night.End + " (" + slot.Zone + ")"
		}
	}
	if view.Form.Zone == "" {
		view.Form.Zone = night.Zone.String()
	}
	for i, a := range f.Assets {
		ma := maintAsset{Name: a, Kind: g.Kind(a), Chosen: true, Link: h.newLink(f, view.Q, a, false)}
		if ma.Kind == "" {
			ma.Unknown = true
			if view.Errors == nil {
				view.Errors = map[string]string{}
			}
			fe := incident.FieldError{Field: fmt.Sprintf("assets[%d]", i), Message: fmt.Sprintf("no asset %q in the inventory", a)}
			view.Problems = append(view.Problems, fe)
			view.Errors["assets"] = strings.TrimPrefix(view.Errors["assets"]+"; "+fe.Message, "; ")
		} else if imp, err := g.Impact(a); err == nil {
			ma.Impact = imp
		}
		view.Chosen = append(view.Chosen, ma)
	}
	view.Impact = impactOf(g, f.Assets)
	if view.Q != "" {
		view.Searched = true
		for _, hit := range g.Search(view.Q, maintSearchMax).Assets {
			n := hit.Name
			chosen := false
			for _, a := range f.Assets {
				chosen = chosen || a == n
			}
			view.Results = append(view.Results, maintAsset{Name: n, Kind: g.Kind(n), Chosen: chosen, Link: h.newLink(f, view.Q, n, true)})
		}
	}
	q := f.values()
	for _, k := range []string{"asset", "title", "title_en", "description", "description_en", "start", "end", "zone", "weekly", "verify"} {
		for _, v := range q[k] {
			view.Carry = append(view.Carry, maintField{Name: k, Value: v})
		}
	}
	return view, nil
}

// newLink is the planner with name added to the form's assets (or taken
// out of them), the search and the typed fields kept.
func (h *maintenancePages) newLink(f maintenanceForm, search, name string, add bool) string {
	g := f
	g.Assets = nil
	for _, a := range f.Assets {
		if a != name {
			g.Assets = append(g.Assets, a)
		}
	}
	if add {
		g.Assets = append(g.Assets, name)
	}
	q := g.values()
	if search != "" {
		q.Set("q", search)
	}
	return "/staff/maintenance/new?" + q.Encode()
}

// checked turns the form into a window with the API's checks: nil and the
// page already answered with the problems by field when there are any.
func (h *maintenancePages) checked(w http.ResponseWriter, r *http.Request, f maintenanceForm, id string) (*incident.Window, bool) {
	ctx := r.Context()
	if err := h.d.Inventory.LoadGraph(ctx); err != nil {
		h.failPage(w, r, err)
		return nil, false
	}
	g := h.d.Inventory.Graph()
	win, err := f.window(id, func(name string) bool { return g.Kind(name) != "" })
	if err == nil {
		// The window's own checks, which the store runs on saving: a
		// preview must meet them too.
		if fields := win.Validate(); len(fields) > 0 {
			err = &incident.WindowInvalidError{Fields: fields}
		}
	}
	if err == nil {
		return &win, true
	}
	byField, list := fieldProblems(err)
	if byField == nil {
		h.failPage(w, r, err)
		return nil, false
	}
	auditDetail(r, "refused: "+(&incident.WindowInvalidError{Fields: list}).Error())
	if id != "" {
		h.renderWindow(w, r, http.StatusUnprocessableEntity, id, &f, byField, list)
		return nil, false
	}
	view, verr := h.newView(r, f)
	if verr != nil {
		h.failPage(w, r, verr)
		return nil, false
	}
	view.Errors, view.Problems = byField, list
	h.renderNew(w, r, http.StatusUnprocessableEntity, view)
	return nil, false
}

// previewNew shows the notices each channel would send for the window as
// typed, in French and English, and the form again; nothing is saved or
// sent.
func (h *maintenancePages) previewNew(w http.ResponseWriter, r *http.Request) {
	f := maintFormOf(r)
	win, ok := h.checked(w, r, f, "")
	if !ok {
		return
	}
	view, err := h.newView(r, f)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	view.Previewed = true
	if s, e, ok := win.Occurrence(h.d.Now()); ok {
		view.When = &whenRange{From: s, To: e}
	}
	if h.d.PreviewWindow == nil {
		view.NoPreview = true
	} else {
		list, err := h.d.PreviewWindow(r.Context(), win)
		if err != nil {
			h.failPage(w, r, fmt.Errorf("preview the notices of a new window: %w", err))
			return
		}
		view.Previews = previewsOf(list)
	}
	auditDetail(r, "preview only: nothing saved, nothing sent")
	h.renderNew(w, r, http.StatusOK, view)
}

// saveNew creates the window as typed, through the store the API uses,
// and shows its page.
func (h *maintenancePages) saveNew(w http.ResponseWriter, r *http.Request) {
	win, ok := h.checked(w, r, maintFormOf(r), "")
	if !ok {
		return
	}
	if err := h.d.Maintenance.Create(r.Context(), win, viewerOf(r).User.Email); err != nil {
		h.failPage(w, r, err)
		return
	}
	auditDetail(r, "maintenance window "+win.ID+" created")
	seeOther(w, r, "/staff/maintenance/"+win.ID+"?done=created")
}
