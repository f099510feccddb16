package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
)

type ctxKey int

const userKey ctxKey = 0

// UserFrom returns the authenticated user of a request.
func UserFrom(ctx context.Context) (auth.User, bool) {
	switch v := ctx.Value(userKey).(type) {
	case auth.Principal:
		return v.User, true
	case auth.User:
		return v, true
	}
	return auth.User{}, false
}

// PrincipalFrom returns who an authenticated request acts as: its user,
// token, role and scopes.
func PrincipalFrom(ctx context.Context) (auth.Principal, bool) {
	p, ok := ctx.Value(userKey).(auth.Principal)
	return p, ok
}

// requireToken lets through only requests with a valid bearer token.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, secret, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			s.unauthorized(w, r, "missing bearer token: send Authorization: Bearer <token>")
			return
		}
		p, err := s.auth.Authenticate(r.Context(), strings.TrimSpace(secret))
		if errors.Is(err, auth.ErrUnauthorized) {
			s.unauthorized(w, r, "invalid or revoked token")
			return
		}
		if err != nil {
			s.writeError(w, r, fmt.Errorf("authenticate: %w", err))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey, p)))
	})
}

func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="vigie"`)
	s.writeError(w, r, &Error{Status: http.StatusUnauthorized, Message: msg})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration", time.Since(start))
	})
}

// recoverPanics turns a panic in a handler into a logged 500, so that no
// panic reaches a user as a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
