package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/settings"
)

// settingsForm is a change of settings as the API reads it: each setting
// left out keeps its value. Durations are Go durations ("90s", "10m"),
// times of day HH:MM, the zone an IANA name.
type settingsForm struct {
	NightStart        *string `json:"night_start"`
	NightEnd          *string `json:"night_end"`
	NightZone         *string `json:"night_zone"`
	Settle            *string `json:"settle"`
	Quiet             *string `json:"quiet"`
	EscalateAfter     *string `json:"escalate_after"`
	MaintenanceNotice *string `json:"maintenance_notice"`
}

func (f *settingsForm) text() map[string]string {
	out := map[string]string{}
	for name, v := range map[string]*string{settings.NameNightStart: f.NightStart, settings.NameNightEnd: f.NightEnd,
		settings.NameNightZone: f.NightZone, settings.NameSettle: f.Settle, settings.NameQuiet: f.Quiet,
		settings.NameEscalateAfter: f.EscalateAfter, settings.NameMaintenanceNotice: f.MaintenanceNotice} {
		if v != nil {
			out[name] = *v
		}
	}
	return out
}

// settingChange says who last changed a setting, and when.
type settingChange struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// settingsOn answers 503 on a server without settings.
func (h *adminConfig) settingsOn(w http.ResponseWriter, r *http.Request) bool {
	if h.d.Settings == nil {
		h.fail(w, r, errNoSettingsStore)
		return false
	}
	return true
}

// writeSettings answers with the settings in force, their defaults and
// who changed those set from the console or the API.
func (h *adminConfig) writeSettings(w http.ResponseWriter, r *http.Request) {
	v, rows, err := h.d.Settings.Read(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	changed := map[string]settingChange{}
	for name, st := range rows {
		changed[name] = settingChange{By: st.UpdatedBy, At: st.UpdatedAt.UTC()}
	}
	writeJSON(w, http.StatusOK, map[string]any{"settings": v.Text(), "defaults": h.d.Settings.Defaults().Text(), "changed": changed})
}

func (h *adminConfig) showSettingsAPI(w http.ResponseWriter, r *http.Request) {
	if h.settingsOn(w, r) {
		h.writeSettings(w, r)
	}
}

// changeSettingsAPI changes the settings the body names; one refused
// changes nothing (422, each by its name).
func (h *adminConfig) changeSettingsAPI(w http.ResponseWriter, r *http.Request) {
	if !h.settingsOn(w, r) {
		return
	}
	var form settingsForm
	if err := decodeJSON(w, r, &form); err != nil {
		h.fail(w, r, err)
		return
	}
	by := "api"
	if p, ok := PrincipalFrom(r.Context()); ok {
		by = principalActor(p)
	}
	_, err := h.d.Settings.Save(r.Context(), form.text(), by)
	var bad *settings.InvalidError
	if errors.As(err, &bad) {
		fields := make([]map[string]string, len(bad.Fields))
		for i, f := range bad.Fields {
			fields[i] = field(f.Field, f.Message)
		}
		h.fail(w, r, fieldError("invalid settings, nothing changed", err, fields))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeSettings(w, r)
}
