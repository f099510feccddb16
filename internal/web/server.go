// Package web serves Vigie's HTTP surfaces; for now the JSON API under /api/v1.
package web

import (
	"log/slog"
	"net/http"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
)

// maxJSONBody bounds the body of a JSON request.
const maxJSONBody = 1 << 20

// MaxImportBody bounds the body of an import request.
const MaxImportBody = 256 << 20

// Server holds what the handlers need.
type Server struct {
	inv  *inventory.Service
	auth *auth.Service
	log  *slog.Logger
}

// NewServer returns the web server over the given services.
func NewServer(inv *inventory.Service, users *auth.Service, logger *slog.Logger) *Server {
	return &Server{inv: inv, auth: users, log: logger}
}

// Handler returns the routes of every surface.
func (s *Server) Handler() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/customers", s.listCustomers)
	api.HandleFunc("POST /api/v1/customers", s.createCustomer)
	api.HandleFunc("GET /api/v1/customers/{id}", s.showCustomer)
	api.HandleFunc("PUT /api/v1/customers/{id}", s.updateCustomer)
	api.HandleFunc("DELETE /api/v1/customers/{id}", s.deleteCustomer)
	api.HandleFunc("GET /api/v1/assets", s.listAssets)
	api.HandleFunc("POST /api/v1/assets", s.createAsset)
	api.HandleFunc("GET /api/v1/assets/{name}", s.showAsset)
	api.HandleFunc("PUT /api/v1/assets/{name}", s.updateAsset)
	api.HandleFunc("DELETE /api/v1/assets/{name}", s.deleteAsset)
	api.HandleFunc("GET /api/v1/assets/{name}/impact", s.showImpact)
	api.HandleFunc("GET /api/v1/impact/{name}", s.showImpact)
	api.HandleFunc("POST /api/v1/import", s.importInventory)
	api.HandleFunc("GET /api/v1/checks", s.listChecks)
	api.HandleFunc("POST /api/v1/checks", s.createCheck)
	api.HandleFunc("GET /api/v1/checks/{asset}/{name}", s.showCheck)
	api.HandleFunc("PUT /api/v1/checks/{asset}/{name}", s.updateCheck)
	api.HandleFunc("DELETE /api/v1/checks/{asset}/{name}", s.deleteCheck)
	api.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &Error{Status: http.StatusNotFound, Message: "no such API endpoint"})
	})

	mux := http.NewServeMux()
	mux.Handle("/api/v1/", s.requireToken(api))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return s.recoverPanics(s.logRequests(mux))
}
