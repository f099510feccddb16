package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/settings"
)

// settingsView is the settings page: each setting as in force or as
// typed, its default, and who last changed it.
type settingsView struct {
	Rows     []settingRow
	Problems []problem
	Done     string
	CanEdit  bool
}

// settingRow is one setting on the page.
type settingRow struct {
	Name, Value, Default string
	// Label and Help are message ids.
	Label, Help string
	// Stored is set when the value comes from the console, not the flag.
	Stored *settings.Stored
	// Bad is set when the last value typed was refused.
	Bad bool
	// Kind is the input's type: time, zone or duration.
	Kind string
}

// settingLabels are the message ids of each setting's label, help and
// kind of input.
var settingLabels = map[string][3]string{
	settings.NameNightStart:        {"CfgSettingNightStart", "CfgSettingNightHelp", "time"},
	settings.NameNightEnd:          {"CfgSettingNightEnd", "CfgSettingNightEndHelp", "time"},
	settings.NameNightZone:         {"CfgSettingNightZone", "CfgSettingNightZoneHelp", "zone"},
	settings.NameSettle:            {"CfgSettingSettle", "CfgSettingSettleHelp", "duration"},
	settings.NameQuiet:             {"CfgSettingQuiet", "CfgSettingQuietHelp", "duration"},
	settings.NameEscalateAfter:     {"CfgSettingEscalate", "CfgSettingEscalateHelp", "duration"},
	settings.NameMaintenanceNotice: {"CfgSettingNotice", "CfgSettingNoticeHelp", "duration"},
}

// errNoSettingsStore answers the settings page of a server without them.
var errNoSettingsStore = &Error{Status: http.StatusServiceUnavailable, Message: "this server keeps no settings"}

var settingsDone = map[string]string{"saved": "CfgSettingsSaved", "reset": "CfgSettingsReset"}

func (h *adminConfig) showSettings(w http.ResponseWriter, r *http.Request) {
	h.renderSettings(w, r, http.StatusOK, settingsView{Done: settingsDone[r.URL.Query().Get("done")]}, nil)
}

// renderSettings shows the settings in force, or typed over them.
func (h *adminConfig) renderSettings(w http.ResponseWriter, r *http.Request, code int, view settingsView, typed map[string]string) {
	if h.d.Settings == nil {
		h.failPage(w, r, errNoSettingsStore)
		return
	}
	v, stored, err := h.d.Settings.Read(r.Context())
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	current, defaults := v.Text(), h.d.Settings.Defaults().Text()
	for _, name := range settings.Names {
		l := settingLabels[name]
		row := settingRow{Name: name, Value: current[name], Default: defaults[name], Label: l[0], Help: l[1], Kind: l[2]}
		if st, ok := stored[name]; ok {
			row.Stored = &st
		}
		if t, ok := typed[name]; ok {
			row.Value = t
		}
		for _, p := range view.Problems {
			row.Bad = row.Bad || p.Field == name
		}
		view.Rows = append(view.Rows, row)
	}
	view.CanEdit = canChange(r, auth.PermSettings)
	h.renderPage(w, r, code, "admin_settings", h.text(viewerOf(r).Lang, "CfgSettingsTitle"), view)
}

// saveSettings stores the settings of the form; one refused changes
// nothing, and the form comes back as typed with each problem by name.
func (h *adminConfig) saveSettings(w http.ResponseWriter, r *http.Request) {
	if h.d.Settings == nil {
		h.failPage(w, r, errNoSettingsStore)
		return
	}
	typed := map[string]string{}
	for _, name := range settings.Names {
		if vals, ok := r.PostForm[name]; ok {
			typed[name] = strings.TrimSpace(vals[0])
		}
	}
	_, err := h.d.Settings.Save(r.Context(), typed, viewerOf(r).User.Email)
	var bad *settings.InvalidError
	if errors.As(err, &bad) {
		view := settingsView{}
		for _, f := range bad.Fields {
			view.Problems = append(view.Problems, problem{Field: f.Field, Message: f.Message, Label: settingLabels[f.Field][0]})
		}
		auditDetail(r, "refused, nothing changed: "+bad.Error())
		h.renderSettings(w, r, http.StatusUnprocessableEntity, view, typed)
		return
	}
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	seeOther(w, r, "/staff/admin/settings?done=saved")
}

// resetSetting gives a setting back its default, the flag's value.
func (h *adminConfig) resetSetting(w http.ResponseWriter, r *http.Request) {
	if h.d.Settings == nil {
		h.failPage(w, r, errNoSettingsStore)
		return
	}
	name := r.PathValue("name")
	if _, err := h.d.Settings.Reset(r.Context(), name); err != nil {
		var bad *settings.InvalidError
		if errors.As(err, &bad) {
			h.failPage(w, r, &Error{Status: http.StatusNotFound, Message: "no such setting", Err: err})
			return
		}
		h.failPage(w, r, err)
		return
	}
	auditDetail(r, "setting "+name+" back to its default")
	seeOther(w, r, "/staff/admin/settings?done=reset")
}
