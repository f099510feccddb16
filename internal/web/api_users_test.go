package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestUsersAndTokensThroughTheAPI manages users and their tokens as an
// admin through the API, on both databases.
func TestUsersAndTokensThroughTheAPI(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			c := startServer(t, e)
			status, body := c.json("POST", "/api/v1/users", `{"email": "Eve@Example.org", "role": "staff"}`)
			if status != http.StatusCreated || body["password"] == nil || len(body["password"].(string)) < 20 {
				t.Fatalf("create user: %d %v", status, body)
			}
			if status, body = c.json("POST", "/api/v1/users", `{"email": "nobody", "role": "root"}`); status != http.StatusUnprocessableEntity ||
				!strings.Contains(body["fields"].([]any)[0].(map[string]any)["field"].(string), "email") {
				t.Fatalf("bad user: %d %v", status, body)
			}
			status, body = c.json("POST", "/api/v1/users/eve@example.org/tokens", `{"name": "am", "scopes": ["alertmanager"]}`)
			if status != http.StatusCreated || !strings.HasPrefix(body["secret"].(string), "vigie_") {
				t.Fatalf("create token: %d %v", status, body)
			}
			eve := &client{t: t, base: c.base, token: body["secret"].(string)}
			if status, body = eve.json("GET", "/api/v1/assets", ""); status != http.StatusForbidden ||
				!strings.Contains(body["message"].(string), `"read"`) {
				t.Fatalf("an alertmanager token reads: %d %v", status, body)
			}
			// A staff user cannot hold an import token: it could do nothing.
			if status, body = c.json("POST", "/api/v1/users/eve@example.org/tokens", `{"name": "ci", "scopes": ["import"]}`); status != http.StatusUnprocessableEntity ||
				body["fields"].([]any)[0].(map[string]any)["field"] != "scopes" {
				t.Fatalf("useless scope: %d %v", status, body)
			}
			if status, body = c.json("GET", "/api/v1/users/eve@example.org/tokens", ""); status != http.StatusOK ||
				len(body["tokens"].([]any)) != 1 || body["tokens"].([]any)[0].(map[string]any)["secret"] != nil {
				t.Fatalf("list tokens: %d %v", status, body)
			}
			if status, body = c.json("PATCH", "/api/v1/users/ops@example.org", `{"role": "staff"}`); status != http.StatusConflict {
				t.Fatalf("demote the last admin: %d %v", status, body)
			}
			if status, body = c.json("DELETE", "/api/v1/users/ops@example.org", ""); status != http.StatusConflict {
				t.Fatalf("remove the last admin: %d %v", status, body)
			}
			if status, body = c.json("GET", "/api/v1/me", ""); status != http.StatusOK || body["role"] != "admin" ||
				len(body["permissions"].([]any)) != len(auth.Permissions) {
				t.Fatalf("me: %d %v", status, body)
			}
			if status, _ = c.json("DELETE", "/api/v1/users/eve@example.org", ""); status != http.StatusNoContent {
				t.Fatalf("remove eve: %d", status)
			}
			if status, _ = eve.json("POST", "/api/v1/alertmanager", `{}`); status != http.StatusUnauthorized {
				t.Fatalf("a removed user's token: %d", status)
			}
			if status, body = c.json("GET", "/api/v1/users/eve@example.org", ""); status != http.StatusNotFound ||
				body["message"] != `user "eve@example.org" not found` {
				t.Fatalf("removed user: %d %v", status, body)
			}
		})
	}
}
