package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
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
	// RetryAfter, in seconds, is sent as Retry-After when set.
	RetryAfter int
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

// fieldError is a 422 listing the problems by field.
func fieldError(message string, err error, fields []map[string]string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Message: message, Err: err, Details: map[string]any{"fields": fields}}
}

func field(name, message string) map[string]string {
	return map[string]string{"field": name, "message": message}
}

// retryAfterSeconds is what a 503 asks senders to wait before trying again.
const retryAfterSeconds = 5

// classify is the one place where errors become answers: the domain's
// errors get their status and a message safe to show, everything else is a
// 500 with a generic message. The full error is only logged.
func classify(err error) *Error {
	var (
		we         *Error
		invalid    *inventory.InvalidError
		problems   inventory.Problems
		inUse      *inventory.InUseError
		badCheck   *inventory.CheckInvalidError
		badComp    *inventory.ComponentInvalidError
		badWindow  *incident.WindowInvalidError
		badPM      *incident.InvalidPostMortemError
		badEdit    *incident.EditError
		badPayload *incident.PayloadError
		tooBig     *http.MaxBytesError
		badAuth    *auth.InvalidError
	)
	switch {
	case errors.As(err, &we):
		return we
	case errors.As(err, &tooBig):
		return &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("body larger than %d bytes", tooBig.Limit), Err: err}
	case errors.As(err, &badCheck):
		fields := make([]map[string]string, len(badCheck.Fields))
		for i, f := range badCheck.Fields {
			fields[i] = field(f.Field, f.Message)
		}
		return fieldError("invalid check", err, fields)
	case errors.As(err, &badComp):
		fields := make([]map[string]string, len(badComp.Fields))
		for i, f := range badComp.Fields {
			fields[i] = field(f.Field, f.Message)
		}
		return fieldError("invalid component", err, fields)
	case errors.As(err, &invalid):
		fields := make([]map[string]string, len(invalid.Fields))
		for i, f := range invalid.Fields {
			fields[i] = field(f.Field.String(), f.Message)
		}
		return fieldError("invalid input", err, fields)
	case errors.As(err, &problems):
		return &Error{Status: http.StatusUnprocessableEntity, Message: fmt.Sprintf("%d problems, nothing changed", len(problems)),
			Err: err, Details: map[string]any{"errors": []inventory.Problem(problems)}}
	case errors.As(err, &inUse):
		return &Error{Status: http.StatusConflict, Message: inUse.What + " is still in use", Err: err,
			Details: map[string]any{"used_by": inUse.By}}
	case errors.As(err, &badWindow):
		fields := make([]map[string]string, len(badWindow.Fields))
		for i, f := range badWindow.Fields {
			fields[i] = field(f.Field, f.Message)
		}
		return fieldError("invalid maintenance window", err, fields)
	case errors.As(err, &badPM):
		fields := make([]map[string]string, len(badPM.Fields))
		for i, f := range badPM.Fields {
			fields[i] = field(f.Field, f.Message)
		}
		msg := "invalid post-mortem"
		if errors.Is(err, incident.ErrNotReady) {
			msg = "post-mortem not ready to publish"
		}
		return fieldError(msg, err, fields)
	case errors.Is(err, incident.ErrTransition):
		return &Error{Status: http.StatusConflict, Err: err,
			Message: "state change not allowed: draft goes to in_review, in_review back to draft or on to published"}
	case errors.Is(err, incident.ErrNotPublished):
		return &Error{Status: http.StatusConflict, Message: "only a published post-mortem can be made public", Err: err}
	case errors.Is(err, incident.ErrPublished):
		return &Error{Status: http.StatusConflict, Message: "a published post-mortem can only be made public or hidden", Err: err}
	case errors.As(err, &badEdit):
		return fieldError("invalid input", err, []map[string]string{field(badEdit.Field, badEdit.Message)})
	case errors.As(err, &badPayload):
		return &Error{Status: http.StatusBadRequest, Message: badPayload.Error(), Err: err}
	case errors.As(err, &badAuth):
		return fieldError("invalid input", err, []map[string]string{field(badAuth.Field, badAuth.Message)})
	case store.IsUnavailable(err):
		return &Error{Status: http.StatusServiceUnavailable, Message: "the database is unavailable; nothing was recorded, try again shortly",
			Err: err, RetryAfter: retryAfterSeconds}
	case errors.Is(err, probe.ErrOtherAsset):
		return &Error{Status: http.StatusForbidden, Message: "an agent reports the facts of its own asset only; nothing was recorded", Err: err}
	case errors.Is(err, auth.ErrLastAdmin):
		return &Error{Status: http.StatusConflict, Message: "refused: no enabled admin would be left", Err: err}
	case errors.Is(err, heartbeat.ErrUnknownToken):
		return &Error{Status: http.StatusNotFound, Message: "unknown heartbeat token", Err: err}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Message: store.NotFoundMessage(err), Err: err}
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Message: store.ConflictMessage(err), Err: err}
	}
	return &Error{Status: http.StatusInternalServerError, Message: "internal error", Err: err}
}

// responder is the error boundary the handlers of every surface share.
type responder struct {
	log *slog.Logger
}

// fail logs err and answers with its JSON form.
func (b *responder) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := classify(err)
	level := slog.LevelDebug
	if e.Status >= 500 {
		level = slog.LevelError
	}
	b.log.Log(r.Context(), level, "request failed", "method", r.Method, "route", routeOf(r), "status", e.Status, "err", err)
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	body := map[string]any{"error": http.StatusText(e.Status), "message": e.Message}
	for k, v := range e.Details {
		body[k] = v
	}
	writeJSON(w, e.Status, body)
}

// routeOf names a request for the logs by its route pattern, which holds
// no secret (a token in a path shows as {token}).
func routeOf(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return r.Method + " (no route)"
}

// writeJSON answers with v as indented JSON; it is the only JSON writer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// maxJSONBody bounds the body of a JSON request.
const maxJSONBody = 1 << 20

// decodeJSON reads one JSON object into v, strictly: unknown fields, wrong
// types, trailing data and oversized bodies are 400s that say what is wrong.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	return decodeBody(data, v)
}

// decodeStrict decodes one JSON object from body into v.
func decodeStrict(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
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
		return badRequest("malformed JSON: field %q: want %s, got %s", jsonPath(reflect.TypeOf(v), typ.Field), jsonKind(typ.Type), article(typ.Value))
	case errors.Is(err, io.EOF):
		return badRequest("malformed JSON: empty body")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed JSON: body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("malformed JSON: unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return badRequest("malformed JSON: %v", err)
}

// readBody reads a whole body, already bounded by a MaxBytesReader.
func readBody(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return data, nil
}
