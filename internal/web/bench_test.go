package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// BenchmarkRequestThroughTheLayer measures one authorized staff call
// (GET /api/v1/me) through the whole layer: security headers, the request
// log, the route's deadline, the token (cached after the first call, with
// the revocation generation read at most once a second) and the permission.
// The baseline is the same answer written by the bare handler.
func BenchmarkRequestThroughTheLayer(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	a := auth.NewService(db)
	ctx := context.Background()
	if _, err := a.AddUser(ctx, "ops@example.org", auth.RoleAdmin, "a long enough password"); err != nil {
		b.Fatal(err)
	}
	token, _, err := a.CreateToken(ctx, "ops@example.org", auth.TokenSpec{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	s := NewServer(Deps{Auth: a})
	full := s.Handler()
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	p, err := a.Authenticate(ctx, token)
	if err != nil {
		b.Fatal(err)
	}
	h := &api{responder: s.responder}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.showMe(w, r.WithContext(context.WithValue(r.Context(), principalKey, p)))
	})
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{{"baseline-handler-alone", bare}, {"whole-layer", full}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				tc.h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
