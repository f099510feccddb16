package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
)

// maintenanceForm is a window as the API reads it: verify is a duration
// such as "15m". The public texts are title (French), title_en,
// description and description_en; sequence, cancelled and updated_at are
// the store's to set, so a body naming them is refused as unknown fields.
type maintenanceForm struct {
	Title         string   `json:"title"`
	TitleEN       string   `json:"title_en"`
	Description   string   `json:"description"`
	DescriptionEN string   `json:"description_en"`
	Assets        []string `json:"assets"`
	Start         string   `json:"start"`
	End           string   `json:"end"`
	Zone          string   `json:"zone"`
	Weekly        bool     `json:"weekly"`
	Verify        string   `json:"verify"`
}

// window turns the form into a window, with every problem at once: the
// window's own, a verify that is no duration, and assets the inventory does
// not know (known reports whether it does).
func (f *maintenanceForm) window(id string, known func(asset string) bool) (incident.Window, error) {
	w := incident.Window{ID: id, Title: strings.TrimSpace(f.Title), Assets: f.Assets, Start: f.Start, End: f.End,
		Zone: f.Zone, Weekly: f.Weekly, TitleEN: strings.TrimSpace(f.TitleEN), Description: strings.TrimSpace(f.Description),
		DescriptionEN: strings.TrimSpace(f.DescriptionEN)}
	var fields []incident.FieldError
	if f.Verify != "" {
		d, err := time.ParseDuration(f.Verify)
		if err != nil {
			fields = append(fields, incident.FieldError{Field: "verify", Message: "want a duration such as 15m, got " + f.Verify})
		}
		w.Verify = d
	}
	for i, a := range f.Assets {
		if !known(a) {
			fields = append(fields, incident.FieldError{Field: fmt.Sprintf("assets[%d]", i), Message: fmt.Sprintf("no asset %q in the inventory", a)})
		}
	}
	if len(fields) > 0 {
		return w, &incident.WindowInvalidError{Fields: append(w.Validate(), fields...)}
	}
	return w, nil
}

// graph returns the inventory graph, loaded if it was not yet.
func (h *api) graph(ctx context.Context) (*inventory.Graph, error) {
	if err := h.inv.LoadGraph(ctx); err != nil {
		return nil, err
	}
	return h.inv.Graph(), nil
}

// knownAssets returns whether the inventory has an asset of a name.
func (h *api) knownAssets(ctx context.Context) (func(string) bool, error) {
	g, err := h.graph(ctx)
	if err != nil {
		return nil, err
	}
	return func(name string) bool { return g.Kind(name) != "" }, nil
}

// maintenanceView is a window as the API shows it, with where it is now.
type maintenanceView struct {
	ID            string                    `json:"id"`
	Title         string                    `json:"title"`
	TitleEN       string                    `json:"title_en,omitempty"`
	Description   string                    `json:"description,omitempty"`
	DescriptionEN string                    `json:"description_en,omitempty"`
	Assets        []string                  `json:"assets"`
	Start         string                    `json:"start"`
	End           string                    `json:"end"`
	Zone          string                    `json:"zone"`
	Weekly        bool                      `json:"weekly"`
	Verify        string                    `json:"verify"`
	State         incident.MaintenanceState `json:"state"`
	NextStart     *time.Time                `json:"next_start,omitempty"`
	NextEnd       *time.Time                `json:"next_end,omitempty"`
	Sequence      int                       `json:"sequence"`
	UpdatedAt     time.Time                 `json:"updated_at"`
}

func viewMaintenance(w *incident.Window, now time.Time) maintenanceView {
	v := maintenanceView{ID: w.ID, Title: w.Title, TitleEN: w.TitleEN, Description: w.Description,
		DescriptionEN: w.DescriptionEN, Assets: w.Assets, Start: w.Start, End: w.End, Zone: w.Zone, Weekly: w.Weekly,
		State: w.State(now), Sequence: w.Sequence, UpdatedAt: w.UpdatedAt}
	if v.Zone == "" {
		v.Zone = incident.DefaultZone
	}
	verify := w.Verify
	if verify <= 0 {
		verify = incident.DefaultVerify
	}
	v.Verify = verify.String()
	// A completed window has no next occurrence to show.
	if start, end, ok := w.Occurrence(now); ok && v.State != incident.Completed {
		v.NextStart, v.NextEnd = &start, &end
	}
	return v
}

func (h *api) listMaintenance(w http.ResponseWriter, r *http.Request) {
	list, err := h.maintenance.List(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.now()
	views := make([]maintenanceView, len(list))
	for i := range list {
		views[i] = viewMaintenance(&list[i], now)
	}
	writeJSON(w, http.StatusOK, map[string]any{"maintenance": views})
}

func (h *api) createMaintenance(w http.ResponseWriter, r *http.Request) {
	var form maintenanceForm
	if err := decodeJSON(w, r, &form); err != nil {
		h.fail(w, r, err)
		return
	}
	known, err := h.knownAssets(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	win, err := form.window("", known)
	if err == nil {
		user, _ := UserFrom(r.Context())
		err = h.maintenance.Create(r.Context(), &win, user.Email)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/maintenance/"+win.ID)
	writeJSON(w, http.StatusCreated, viewMaintenance(&win, h.now()))
}

func (h *api) showMaintenance(w http.ResponseWriter, r *http.Request) {
	win, err := h.maintenance.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewMaintenance(&win, h.now()))
}

func (h *api) updateMaintenance(w http.ResponseWriter, r *http.Request) {
	var form maintenanceForm
	if err := decodeJSON(w, r, &form); err != nil {
		h.fail(w, r, err)
		return
	}
	known, err := h.knownAssets(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	win, err := form.window(r.PathValue("id"), known)
	if err == nil {
		err = h.maintenance.Update(r.Context(), &win)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewMaintenance(&win, h.now()))
}

func (h *api) deleteMaintenance(w http.ResponseWriter, r *http.Request) {
	if err := h.maintenance.Delete(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
