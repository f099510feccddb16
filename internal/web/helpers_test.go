package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
)

// serveAPI serves the whole web layer over db on loopback and returns its
// address. Every request goes in with the real token of an admin,
// ops@example.org, added by the test server, so that the handlers run
// behind the real authentication. Unset dependencies are made over db;
// inventoryYAML, when not empty, is imported first.
func serveAPI(t *testing.T, db *store.DB, d Deps, inventoryYAML string) string {
	t.Helper()
	d = sessionDeps(t, db, d, inventoryYAML)
	token := adminToken(t, d.Auth)
	h := CheckedByReference(t, NewServer(d).Handler())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+token)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// adminToken creates ops@example.org as an admin and returns a token of it.
func adminToken(t *testing.T, a *auth.Service) string {
	t.Helper()
	ctx := context.Background()
	if _, err := a.AddUser(ctx, "ops@example.org", auth.RoleAdmin, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	token, _, err := a.CreateToken(ctx, "ops@example.org", auth.TokenSpec{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// fixedClock returns a clock reading *at.
func fixedClock(at *time.Time) func() time.Time { return func() time.Time { return *at } }
