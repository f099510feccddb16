package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/notify"
)

// dutyText is a staff member's watch as the pages tell it.
type dutyText struct {
	Never, Always bool
	// Hours are the duty hours in the member's zone ("08:00–23:00"), Zone
	// that zone's short name; Local the same hours today in the viewer's
	// zone, when it is another.
	Hours, Zone, Local string
	// OnNow: on duty now; Pageable: pages may reach them.
	OnNow, Pageable bool
}

// describeDuty tells a staff member's duty at now, with their hours also
// in the viewer's zone (today's: the two zones may change their clocks on
// different days).
func describeDuty(s notify.Staff, now time.Time, viewer *time.Location) dutyText {
	out := dutyText{OnNow: s.On(now), Pageable: s.Pageable()}
	d, err := notify.ParseDuty(s.Duty)
	switch {
	case err != nil || d.Never:
		out.Never = true
		return out
	case d.Always:
		out.Always = true
		return out
	}
	zone := loadZone(s.Zone)
	out.Hours = clock(d.From) + "–" + clock(d.To)
	local := now.In(zone)
	start := time.Date(local.Year(), local.Month(), local.Day(), 0, d.From, 0, 0, zone)
	end := time.Date(local.Year(), local.Month(), local.Day(), 0, d.To, 0, 0, zone)
	if d.To <= d.From {
		end = end.AddDate(0, 0, 1)
	}
	out.Zone = zoneName(start)
	if viewer != nil && viewer.String() != zone.String() {
		a, b := start.In(viewer), end.In(viewer)
		out.Local = a.Format("15:04") + "–" + b.Format("15:04") + " (" + zoneName(a) + ")"
	}
	return out
}

// setDuty sets a staff member's duty hours, zone and pages, as PUT
// /api/v1/users/{email}/duty does (through the same changeDuty): the
// hours are in the member's zone, the one given with them.
func (h *adminPages) setDuty(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if h.d.NotifyPrefs == nil {
		h.failPage(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "duty hours are not kept on this server"})
		return
	}
	mode, from, to := r.PostFormValue("mode"), strings.TrimSpace(r.PostFormValue("from")), strings.TrimSpace(r.PostFormValue("to"))
	page := r.PostFormValue("page") == "yes"
	form := dutyForm{Timezone: strings.TrimSpace(r.PostFormValue("timezone")), Page: &page}
	var duty string
	switch mode {
	case "never":
	case "always":
		duty = "always"
	case "hours":
		if from == "" || to == "" {
			h.userFail(w, r, fieldError("invalid duty", nil, []map[string]string{field("duty", h.text(v.Lang, "ConsoleAdmDutyHoursMissing"))}),
				keepDutyForm(mode, from, to, form.Timezone, page))
			return
		}
		duty = from + "-" + to
	default:
		h.userFail(w, r, fieldError("invalid duty", nil, []map[string]string{field("duty", h.text(v.Lang, "ConsoleAdmDutyModeMissing"))}),
			keepDutyForm(mode, from, to, form.Timezone, page))
		return
	}
	form.Duty = &duty
	if err := changeDuty(r.Context(), h.d.Auth, h.d.NotifyPrefs, r.PathValue("email"), form); err != nil {
		h.userFail(w, r, err, keepDutyForm(mode, from, to, form.Timezone, page))
		return
	}
	auditDetail(r, "duty "+dutyWords(duty)+", pages "+map[bool]string{true: "on", false: "off"}[page])
	seeOther(w, r, userPath(r.PathValue("email"))+"?done=duty")
}

// dutyWords spells duty hours for the audit log.
func dutyWords(duty string) string {
	if duty == "" {
		return "never"
	}
	return duty
}

// keepDutyForm shows the duty form as it was sent.
func keepDutyForm(mode, from, to, zone string, page bool) func(*userPageView) {
	return func(v *userPageView) { v.DutyMode, v.From, v.To, v.DutyZone, v.Page = mode, from, to, zone, page }
}
