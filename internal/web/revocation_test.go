package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestARevocationReachesTheOtherServerWithinTwoSeconds runs two servers on
// one PostgreSQL database. Server B has verified (and cached) a token;
// server A revokes it, disables a user, demotes another, through its API;
// B refuses each within two seconds of A's answer.
func TestARevocationReachesTheOtherServerWithinTwoSeconds(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, store.Postgres)
	serve := func() (*app.App, string) {
		a, err := app.Open(ctx, app.Config{DB: dsn})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Close() })
		srv := httptest.NewServer(a.Handler())
		t.Cleanup(srv.Close)
		return a, srv.URL
	}
	a, serverA := serve()
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "h.yaml", Data: []byte("assets:\n  - {name: hv03, kind: hypervisor}\n")}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	_, serverB := serve()
	token := func(email string, role auth.Role, name string) string {
		t.Helper()
		if _, err := a.Auth.User(ctx, email); err != nil {
			if _, err := a.Auth.AddUser(ctx, email, role, "a long enough password"); err != nil {
				t.Fatal(err)
			}
		}
		secret, _, err := a.Auth.CreateToken(ctx, email, auth.TokenSpec{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	call := func(base, method, path, bearer, body string) int {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+bearer)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	admin := token("admin@example.org", auth.RoleAdmin, "console")
	// withinTwoSeconds polls B until it answers want, from the moment A
	// answered: the bound is the requirement itself.
	withinTwoSeconds := func(what string, bearer, method, path, body string, want int) {
		t.Helper()
		start := time.Now()
		for {
			got := call(serverB, method, path, bearer, body)
			if got == want {
				t.Logf("%s: server B answered %d after %v", what, want, time.Since(start).Round(time.Millisecond))
				return
			}
			if time.Since(start) > 2*time.Second {
				t.Fatalf("%s: server B still answers %d after 2 s, want %d", what, got, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	laptop := token("admin@example.org", auth.RoleAdmin, "laptop")
	if got := call(serverB, "GET", "/api/v1/assets", laptop, ""); got != 200 {
		t.Fatalf("B before the revocation: %d", got)
	}
	if got := call(serverA, "DELETE", "/api/v1/users/admin@example.org/tokens/laptop", admin, ""); got != 204 {
		t.Fatalf("revoke on A: %d", got)
	}
	withinTwoSeconds("token revoked", laptop, "GET", "/api/v1/assets", "", 401)

	eve := token("eve@example.org", auth.RoleStaff, "eve")
	if got := call(serverB, "GET", "/api/v1/assets", eve, ""); got != 200 {
		t.Fatalf("B before disabling: %d", got)
	}
	if got := call(serverA, "PATCH", "/api/v1/users/eve@example.org", admin, `{"disabled": true}`); got != 200 {
		t.Fatalf("disable on A: %d", got)
	}
	withinTwoSeconds("user disabled", eve, "GET", "/api/v1/assets", "", 401)

	bob := token("bob@example.org", auth.RoleStaff, "bob")
	note := `{"title": "kernel", "assets": ["hv03"], "start": "2026-12-07T02:00", "end": "2026-12-07T03:00", "zone": "Europe/Paris"}`
	if got := call(serverB, "POST", "/api/v1/maintenance", bob, note); got != 201 {
		t.Fatalf("B before the demotion: %d", got)
	}
	if got := call(serverA, "PATCH", "/api/v1/users/bob@example.org", admin, `{"role": "viewer"}`); got != 200 {
		t.Fatalf("demote on A: %d", got)
	}
	withinTwoSeconds("user made a viewer", bob, "POST", "/api/v1/maintenance", note, 403)
}
