// Package heartbeat receives the pings of jobs (backups, cron tasks) and
// judges heartbeat checks from them: a job calls its check's URL when it
// runs, and no call within the period plus the grace, or a call reporting
// failure, fails the check.
package heartbeat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The statuses a ping reports.
const (
	StatusOK   = "ok"
	StatusFail = "fail"
)

// MaxBody is the largest ping body accepted, in bytes.
const MaxBody = 64 << 10

// MaxMessage is the longest ping message, in characters.
const MaxMessage = 1000

// MaxRestorePoint is the longest restore point id, in bytes.
const MaxRestorePoint = 200

// ErrBodyTooLarge is returned by ParsePing for a body over MaxBody.
var ErrBodyTooLarge = fmt.Errorf("body larger than %d bytes", MaxBody)

// Ping is what a job reports when it calls: its status and, optionally, the
// size of what it produced, how long it ran, a message and, for a backup,
// the id its tool gave the copy it made (a snapshot or archive name),
// which customers are shown as a restore point.
type Ping struct {
	Status       string    `json:"status"` // StatusOK or StatusFail
	Size         *int64    `json:"size,omitempty"`
	Duration     *Duration `json:"duration,omitempty"`
	Message      string    `json:"message,omitempty"`
	RestorePoint string    `json:"restore_point,omitempty"`
}

// Duration is how long a job ran: in JSON, a number of seconds (90, 1.5) or
// a string such as "1m30s". It is written as a number of seconds.
type Duration time.Duration

// maxSeconds keeps a duration in seconds within a time.Duration.
const maxSeconds = float64(math.MaxInt64 / int64(time.Second))

// UnmarshalJSON reads a number of seconds or a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("field \"duration\": %w", err)
		}
		v, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("field \"duration\": want seconds or a duration such as \"1m30s\", got %q", s)
		}
		if v < 0 {
			return errors.New("field \"duration\": must not be negative")
		}
		*d = Duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("field \"duration\": want seconds or a duration such as \"1m30s\", got %s", b)
	}
	if secs < 0 || secs > maxSeconds {
		return fmt.Errorf("field \"duration\": %s seconds is out of range", b)
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}

// MarshalJSON writes the duration as a number of seconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).Seconds())
}

// ParsePing reads a ping body strictly: an empty body is an ok ping;
// otherwise one JSON object whose unknown fields, wrong types, unknown
// statuses or long messages are errors that say what is wrong. The errors
// describe only the input, so they are safe to show to the caller.
func ParsePing(body []byte) (Ping, error) {
	if len(body) > MaxBody {
		return Ping{}, ErrBodyTooLarge
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return Ping{Status: StatusOK}, nil
	}
	if body[0] != '{' {
		return Ping{}, errors.New("want a JSON object")
	}
	var p Ping
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Ping{}, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Ping{}, errors.New("malformed JSON: unexpected data after the object")
	}
	if err := p.normalize(); err != nil {
		return Ping{}, err
	}
	return p, nil
}

// normalize defaults the status to ok and checks every field.
func (p *Ping) normalize() error {
	switch p.Status {
	case "":
		p.Status = StatusOK
	case StatusOK, StatusFail:
	default:
		return fmt.Errorf("field \"status\": want %q or %q, got %q", StatusOK, StatusFail, p.Status)
	}
	if p.Size != nil && *p.Size < 0 {
		return errors.New("field \"size\": must not be negative")
	}
	if p.Duration != nil && *p.Duration < 0 {
		return errors.New("field \"duration\": must not be negative")
	}
	if err := checkRestorePoint(p.RestorePoint); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(p.Message); n > MaxMessage {
		return fmt.Errorf("field \"message\": %d characters, at most %d are allowed", n, MaxMessage)
	}
	// Lines and tabs are kept for job output; other control characters,
	// NUL above all, have no place in a message and PostgreSQL refuses NUL.
	if strings.IndexFunc(p.Message, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r'
	}) >= 0 {
		return errors.New("field \"message\": control characters are not allowed")
	}
	return nil
}

// checkRestorePoint accepts an id of at most MaxRestorePoint bytes of
// printable characters (spaces inside only): what backup tools name their
// snapshots and archives with, and nothing a page could show wrongly.
func checkRestorePoint(id string) error {
	const field = "field \"restore_point\": "
	switch {
	case id == "":
		return nil
	case len(id) > MaxRestorePoint:
		return fmt.Errorf(field+"%d bytes, at most %d are allowed", len(id), MaxRestorePoint)
	case !utf8.ValidString(id):
		return errors.New(field + "not valid UTF-8")
	case strings.TrimSpace(id) != id:
		return errors.New(field + "must not start or end with a space")
	case strings.IndexFunc(id, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return errors.New(field + "only printable characters are allowed (no tab, line break or control character)")
	}
	return nil
}

// jsonError turns a decoding error into a message naming the problem.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		return fmt.Errorf("field %q: want %s, got %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("malformed JSON: body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	// Errors of Duration.UnmarshalJSON already name their field.
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}
