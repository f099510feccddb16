package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
)

// tokenRow is an API token as the pages show it: never its secret.
type tokenRow struct {
	Email, Name string
	// Role is the message id of the token's own role, "" when it follows
	// its user's.
	Role       string
	Scopes     []string
	Created    time.Time
	LastUsed   *time.Time
	RevokePath string
}

func viewTokenRow(u auth.User, t auth.Token) tokenRow {
	row := tokenRow{Email: u.Email, Name: t.Name, Created: t.CreatedAt, LastUsed: t.LastUsedAt,
		RevokePath: "/staff/admin/tokens/" + url.PathEscape(u.Email) + "/" + url.PathEscape(t.Name) + "/revoke"}
	if t.Role != "" {
		row.Role = roleText[t.Role]
	}
	for _, s := range t.Scopes {
		row.Scopes = append(row.Scopes, string(s))
	}
	return row
}

// tokensView is the page of every user's tokens.
type tokensView struct {
	Users []userTokens
	// Holders are the users a token may be made for (the enabled ones).
	Holders []string
	Roles   []roleOption
	Scopes  []scopeOption
	Form    tokenPageForm
	Done    string
	Problem *formProblem
}

// userTokens is one user's tokens.
type userTokens struct {
	Email    string
	Role     string
	Disabled bool
	Tokens   []tokenRow
}

// scopeOption is a scope in the new token form.
type scopeOption struct {
	Value, Help string
	Checked     bool
}

// tokenPageForm is the new token form as sent.
type tokenPageForm struct {
	User, Name, Role string
	Scopes           []string
}

// scopeHelp says what each scope lets a token do.
var scopeHelp = map[auth.Scope]string{
	auth.ScopeAlertmanager: "ConsoleAdmScopeAlertmanager", auth.ScopeRead: "ConsoleAdmScopeRead",
	auth.ScopeImport: "ConsoleAdmScopeImport", auth.ScopeOverview: "ConsoleAdmScopeOverview",
}

func (h *adminPages) showTokens(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h.renderTokens(w, r, http.StatusOK, tokensView{Done: adminDone[q.Get("done")], Form: tokenPageForm{User: q.Get("user")}})
}

// renderTokens fills in every user's tokens and shows their page.
func (h *adminPages) renderTokens(w http.ResponseWriter, r *http.Request, code int, view tokensView) {
	v := viewerOf(r)
	ctx := r.Context()
	users, err := h.d.Auth.Users(ctx)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	for _, u := range users {
		tokens, err := h.d.Auth.Tokens(ctx, u.Email)
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		ut := userTokens{Email: u.Email, Role: roleText[u.Role], Disabled: u.Disabled}
		for _, t := range tokens {
			ut.Tokens = append(ut.Tokens, viewTokenRow(u, t))
		}
		view.Users = append(view.Users, ut)
		if !u.Disabled {
			view.Holders = append(view.Holders, u.Email)
		}
	}
	view.Roles = roleOptions(v.Lang, h.Server)
	for _, s := range auth.Scopes {
		view.Scopes = append(view.Scopes, scopeOption{Value: string(s), Help: scopeHelp[s],
			Checked: slices.Contains(view.Form.Scopes, string(s))})
	}
	h.renderPage(w, r, code, "admin_tokens", h.text(v.Lang, "ConsoleAdmTokensTitle"), view)
}

// createToken makes a token for a user, as POST
// /api/v1/users/{email}/tokens does, and shows its secret once.
func (h *adminPages) createToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.failPage(w, r, badRequest("the form could not be read"))
		return
	}
	form := tokenPageForm{User: strings.TrimSpace(r.PostFormValue("user")), Name: r.PostFormValue("name"),
		Role: r.PostFormValue("role"), Scopes: r.PostForm["scopes"]}
	spec := auth.TokenSpec{Name: form.Name, Role: auth.Role(form.Role)}
	for _, s := range form.Scopes {
		spec.Scopes = append(spec.Scopes, auth.Scope(s))
	}
	if form.User == "" {
		h.renderTokens(w, r, http.StatusUnprocessableEntity, tokensView{Form: form,
			Problem: &formProblem{Field: "user", Message: h.text(viewerOf(r).Lang, "ConsoleAdmTokenUserMissing")}})
		return
	}
	secret, t, err := h.d.Auth.CreateToken(r.Context(), form.User, spec)
	if err != nil {
		h.adminFail(w, r, err, func(status int, p *formProblem) {
			if status == http.StatusNotFound {
				p.Field = "user"
			}
			h.renderTokens(w, r, status, tokensView{Form: form, Problem: p})
		})
		return
	}
	auditDetail(r, "token "+t.Name+" of "+strings.ToLower(form.User)+scopeText(t.Scopes))
	h.showSecret(w, r, http.StatusCreated, secretView{Lead: "ConsoleAdmTokenLead", For: strings.ToLower(form.User) + " — " + t.Name,
		Secret: secret, Use: "ConsoleAdmTokenUse", Back: "/staff/admin/tokens?user=" + url.QueryEscape(strings.ToLower(form.User))})
}

// revokeToken deletes a token, as DELETE
// /api/v1/users/{email}/tokens/{name} does.
func (h *adminPages) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := h.d.Auth.RevokeToken(r.Context(), r.PathValue("email"), r.PathValue("name")); err != nil {
		h.adminFail(w, r, err, func(status int, p *formProblem) {
			h.renderTokens(w, r, status, tokensView{Problem: p})
		})
		return
	}
	seeOther(w, r, "/staff/admin/tokens?done=revoked")
}
