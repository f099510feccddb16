package web

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/facts"
	"github.com/vigie/vigie/internal/probe"
)

// maxResultsBody bounds a results batch once decompressed.
const maxResultsBody = 32 << 20

type locationKey struct{}

// requireLocation lets through only requests with a valid location token.
func (s *Server) requireLocation(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.locations == nil {
			s.writeError(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "remote probes are not enabled"})
			return
		}
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			s.unauthorized(w, r, "missing location token: send Authorization: Bearer <token>")
			return
		}
		loc, err := s.locations.Authenticate(r.Context(), strings.TrimSpace(token))
		if errors.Is(err, probe.ErrBadLocationToken) {
			s.unauthorized(w, r, "invalid or revoked location token")
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), locationKey{}, loc.Name)))
	})
}

// probeAssignments returns the checks of the calling location. With
// If-None-Match set to the current ETag it waits (up to ?wait=, at most
// 60 s) for the inventory to change, then answers 304 if it did not.
func (s *Server) probeAssignments(w http.ResponseWriter, r *http.Request) {
	location := r.Context().Value(locationKey{}).(string)
	wait := time.Duration(0)
	if v := r.URL.Query().Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			s.writeError(w, r, badRequest("wait: want a duration such as 30s, got %q", v))
			return
		}
		wait = min(d, 60*time.Second)
	}
	if err := s.inv.LoadGraph(r.Context()); err != nil {
		s.writeError(w, r, err)
		return
	}
	etag := func() string { return fmt.Sprintf(`"v%d"`, s.inv.Graph().Version()) }
	if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag() {
		deadline := time.NewTimer(wait)
		defer deadline.Stop()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
	waiting:
		for inm == etag() {
			select {
			case <-r.Context().Done():
				return
			case <-s.stopping:
				// The server is shutting down: answer now, the probe
				// polls the next server (or this one again) at once.
				break waiting
			case <-deadline.C:
				break waiting
			case <-tick.C:
			}
		}
		if inm == etag() {
			w.Header().Set("ETag", inm)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	version, checks, err := probe.Assignments(r.Context(), s.inv, location)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", fmt.Sprintf(`"v%d"`, version))
	writeJSON(w, http.StatusOK, map[string]any{"location": location, "version": version, "checks": checks})
}

// probeResults takes a batch of results, gzip-compressed or not, and
// answers with the last sequence number taken: the probe may then forget
// everything up to it.
func (s *Server) probeResults(w http.ResponseWriter, r *http.Request) {
	location := r.Context().Value(locationKey{}).(string)
	var body io.Reader = http.MaxBytesReader(w, r.Body, maxResultsBody)
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(body)
		if err != nil {
			s.writeError(w, r, badRequest("body is not gzip: %v", err))
			return
		}
		defer func() { _ = zr.Close() }()
		body = io.LimitReader(zr, maxResultsBody)
	}
	var batch struct {
		Epoch   string         `json:"epoch"`
		Records []probe.Record `json:"records"`
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&batch); err != nil {
		s.writeError(w, r, badRequest("malformed results batch: %v", err))
		return
	}
	for i := 1; i < len(batch.Records); i++ {
		if batch.Records[i].Seq <= batch.Records[i-1].Seq {
			s.writeError(w, r, badRequest("records: sequence numbers must increase (record %d)", i))
			return
		}
	}
	if batch.Epoch == "" || len(batch.Epoch) > 64 {
		s.writeError(w, r, badRequest("epoch: want the probe buffer's id"))
		return
	}
	// The acknowledgement comes only once the results are committed: the
	// probe forgets what it was acknowledged.
	ack, err := s.results.Take(r.Context(), location, batch.Epoch, batch.Records, time.Now())
	s.intake("probe-results", err)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"ack": strconv.FormatUint(ack, 10)})
}

// probeFacts takes the facts of a host from its agent and answers with the
// compliance violations found.
func (s *Server) probeFacts(w http.ResponseWriter, r *http.Request) {
	location := r.Context().Value(locationKey{}).(string)
	var body struct {
		Asset string      `json:"asset"`
		Facts facts.Facts `json:"facts"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	if body.Asset == "" {
		s.writeError(w, r, badRequest("asset: required"))
		return
	}
	violations, err := s.compliance.Report(r.Context(), location, body.Asset, body.Facts)
	s.intake("facts", err)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"asset": body.Asset, "violations": violations})
}

// listCompliance shows every host's facts and violations.
func (s *Server) listCompliance(w http.ResponseWriter, r *http.Request) {
	hosts, err := s.compliance.List(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"hosts": hosts})
}
