package incident

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultZone is the zone of a maintenance window that names none: the
// reference host works at night, Paris time.
const DefaultZone = "Europe/Paris"

// DefaultVerify is how long a window stays "verifying" after it ends.
const DefaultVerify = 15 * time.Minute

// localLayout is how window start and end are written: a wall-clock time
// in the window's zone, without offset, so that "02:00" stays 02:00 across
// daylight saving changes.
// Seconds may be given too ("2026-11-27T02:00:30").
const localLayout = "2006-01-02T15:04"

// parseLocal reads a wall-clock time in loc, with or without seconds.
func parseLocal(v string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(localLayout, v, loc)
	if err != nil {
		t, err = time.ParseInLocation(localLayout+":05", v, loc)
	}
	return t, err
}

// MaintenanceState is where a window is in its life, moved by time.
type MaintenanceState string

// The states of a maintenance window.
const (
	Scheduled  MaintenanceState = "scheduled"
	InProgress MaintenanceState = "in_progress"
	Verifying  MaintenanceState = "verifying"
	Completed  MaintenanceState = "completed"
)

// Window is a maintenance window on some assets; its scope is them and
// everything that depends on them.
type Window struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Assets []string `json:"assets"`
	// Start and End are wall-clock times in Zone, "2026-11-27T02:00".
	Start string `json:"start"`
	End   string `json:"end"`
	Zone  string `json:"zone,omitempty"`
	// Weekly repeats the window every week at the same wall-clock times.
	Weekly bool `json:"weekly,omitempty"`
	// Verify is how long the window stays verifying after it ends.
	Verify time.Duration `json:"verify,omitempty"`
	// The public texts: Title is French, TitleEN English (falling back to
	// Title); Description and DescriptionEN say what customers will see.
	TitleEN       string `json:"title_en,omitempty"`
	Description   string `json:"description,omitempty"`
	DescriptionEN string `json:"description_en,omitempty"`
	// Sequence counts the changes of a window (iCalendar SEQUENCE);
	// Cancelled windows are kept so that calendars carry the cancellation.
	Sequence  int       `json:"sequence"`
	Cancelled bool      `json:"cancelled,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	// CreatedAt is when the window was declared, which tells whether an
	// occurrence was announced in advance; read only.
	CreatedAt time.Time `json:"created_at"`
}

// FieldError is a problem with one field of a window.
type FieldError struct {
	Field, Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Validate checks a window and returns its problems by field.
func (w *Window) Validate() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if len(w.Assets) == 0 {
		add("assets", "required: the assets under maintenance")
	}
	// Local times mean nothing without their zone: it is required, never
	// guessed. A bad zone still lets start and end be checked, in UTC.
	loc, err := w.location()
	switch {
	case strings.TrimSpace(w.Zone) == "":
		add("zone", "required: the IANA time zone of start and end, such as Europe/Paris")
		loc = time.UTC
	case err != nil:
		add("zone", "unknown time zone %q: want an IANA name such as Europe/Paris", w.Zone)
		loc = time.UTC
	}
	start, errS := parseLocal(w.Start, loc)
	if errS != nil {
		add("start", "want a local time such as 2026-11-27T02:00, got %q", w.Start)
	}
	end, errE := parseLocal(w.End, loc)
	if errE != nil {
		add("end", "want a local time such as 2026-11-27T04:00, got %q", w.End)
	}
	if errS == nil && errE == nil {
		switch {
		case !end.After(start):
			add("end", "must be after start")
		case w.Weekly && end.Sub(start) >= 7*24*time.Hour:
			add("end", "a weekly window must last less than a week")
		}
	}
	if w.Verify < 0 {
		add("verify", "must not be negative")
	}
	for _, t := range []struct {
		field, text string
		max         int
	}{{"title_en", w.TitleEN, maxTextLen}, {"description", w.Description, maxMessageLen}, {"description_en", w.DescriptionEN, maxMessageLen}} {
		if utf8.RuneCountInString(t.text) > t.max {
			add(t.field, "at most %d characters", t.max)
		}
	}
	return errs
}

func (w *Window) location() (*time.Location, error) {
	zone := w.Zone
	if zone == "" {
		zone = DefaultZone
	}
	if strings.EqualFold(zone, "local") {
		return nil, errors.New("explicit zone required")
	}
	return time.LoadLocation(zone)
}

func (w *Window) verify() time.Duration {
	if w.Verify > 0 {
		return w.Verify
	}
	return DefaultVerify
}

// Occurrence returns the occurrence of the window that is current at now
// (in progress or verifying), else the next one, else (for a one-off window
// already over) the last one. ok is false for an invalid window.
func (w *Window) Occurrence(now time.Time) (start, end time.Time, ok bool) {
	loc, err := w.location()
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	s, errS := parseLocal(w.Start, loc)
	e, errE := parseLocal(w.End, loc)
	if errS != nil || errE != nil || !e.After(s) {
		return time.Time{}, time.Time{}, false
	}
	if !w.Weekly {
		return widest(s, e)
	}
	// Step by whole weeks of wall-clock time, so that a window at 02:00
	// Paris stays at 02:00 Paris on both sides of a daylight saving change.
	weeks := int(now.Sub(s).Hours() / (7 * 24))
	if weeks < 0 {
		weeks = 0
	}
	for k := max(weeks-1, 0); ; k++ {
		os, oe, _ := widest(s.AddDate(0, 0, 7*k), e.AddDate(0, 0, 7*k))
		if now.Before(oe.Add(w.verify())) {
			return os, oe, true
		}
	}
}

// widest resolves wall-clock times that happen twice (the night clocks go
// back) to the earliest start and the latest end, so that a window never
// ends before the work it announces.
func widest(start, end time.Time) (time.Time, time.Time, bool) {
	if earlier := start.Add(-time.Hour); sameWall(earlier, start) {
		start = earlier
	}
	if later := end.Add(time.Hour); sameWall(later, end) {
		end = later
	}
	return start, end, true
}

func sameWall(a, b time.Time) bool {
	ya, ma, da := a.Date()
	yb, mb, db := b.Date()
	return ya == yb && ma == mb && da == db && a.Hour() == b.Hour() && a.Minute() == b.Minute()
}

// State returns the state of the window at now: a weekly window goes back
// to scheduled once an occurrence is completed. A cancelled window is
// completed: it will not happen, and mutes nothing.
func (w *Window) State(now time.Time) MaintenanceState {
	start, end, ok := w.Occurrence(now)
	switch {
	case !ok || w.Cancelled:
		return Completed
	case now.Before(start):
		return Scheduled
	case now.Before(end):
		return InProgress
	case now.Before(end.Add(w.verify())):
		return Verifying
	}
	return Completed
}

// Active reports whether the window is in progress at now: signals inside
// its scope then open no incident and page no one.
func (w *Window) Active(now time.Time) bool { return w.State(now) == InProgress }
