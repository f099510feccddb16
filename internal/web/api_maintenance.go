package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// maintenanceAPI serves maintenance windows; writeErr is the server's error
// boundary.
type maintenanceAPI struct {
	store    *incident.MaintenanceStore
	writeErr func(http.ResponseWriter, *http.Request, error)
	now      func() time.Time
}

// maintenanceHandlers returns the maintenance routes, keyed by pattern, for
// the server to mount on its API mux.
func maintenanceHandlers(store *incident.MaintenanceStore, writeErr func(http.ResponseWriter, *http.Request, error)) map[string]http.HandlerFunc {
	m := &maintenanceAPI{store: store, writeErr: writeErr, now: time.Now}
	return map[string]http.HandlerFunc{
		"GET /api/v1/maintenance":         m.listMaintenance,
		"POST /api/v1/maintenance":        m.createMaintenance,
		"GET /api/v1/maintenance/{id}":    m.showMaintenance,
		"PUT /api/v1/maintenance/{id}":    m.updateMaintenance,
		"DELETE /api/v1/maintenance/{id}": m.deleteMaintenance,
	}
}

// maintenanceForm is a window as the API reads it: verify is a duration
// such as "15m".
type maintenanceForm struct {
	Title  string   `json:"title"`
	Assets []string `json:"assets"`
	Start  string   `json:"start"`
	End    string   `json:"end"`
	Zone   string   `json:"zone"`
	Weekly bool     `json:"weekly"`
	Verify string   `json:"verify"`
}

// window turns the form into a window; a verify that is no duration is a
// field problem like any other.
func (f *maintenanceForm) window(id string) (incident.Window, error) {
	w := incident.Window{ID: id, Title: strings.TrimSpace(f.Title), Assets: f.Assets, Start: f.Start, End: f.End,
		Zone: f.Zone, Weekly: f.Weekly}
	if f.Verify != "" {
		d, err := time.ParseDuration(f.Verify)
		if err != nil {
			fields := append(w.Validate(), incident.FieldError{Field: "verify", Message: "want a duration such as 15m, got " + f.Verify})
			return w, &incident.WindowInvalidError{Fields: fields}
		}
		w.Verify = d
	}
	return w, nil
}

// maintenanceView is a window as the API shows it, with where it is now.
type maintenanceView struct {
	ID        string                    `json:"id"`
	Title     string                    `json:"title"`
	Assets    []string                  `json:"assets"`
	Start     string                    `json:"start"`
	End       string                    `json:"end"`
	Zone      string                    `json:"zone"`
	Weekly    bool                      `json:"weekly"`
	Verify    string                    `json:"verify"`
	State     incident.MaintenanceState `json:"state"`
	NextStart *time.Time                `json:"next_start,omitempty"`
	NextEnd   *time.Time                `json:"next_end,omitempty"`
}

func viewMaintenance(w *incident.Window, now time.Time) maintenanceView {
	v := maintenanceView{ID: w.ID, Title: w.Title, Assets: w.Assets, Start: w.Start, End: w.End, Zone: w.Zone,
		Weekly: w.Weekly, State: w.State(now)}
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

// maintenanceError gives invalid windows their 422 with the problems by
// field; other errors go to the server's boundary as they are.
func maintenanceError(err error) error {
	var invalid *incident.WindowInvalidError
	if !errors.As(err, &invalid) {
		return err
	}
	fields := make([]map[string]string, len(invalid.Fields))
	for i, f := range invalid.Fields {
		fields[i] = map[string]string{"field": f.Field, "message": f.Message}
	}
	return &Error{Status: http.StatusUnprocessableEntity, Message: "invalid maintenance window", Err: err,
		Details: map[string]any{"fields": fields}}
}

func (m *maintenanceAPI) listMaintenance(w http.ResponseWriter, r *http.Request) {
	list, err := m.store.List(r.Context())
	if err != nil {
		m.writeErr(w, r, err)
		return
	}
	now := m.now()
	views := make([]maintenanceView, len(list))
	for i := range list {
		views[i] = viewMaintenance(&list[i], now)
	}
	writeJSON(w, http.StatusOK, map[string]any{"maintenance": views})
}

func (m *maintenanceAPI) createMaintenance(w http.ResponseWriter, r *http.Request) {
	var form maintenanceForm
	if err := decodeJSON(w, r, &form); err != nil {
		m.writeErr(w, r, err)
		return
	}
	win, err := form.window("")
	if err == nil {
		user, _ := UserFrom(r.Context())
		err = m.store.Create(r.Context(), &win, user.Email)
	}
	if err != nil {
		m.writeErr(w, r, maintenanceError(err))
		return
	}
	w.Header().Set("Location", "/api/v1/maintenance/"+win.ID)
	writeJSON(w, http.StatusCreated, viewMaintenance(&win, m.now()))
}

func (m *maintenanceAPI) showMaintenance(w http.ResponseWriter, r *http.Request) {
	win, err := m.store.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		m.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewMaintenance(&win, m.now()))
}

func (m *maintenanceAPI) updateMaintenance(w http.ResponseWriter, r *http.Request) {
	var form maintenanceForm
	if err := decodeJSON(w, r, &form); err != nil {
		m.writeErr(w, r, err)
		return
	}
	win, err := form.window(r.PathValue("id"))
	if err == nil {
		err = m.store.Update(r.Context(), &win)
	}
	if err != nil {
		m.writeErr(w, r, maintenanceError(err))
		return
	}
	writeJSON(w, http.StatusOK, viewMaintenance(&win, m.now()))
}

func (m *maintenanceAPI) deleteMaintenance(w http.ResponseWriter, r *http.Request) {
	if err := m.store.Delete(r.Context(), r.PathValue("id")); err != nil {
		m.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
