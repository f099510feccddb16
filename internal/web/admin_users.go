package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/notify"
)

// usersView is the page of staff users.
type usersView struct {
	Users []userRow
	// PagedNow is whom a page reaches now; Everyone is true when nobody
	// is on duty and a page goes to every pageable member.
	PagedNow []string
	Everyone bool
	Roles    []roleOption
	Zones    []string
	// Form is the add form as sent, shown again when it was refused.
	Form    userAddForm
	Done    string
	Problem *formProblem
}

// userAddForm is the form of a new staff user.
type userAddForm struct {
	Email, Role, Zone string
}

// roleOption is a role in a select.
type roleOption struct {
	Value, Text string
}

// userRow is one staff user in the list.
type userRow struct {
	Email    string
	Role     string
	Disabled bool
	TOTP     bool
	Tokens   int
	Zone     string
	Duty     dutyText
	Self     bool
}

// adminDone maps the done= of a page after an action to its message.
var adminDone = map[string]string{
	"role": "ConsoleAdmDoneRole", "duty": "ConsoleAdmDoneDuty", "disabled": "ConsoleAdmDoneDisabled",
	"enabled": "ConsoleAdmDoneEnabled", "totp": "ConsoleAdmDoneTOTP", "removed": "ConsoleAdmDoneRemoved",
	"revoked": "ConsoleAdmDoneTokenRevoked", "location-revoked": "ConsoleAdmDoneLocationRevoked",
	"agent-removed": "ConsoleAdmDoneAgentRemoved",
}

func roleOptions(lang string, s *Server) []roleOption {
	out := make([]roleOption, len(auth.Roles))
	for i, r := range auth.Roles {
		out[i] = roleOption{Value: string(r), Text: s.text(lang, roleText[r])}
	}
	return out
}

func (h *adminPages) showUsers(w http.ResponseWriter, r *http.Request) {
	h.renderUsers(w, r, http.StatusOK, usersView{Done: adminDone[r.URL.Query().Get("done")],
		Form: userAddForm{Role: string(auth.RoleStaff), Zone: auth.DefaultTimezone}})
}

// renderUsers fills in the users and shows their page.
func (h *adminPages) renderUsers(w http.ResponseWriter, r *http.Request, code int, view usersView) {
	v := viewerOf(r)
	ctx := r.Context()
	list, err := h.d.Auth.Users(ctx)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	duty, err := h.dutyOf(ctx)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	now := h.d.Now()
	for _, u := range list {
		row := userRow{Email: u.Email, Role: roleText[u.Role], Disabled: u.Disabled, Zone: u.Timezone, Self: u.ID == v.User.ID}
		if row.TOTP, err = h.d.Auth.HasTOTP(ctx, u.Email); err != nil {
			h.failPage(w, r, err)
			return
		}
		tokens, err := h.d.Auth.Tokens(ctx, u.Email)
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		row.Tokens = len(tokens)
		if st, ok := duty[u.Email]; ok {
			row.Duty = describeDuty(st, now, v.Zone)
		}
		view.Users = append(view.Users, row)
	}
	if h.d.NotifyPrefs != nil {
		staff := make([]notify.Staff, 0, len(duty))
		for _, u := range list {
			if st, ok := duty[u.Email]; ok {
				staff = append(staff, st)
			}
		}
		paged, everyone := notify.Paged(staff, now)
		for _, s := range paged {
			view.PagedNow = append(view.PagedNow, s.Email)
		}
		view.Everyone = everyone && len(paged) > 0
	}
	view.Roles, view.Zones = roleOptions(v.Lang, h.Server), areaZones
	h.renderPage(w, r, code, "admin_users", h.text(v.Lang, "ConsoleAdmUsersTitle"), view)
}

// dutyOf is the duty of every enabled staff member, by e-mail (none
// without the notification preferences).
func (h *adminPages) dutyOf(ctx context.Context) (map[string]notify.Staff, error) {
	out := map[string]notify.Staff{}
	if h.d.NotifyPrefs == nil {
		return out, nil
	}
	list, err := h.d.NotifyPrefs.StaffList(ctx)
	if err != nil {
		return nil, fmt.Errorf("duty hours: %w", err)
	}
	for _, s := range list {
		out[s.Email] = s
	}
	return out, nil
}

// addUser adds a staff user with a generated password, shown once, as
// POST /api/v1/users without a password and `vigie user add` do.
func (h *adminPages) addUser(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	form := userAddForm{Email: strings.TrimSpace(r.PostFormValue("email")), Role: r.PostFormValue("role"),
		Zone: strings.TrimSpace(r.PostFormValue("timezone"))}
	again := func(status int, p *formProblem) {
		h.renderUsers(w, r, status, usersView{Form: form, Problem: p})
	}
	if form.Zone == "" {
		form.Zone = auth.DefaultTimezone
	}
	if loc, err := time.LoadLocation(form.Zone); err != nil || loc == time.Local || form.Zone == "Local" {
		again(http.StatusUnprocessableEntity, &formProblem{Field: "timezone", Message: h.text(v.Lang, "ConsoleAdmBadZone")})
		return
	}
	password := auth.GeneratePassword()
	u, err := h.d.Auth.AddUser(r.Context(), form.Email, auth.Role(form.Role), password)
	if err != nil {
		h.adminFail(w, r, err, again)
		return
	}
	if form.Zone != u.Timezone {
		if err := h.d.Auth.SetTimezone(r.Context(), u.Email, form.Zone); err != nil {
			h.failPage(w, r, err)
			return
		}
	}
	auditDetail(r, "user "+u.Email+" added as "+string(u.Role))
	h.showSecret(w, r, http.StatusCreated, secretView{Lead: "ConsoleAdmPasswordLead", For: u.Email, Secret: password,
		Use: "ConsoleAdmPasswordUse", Back: userPath(u.Email)})
}

// userPath is the page of a user.
func userPath(email string) string { return "/staff/admin/users/" + url.PathEscape(email) }

// userPageView is the page of one staff user.
type userPageView struct {
	User    auth.User
	Role    string
	Created time.Time
	TOTP    bool
	Self    bool
	Duty    dutyText
	// DutyMode is never, always or hours; From and To the hours.
	DutyMode, From, To string
	// DutyZone is the zone the duty form shows (the user's, or as sent).
	DutyZone string
	Page     bool
	HasDuty  bool
	Tokens   []tokenRow
	Roles    []roleOption
	Zones    []string
	Done     string
	Problem  *formProblem
}

func (h *adminPages) showUser(w http.ResponseWriter, r *http.Request) {
	h.renderUser(w, r, http.StatusOK, userPageView{Done: adminDone[r.URL.Query().Get("done")]})
}

// renderUser fills in a user's page from the store and shows it; fill,
// when given, changes what the forms show (a refused form as sent).
func (h *adminPages) renderUser(w http.ResponseWriter, r *http.Request, code int, view userPageView, fill ...func(*userPageView)) {
	v := viewerOf(r)
	ctx := r.Context()
	u, err := h.d.Auth.User(ctx, r.PathValue("email"))
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	view.User, view.Role, view.Created, view.Self = u, roleText[u.Role], u.CreatedAt, u.ID == v.User.ID
	if view.TOTP, err = h.d.Auth.HasTOTP(ctx, u.Email); err != nil {
		h.failPage(w, r, err)
		return
	}
	tokens, err := h.d.Auth.Tokens(ctx, u.Email)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	for _, t := range tokens {
		view.Tokens = append(view.Tokens, viewTokenRow(u, t))
	}
	duty, err := h.dutyOf(ctx)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	view.DutyMode = "never"
	if st, ok := duty[u.Email]; ok {
		view.HasDuty, view.Page = true, st.Page
		view.Duty = describeDuty(st, h.d.Now(), v.Zone)
		if d, err := notify.ParseDuty(st.Duty); err == nil {
			switch {
			case d.Always:
				view.DutyMode = "always"
			case !d.Never:
				view.DutyMode, view.From, view.To = "hours", clock(d.From), clock(d.To)
			}
		}
	}
	view.Roles, view.Zones, view.DutyZone = roleOptions(v.Lang, h.Server), areaZones, u.Timezone
	for _, f := range fill {
		f(&view)
	}
	h.renderPage(w, r, code, "admin_user", u.Email, view)
}

// setRole gives a user another role, as PATCH /api/v1/users/{email} does.
func (h *adminPages) setRole(w http.ResponseWriter, r *http.Request) {
	role := auth.Role(r.PostFormValue("role"))
	if err := h.d.Auth.SetRole(r.Context(), r.PathValue("email"), role); err != nil {
		h.userFail(w, r, err)
		return
	}
	auditDetail(r, "role "+string(role))
	seeOther(w, r, userPath(r.PathValue("email"))+"?done=role")
}

// userFail shows a user's page again with why an action was refused.
func (h *adminPages) userFail(w http.ResponseWriter, r *http.Request, err error, fill ...func(*userPageView)) {
	h.adminFail(w, r, err, func(status int, p *formProblem) {
		h.renderUser(w, r, status, userPageView{Problem: p}, fill...)
	})
}

// disableUser stops a user from signing in: their sessions end and their
// tokens are deleted, as PATCH …{"disabled": true} does.
func (h *adminPages) disableUser(w http.ResponseWriter, r *http.Request) {
	if err := h.d.Auth.DisableUser(r.Context(), r.PathValue("email")); err != nil {
		h.userFail(w, r, err)
		return
	}
	h.afterAccessChange(w, r, "disabled")
}

// enableUser lets a disabled user sign in again.
func (h *adminPages) enableUser(w http.ResponseWriter, r *http.Request) {
	if err := h.d.Auth.EnableUser(r.Context(), r.PathValue("email")); err != nil {
		h.userFail(w, r, err)
		return
	}
	seeOther(w, r, userPath(r.PathValue("email"))+"?done=enabled")
}

// removeUser deletes a user, their tokens and their sessions, as DELETE
// /api/v1/users/{email} does; the form must say it is meant.
func (h *adminPages) removeUser(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if r.PostFormValue("confirm") != "yes" {
		h.renderUser(w, r, http.StatusUnprocessableEntity, userPageView{Problem: &formProblem{Field: "confirm",
			Message: h.text(v.Lang, "ConsoleAdmRemoveConfirmMissing")}})
		return
	}
	if err := h.d.Auth.RemoveUser(r.Context(), r.PathValue("email")); err != nil {
		h.userFail(w, r, err)
		return
	}
	h.afterAccessChange(w, r, "removed")
}

// afterAccessChange sends the browser on after a user was disabled or
// removed: to the list, or to sign in when the viewer acted on themselves
// (their session has just ended).
func (h *adminPages) afterAccessChange(w http.ResponseWriter, r *http.Request, done string) {
	if strings.EqualFold(r.PathValue("email"), viewerOf(r).User.Email) {
		http.SetCookie(w, auth.ClearSessionCookie(h.secure(r)))
		seeOther(w, r, staffSignIn)
		return
	}
	if done == "disabled" {
		seeOther(w, r, userPath(r.PathValue("email"))+"?done="+done)
		return
	}
	seeOther(w, r, "/staff/admin/users?done="+done)
}

// resetTOTP removes a user's two-step verification and recovery codes,
// for a lost device: they enrol again at their next sign-in (admins must).
func (h *adminPages) resetTOTP(w http.ResponseWriter, r *http.Request) {
	if err := h.d.Auth.DisableTOTP(r.Context(), r.PathValue("email")); err != nil {
		h.userFail(w, r, err)
		return
	}
	auditDetail(r, "two-step verification reset")
	seeOther(w, r, userPath(r.PathValue("email"))+"?done=totp")
}

// clock spells minutes after midnight as HH:MM.
func clock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }
