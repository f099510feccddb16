package web

import (
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/auth"
)

// userView is a user as the API shows it.
type userView struct {
	Email     string    `json:"email"`
	Role      auth.Role `json:"role"`
	Disabled  bool      `json:"disabled"`
	Timezone  string    `json:"timezone"`
	CreatedAt time.Time `json:"created_at"`
}

func viewUser(u auth.User) userView {
	return userView{Email: u.Email, Role: u.Role, Disabled: u.Disabled, Timezone: u.Timezone, CreatedAt: u.CreatedAt}
}

// tokenView is a token as the API shows it: never its secret.
type tokenView struct {
	Name       string       `json:"name"`
	Role       auth.Role    `json:"role,omitempty"`
	Scopes     []auth.Scope `json:"scopes"`
	CreatedAt  time.Time    `json:"created_at"`
	LastUsedAt *time.Time   `json:"last_used_at"`
}

// showMe says who the caller is: their user, and the role, scopes and
// permissions of the token they called with.
func (h *api) showMe(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	perms := []auth.Permission{}
	for _, perm := range auth.Permissions {
		if p.Can(perm) {
			perms = append(perms, perm)
		}
	}
	scopes := p.Scopes
	if scopes == nil {
		scopes = []auth.Scope{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": viewUser(p.User), "token": p.TokenName, "role": p.Role,
		"scopes": scopes, "permissions": perms})
}

func (h *api) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := h.auth.Users(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]userView, len(users))
	for i, u := range users {
		out[i] = viewUser(u)
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

// createUser adds a user; without a password one is generated and shown
// once in the answer.
func (h *api) createUser(w http.ResponseWriter, r *http.Request) {
	var body userForm
	if err := decodeJSON(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	password, generated := body.Password, body.Password == ""
	if generated {
		password = auth.GeneratePassword()
	}
	u, err := h.auth.AddUser(r.Context(), body.Email, body.Role, password)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := map[string]any{"user": viewUser(u)}
	if generated {
		out["password"] = password
	}
	w.Header().Set("Location", "/api/v1/users/"+u.Email)
	writeJSON(w, http.StatusCreated, out)
}

func (h *api) showUser(w http.ResponseWriter, r *http.Request) {
	u, err := h.auth.User(r.Context(), r.PathValue("email"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewUser(u))
}

// editUser changes a user's role and whether they are enabled. Disabling
// deletes their tokens; every server refuses them within two seconds.
func (h *api) editUser(w http.ResponseWriter, r *http.Request) {
	var body userEditForm
	if err := decodeJSON(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.Role == nil && body.Disabled == nil {
		h.fail(w, r, badRequest("want role or disabled, or both"))
		return
	}
	ctx, email := r.Context(), r.PathValue("email")
	if body.Role != nil {
		if err := h.auth.SetRole(ctx, email, *body.Role); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if body.Disabled != nil {
		change := h.auth.EnableUser
		if *body.Disabled {
			change = h.auth.DisableUser
		}
		if err := change(ctx, email); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.showUser(w, r)
}

func (h *api) deleteUser(w http.ResponseWriter, r *http.Request) {
	if err := h.auth.RemoveUser(r.Context(), r.PathValue("email")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *api) listTokens(w http.ResponseWriter, r *http.Request) {
	tokens, err := h.auth.Tokens(r.Context(), r.PathValue("email"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]tokenView, len(tokens))
	for i, t := range tokens {
		out[i] = viewToken(t)
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

func viewToken(t auth.Token) tokenView {
	scopes := t.Scopes
	if scopes == nil {
		scopes = []auth.Scope{}
	}
	return tokenView{Name: t.Name, Role: t.Role, Scopes: scopes, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt}
}

// createToken makes a token for a user and shows its secret, once.
func (h *api) createToken(w http.ResponseWriter, r *http.Request) {
	var body tokenForm
	if err := decodeJSON(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	secret, t, err := h.auth.CreateToken(r.Context(), r.PathValue("email"), auth.TokenSpec{Name: body.Name, Role: body.Role, Scopes: body.Scopes})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": viewToken(t), "secret": secret})
}

// revokeToken deletes a token; every server refuses it within two seconds.
func (h *api) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := h.auth.RevokeToken(r.Context(), r.PathValue("email"), r.PathValue("name")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// userForm is the body of a new user.
type userForm struct {
	Email    string    `json:"email"`
	Role     auth.Role `json:"role"`
	Password string    `json:"password"`
}

// userEditForm is the body of a change of a user's role or state.
type userEditForm struct {
	Role     *auth.Role `json:"role"`
	Disabled *bool      `json:"disabled"`
}

// tokenForm is the body of a new token.
type tokenForm struct {
	Name   string       `json:"name"`
	Role   auth.Role    `json:"role"`
	Scopes []auth.Scope `json:"scopes"`
}
