package notify

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// FieldError is one problem of a channel, by the name of its field
// ("id", "audiences[1]", "config.host").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// InvalidError is a channel refused for its fields; a validator may
// return one to name the settings it refuses.
type InvalidError struct {
	Fields []FieldError
}

func (e *InvalidError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	return "invalid channel: " + strings.Join(msgs, "; ")
}

func invalid(fields ...FieldError) *InvalidError { return &InvalidError{Fields: fields} }

var channelID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// maxSecret bounds a channel's secret: tokens and passwords, not files.
const maxSecret = 4096

// maxRatePerMinute bounds a channel's rate limit.
const maxRatePerMinute = 100_000

// KindOf returns the kind named s, and whether there is one.
func KindOf(s string) (Kind, bool) {
	k := Kind(s)
	return k, slices.Contains(Kinds, k)
}

// Audiences lists every audience.
var Audiences = []Audience{AudienceCustomers, AudiencePublic, AudienceStaff}

// validate returns the problems of ch's common fields, trimming its name
// (the id when empty).
func (ch *Channel) validate() []FieldError {
	var fields []FieldError
	if !channelID.MatchString(ch.ID) {
		fields = append(fields, FieldError{"id", fmt.Sprintf("want 1 to 63 lower-case letters, digits and dashes, starting with a letter or digit, got %q", ch.ID)})
	}
	if _, ok := KindOf(string(ch.Kind)); !ok {
		fields = append(fields, FieldError{"kind", fmt.Sprintf("want one of %s, got %q", kindList(), ch.Kind)})
	}
	ch.Name = strings.TrimSpace(ch.Name)
	if ch.Name == "" {
		ch.Name = ch.ID
	}
	if len(ch.Name) > 200 {
		fields = append(fields, FieldError{"name", "longer than 200 characters"})
	}
	fields = append(fields, ch.validateAudiences()...)
	for k := range ch.Config {
		if strings.TrimSpace(k) == "" || k != strings.TrimSpace(k) {
			fields = append(fields, FieldError{"config", fmt.Sprintf("setting name %q: empty or with spaces around it", k)})
		}
	}
	// A shared channel (a room, an account, the forum) speaks one
	// language, in one zone.
	if l, ok := ch.Config["lang"]; ok && l != "fr" && l != "en" {
		fields = append(fields, FieldError{"config.lang", fmt.Sprintf("want fr or en, got %q", l)})
	}
	if z, ok := ch.Config["zone"]; ok {
		if loc, err := time.LoadLocation(z); err != nil || z == "" || loc == time.Local {
			fields = append(fields, FieldError{"config.zone", fmt.Sprintf("want an IANA time zone such as Europe/Paris, got %q", z)})
		}
	}
	if ch.RatePerMinute < 0 || ch.RatePerMinute > maxRatePerMinute {
		fields = append(fields, FieldError{"rate_per_minute", fmt.Sprintf("want 0 (the kind's default) to %d, got %d", maxRatePerMinute, ch.RatePerMinute)})
	}
	if len(ch.Secret) > maxSecret {
		fields = append(fields, FieldError{"secret", fmt.Sprintf("longer than %d bytes", maxSecret)})
	}
	return fields
}

// validateAudiences checks the audiences: at least one, known, once each;
// customers are reached one by one, by e-mail only.
func (ch *Channel) validateAudiences() []FieldError {
	if len(ch.Audiences) == 0 {
		return []FieldError{{"audiences", "want at least one of customers, public, staff"}}
	}
	var fields []FieldError
	for i, a := range ch.Audiences {
		f := fmt.Sprintf("audiences[%d]", i)
		switch {
		case !slices.Contains(Audiences, a):
			fields = append(fields, FieldError{f, fmt.Sprintf("want customers, public or staff, got %q", a)})
		case slices.Index(ch.Audiences, a) < i:
			fields = append(fields, FieldError{f, fmt.Sprintf("%s is given twice", a)})
		case a == AudienceCustomers && ch.Kind != KindEmail:
			fields = append(fields, FieldError{f, "customers are reached one by one, by e-mail only"})
		case a == AudiencePublic && ch.Kind == KindEmail:
			fields = append(fields, FieldError{f, "e-mail reaches customers and staff one by one; the public is reached by webhooks, chat, Mastodon or the forum"})
		case a == AudienceStaff && (ch.Kind == KindMastodon || ch.Kind == KindDiscourse):
			fields = append(fields, FieldError{f, "Mastodon and the forum are public: pages, with their internal details and acknowledgement links, never go there"})
		case a == AudienceStaff && slices.Contains(ch.Audiences, AudiencePublic):
			fields = append(fields, FieldError{f, "a channel speaks to the public or to the staff, not both: pages carry internal details and acknowledgement links"})
		}
	}
	return fields
}

func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// TestRecipient returns who a test message on channelID goes to, from
// what staff typed: an e-mail address (a staff recipient), a customer id,
// or nothing for the channel's own room.
func TestRecipient(channelID, to string) Recipient {
	to = strings.TrimSpace(to)
	switch {
	case to == "":
		return Recipient{Kind: "channel", ID: channelID}
	case strings.Contains(to, "@"):
		return Recipient{Kind: "staff", ID: to, Address: to}
	}
	return Recipient{Kind: "customer", ID: to}
}
