// Package settings keeps the host's settings that staff change from the
// console while the server runs: the maintenance night window, the settle
// window of new incidents, how long a recovered incident stays in
// monitoring, when unacknowledged pages escalate and how early maintenance
// notices go out. Each has a default, the command-line flag of vigie
// serve; a value set from the console, stored in the database, replaces it
// on every replica within seconds, without a restart.
package settings

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Values are the settings in force.
type Values struct {
	// NightStart and NightEnd are the maintenance night window, as times
	// of day ("02:00", "04:00") in NightZone, an IANA zone name.
	NightStart string `json:"night_start"`
	NightEnd   string `json:"night_end"`
	NightZone  string `json:"night_zone"`
	// Settle is how long an incident opened by correlation stays
	// unsettled (told to staff only) before customers hear of it.
	Settle time.Duration `json:"settle"`
	// Quiet is how long an incident stays in monitoring after recovery
	// before it resolves by itself.
	Quiet time.Duration `json:"quiet"`
	// EscalateAfter is how long a page may stay unacknowledged before
	// every staff member is paged.
	EscalateAfter time.Duration `json:"escalate_after"`
	// MaintenanceNotice is how long before a maintenance window its
	// notice goes to the customers it touches.
	MaintenanceNotice time.Duration `json:"maintenance_notice"`
}

// The names of the settings, as stored, in forms and in error messages.
const (
	NameNightStart        = "night_start"
	NameNightEnd          = "night_end"
	NameNightZone         = "night_zone"
	NameSettle            = "settle"
	NameQuiet             = "quiet"
	NameEscalateAfter     = "escalate_after"
	NameMaintenanceNotice = "maintenance_notice"
)

// Names lists every setting in the order pages show them.
var Names = []string{NameNightStart, NameNightEnd, NameNightZone, NameSettle, NameQuiet, NameEscalateAfter, NameMaintenanceNotice}

// Builtin are the defaults when vigie serve is given no flag: the night
// window 02:00 to 04:00 Paris time, the flags' own defaults otherwise.
var Builtin = Values{NightStart: "02:00", NightEnd: "04:00", NightZone: "Europe/Paris",
	Settle: 60 * time.Second, Quiet: 10 * time.Minute, EscalateAfter: 10 * time.Minute, MaintenanceNotice: 72 * time.Hour}

// durationBounds are the accepted ranges of the durations: long enough to
// mean something, short enough that a typo (10h for 10m) is caught.
var durationBounds = map[string][2]time.Duration{
	NameSettle:            {time.Second, time.Hour},
	NameQuiet:             {time.Minute, 24 * time.Hour},
	NameEscalateAfter:     {time.Minute, 24 * time.Hour},
	NameMaintenanceNotice: {time.Hour, 30 * 24 * time.Hour},
}

// FieldError is one refused setting, by its name.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// InvalidError lists the refused settings; nothing was changed.
type InvalidError struct {
	Fields []FieldError
}

func (e *InvalidError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	return "invalid settings: " + strings.Join(msgs, "; ")
}

// Text returns the settings as stored: each by its name, durations as Go
// durations without their zero units ("90s" reads "1m30s", "10m", "72h"),
// times of day as HH:MM.
func (v Values) Text() map[string]string {
	return map[string]string{
		NameNightStart: v.NightStart, NameNightEnd: v.NightEnd, NameNightZone: v.NightZone,
		NameSettle: Duration(v.Settle), NameQuiet: Duration(v.Quiet),
		NameEscalateAfter: Duration(v.EscalateAfter), NameMaintenanceNotice: Duration(v.MaintenanceNotice),
	}
}

// Parse reads settings from text by name over base: names left out keep
// base's value. Every problem is reported, by the setting's name.
func Parse(base Values, text map[string]string) (Values, error) {
	v := base
	var fields []FieldError
	for name, raw := range text {
		raw = strings.TrimSpace(raw)
		switch name {
		case NameNightStart:
			v.NightStart = raw
		case NameNightEnd:
			v.NightEnd = raw
		case NameNightZone:
			v.NightZone = raw
		case NameSettle, NameQuiet, NameEscalateAfter, NameMaintenanceNotice:
			d, err := time.ParseDuration(raw)
			if err != nil {
				fields = append(fields, FieldError{name, fmt.Sprintf("want a duration such as 90s, 10m or 72h, got %q", raw)})
				continue
			}
			*v.duration(name) = d
		default:
			fields = append(fields, FieldError{name, "no such setting"})
		}
	}
	if len(fields) > 0 {
		sortFields(fields)
		return base, &InvalidError{Fields: fields}
	}
	return v, nil
}

// duration returns the field of the duration setting name.
func (v *Values) duration(name string) *time.Duration {
	switch name {
	case NameSettle:
		return &v.Settle
	case NameQuiet:
		return &v.Quiet
	case NameEscalateAfter:
		return &v.EscalateAfter
	}
	return &v.MaintenanceNotice
}

// Validate returns nil when every setting is acceptable, else an
// *InvalidError naming each refused one.
func (v Values) Validate() error { return v.validate(durationNames) }

// durationNames are the settings that are durations.
var durationNames = []string{NameSettle, NameQuiet, NameEscalateAfter, NameMaintenanceNotice}

// validate checks the night window and the durations named: the flags'
// values (a test's 300 ms settle window) are not held to the console's
// bounds, only the values typed there.
func (v Values) validate(durations []string) error {
	var fields []FieldError
	start, errStart := clock(v.NightStart)
	if errStart != "" {
		fields = append(fields, FieldError{NameNightStart, errStart})
	}
	end, errEnd := clock(v.NightEnd)
	if errEnd != "" {
		fields = append(fields, FieldError{NameNightEnd, errEnd})
	}
	if errStart == "" && errEnd == "" && end <= start {
		fields = append(fields, FieldError{NameNightEnd, fmt.Sprintf("the night window must end after it starts (%s), the same night: got %s", v.NightStart, v.NightEnd)})
	}
	if _, err := Zone(v.NightZone); err != nil {
		fields = append(fields, FieldError{NameNightZone, err.Error()})
	}
	for _, name := range durations {
		d, b := *v.duration(name), durationBounds[name]
		if d < b[0] || d > b[1] {
			fields = append(fields, FieldError{name, fmt.Sprintf("want from %s to %s, got %s", Duration(b[0]), Duration(b[1]), Duration(d))})
		}
	}
	if len(fields) > 0 {
		return &InvalidError{Fields: fields}
	}
	return nil
}

// clock returns the minutes after midnight of a time of day written HH:MM,
// or what is wrong with it.
func clock(s string) (int, string) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, fmt.Sprintf("want a time of day such as 02:00, got %q", s)
	}
	return t.Hour()*60 + t.Minute(), ""
}

// Zone loads an IANA zone name, refusing an empty one and "Local" (the
// machine's zone, which another replica may not share).
func Zone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		return nil, fmt.Errorf("want an IANA time zone such as Europe/Paris, got %q", name)
	}
	return loc, nil
}

// Duration writes d as people would, without its zero units: 45s,
// 1m30s, 10m, 72h, 1h30m.
func Duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func sortFields(fields []FieldError) {
	slices.SortStableFunc(fields, func(a, b FieldError) int {
		return slices.Index(Names, a.Field) - slices.Index(Names, b.Field)
	})
}
