package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
)

// Error is an error with the HTTP status and the safe message to show; the
// wrapped error is logged, never shown.
type Error struct {
	Status  int
	Message string
	Err     error
	// Details, when set, is added to the JSON body (field errors, problems).
	Details map[string]any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Message, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// classify turns any error into an *Error: the domain's errors get their
// status and message, everything else is a 500 with a generic message.
func classify(err error) *Error {
	var we *Error
	var invalid *inventory.InvalidError
	var problems inventory.Problems
	var inUse *inventory.InUseError
	var badCheck *inventory.CheckInvalidError
	switch {
	case errors.As(err, &badCheck):
		fields := make([]map[string]string, len(badCheck.Fields))
		for i, f := range badCheck.Fields {
			fields[i] = map[string]string{"field": f.Field, "message": f.Message}
		}
		return &Error{Status: http.StatusUnprocessableEntity, Message: "invalid check", Err: err,
			Details: map[string]any{"fields": fields}}
	case errors.As(err, &we):
		return we
	case errors.As(err, &invalid):
		fields := make([]map[string]string, len(invalid.Fields))
		for i, f := range invalid.Fields {
			fields[i] = map[string]string{"field": f.Field.String(), "message": f.Message}
		}
		return &Error{Status: http.StatusUnprocessableEntity, Message: "invalid input", Err: err,
			Details: map[string]any{"fields": fields}}
	case errors.As(err, &problems):
		return &Error{Status: http.StatusUnprocessableEntity, Message: fmt.Sprintf("%d problems, nothing changed", len(problems)),
			Err: err, Details: map[string]any{"errors": []inventory.Problem(problems)}}
	case errors.As(err, &inUse):
		return &Error{Status: http.StatusConflict, Message: inUse.What + " is still in use", Err: err,
			Details: map[string]any{"used_by": inUse.By}}
	case store.IsUnavailable(err):
		return &Error{Status: http.StatusServiceUnavailable, Message: "the database is unavailable; nothing was recorded, try again shortly", Err: err}
	case errors.Is(err, auth.ErrInvalid):
		return &Error{Status: http.StatusUnprocessableEntity, Message: err.Error(), Err: err}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Message: notFoundMessage(err), Err: err}
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Message: "already exists or conflicts with existing data", Err: err}
	}
	return &Error{Status: http.StatusInternalServerError, Message: "internal error", Err: err}
}

// notFoundMessage keeps the domain's own "asset "x": not found" prefix,
// which names only what the caller asked for.
func notFoundMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": "+store.ErrNotFound.Error()); i > 0 {
		return msg[:i] + " not found"
	}
	return "not found"
}

// retryAfterSeconds is what a 503 asks senders to wait before trying again.
const retryAfterSeconds = 5

// writeError logs err and answers with its JSON form.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := classify(err)
	level := slog.LevelDebug
	if e.Status >= 500 {
		level = slog.LevelError
	}
	s.log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "status", e.Status, "err", err)
	if e.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	}
	body := map[string]any{"error": http.StatusText(e.Status), "message": e.Message}
	for k, v := range e.Details {
		body[k] = v
	}
	writeJSON(w, e.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// decodeJSON reads one JSON object into v, strictly: unknown fields, wrong
// types, trailing data and oversized bodies are 400s that say what is wrong.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return badRequest("malformed JSON: unexpected data after the object")
		}
		return nil
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("body larger than %d bytes", tooBig.Limit)}
	case errors.As(err, &syntax):
		return badRequest("malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		return badRequest("malformed JSON: field %q: want %s, got %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return badRequest("malformed JSON: empty body")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed JSON: body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("malformed JSON: unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return badRequest("malformed JSON: %v", err)
}
