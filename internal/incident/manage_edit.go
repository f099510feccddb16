package incident

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// EditRequest is a staff change to an incident; nil fields stay as they
// are.
type EditRequest struct {
	Title    *string   `json:"title,omitempty"`
	Severity *Severity `json:"severity,omitempty"`
	Status   *Status   `json:"status,omitempty"`
	// Lead and Comms name the staff taking the incident and its
	// communication; "" clears the role.
	Lead  *string `json:"lead,omitempty"`
	Comms *string `json:"communication,omitempty"`
	Hold  *bool   `json:"hold,omitempty"`
	// Acknowledge records that staff took the incident, the first time.
	Acknowledge            bool       `json:"acknowledge,omitempty"`
	FirstCustomerContactAt *time.Time `json:"first_customer_contact_at,omitempty"`
	CustomerReportedFirst  *bool      `json:"customer_reported_first,omitempty"`
}

// statusMoves are the status changes staff may make. Merged is final and
// only correlation merges.
var statusMoves = map[Status][]Status{
	Investigating: {Identified, Resolved},
	Identified:    {Monitoring, Resolved},
	Monitoring:    {Resolved},
	Resolved:      {Investigating},
}

// Edit applies a staff change to an incident and records it on the
// timeline under author: status moves as status-changed events, lead and
// communication as role-changed events, the rest in one note. Refused
// changes are *EditError and change nothing.
func Edit(ctx context.Context, st *Store, id int64, req EditRequest, author string, now time.Time) (Incident, error) {
	if err := req.validate(); err != nil {
		return Incident{}, err
	}
	inc, err := st.Get(ctx, id)
	if err != nil {
		return Incident{}, err
	}
	var events []Event
	var notes []string
	staffTook := req.Acknowledge
	if req.Status != nil && *req.Status != inc.Status {
		ev, err := staffMove(&inc, *req.Status, author, now)
		if err != nil {
			return Incident{}, err
		}
		events = append(events, ev)
		staffTook = true
	}
	for _, role := range []struct {
		name string
		to   *string
		cur  *string
	}{{"lead", req.Lead, &inc.Lead}, {"communication", req.Comms, &inc.Comms}} {
		if role.to == nil || strings.TrimSpace(*role.to) == *role.cur {
			continue
		}
		to := strings.TrimSpace(*role.to)
		events = append(events, Event{At: now, Type: EventRole, Author: author, Text: roleText(role.name, *role.cur, to)})
		*role.cur = to
		staffTook = true
	}
	if staffTook && acknowledgeBy(&inc, now) {
		notes = append(notes, "acknowledged")
	}
	notes = append(notes, inc.applyFields(req)...)
	if len(notes) > 0 {
		events = append(events, Event{At: now, Type: EventNote, Author: author, Text: strings.Join(notes, "; ")})
	}
	if len(events) == 0 {
		return inc, nil
	}
	if err := st.Update(ctx, &inc, events...); err != nil {
		return Incident{}, st.db.MapError(err)
	}
	return inc, nil
}

// staffMove moves inc to status to as staff may (statusMoves) and returns
// the status-changed entry of its timeline: public when the incident is an
// outage, which the public page shows.
func staffMove(inc *Incident, to Status, author string, now time.Time) (Event, error) {
	if !slices.Contains(statusMoves[inc.Status], to) {
		return Event{}, &EditError{Field: "status", Message: fmt.Sprintf("cannot move from %s to %s", inc.Status, to)}
	}
	ev := Event{At: now, Type: EventStatus, Public: inc.Cause == CauseOutage, Author: author,
		Text: fmt.Sprintf("status: %s → %s", inc.Status, to)}
	moveStatus(inc, to, now)
	return ev, nil
}

// acknowledgeBy records that staff took inc at now, the first time, and
// reports whether it did; false when the incident was already taken.
func acknowledgeBy(inc *Incident, now time.Time) bool {
	if inc.AcknowledgedAt != nil {
		return false
	}
	at := now
	inc.AcknowledgedAt = &at
	return true
}

// moveStatus sets the status and the timestamps it implies.
func moveStatus(inc *Incident, to Status, now time.Time) {
	at := now
	switch to {
	case Monitoring:
		inc.MitigatedAt = &at
	case Resolved:
		// Resolving straight away mitigates too.
		if inc.MitigatedAt == nil {
			inc.MitigatedAt = &at
		}
		inc.ResolvedAt = &at
	case Investigating:
		inc.MitigatedAt, inc.ResolvedAt = nil, nil
	}
	inc.Status = to
}

// applyFields applies the plain fields of req and says what changed.
func (inc *Incident) applyFields(req EditRequest) []string {
	var notes []string
	if req.Title != nil && strings.TrimSpace(*req.Title) != inc.Title {
		inc.Title = strings.TrimSpace(*req.Title)
		notes = append(notes, fmt.Sprintf("title: %q", inc.Title))
	}
	if req.Severity != nil && *req.Severity != inc.Severity {
		notes = append(notes, fmt.Sprintf("severity: %s → %s, set by staff and kept over the computed one", inc.Severity, *req.Severity))
		inc.Severity = *req.Severity
	}
	if req.Hold != nil && *req.Hold != inc.Hold {
		inc.Hold = *req.Hold
		notes = append(notes, map[bool]string{true: "held open until resolved by staff", false: "hold released"}[inc.Hold])
	}
	if req.FirstCustomerContactAt != nil && (inc.FirstCustomerContactAt == nil || !inc.FirstCustomerContactAt.Equal(*req.FirstCustomerContactAt)) {
		at := req.FirstCustomerContactAt.UTC().Truncate(time.Microsecond)
		inc.FirstCustomerContactAt = &at
		notes = append(notes, "first customer contact at "+at.Format(time.RFC3339))
	}
	if req.CustomerReportedFirst != nil && *req.CustomerReportedFirst != inc.CustomerReportedFirst {
		inc.CustomerReportedFirst = *req.CustomerReportedFirst
		notes = append(notes, map[bool]string{true: "a customer reported it first", false: "not reported first by a customer"}[inc.CustomerReportedFirst])
	}
	return notes
}

func roleText(role, from, to string) string {
	switch {
	case to == "":
		return fmt.Sprintf("%s: %s stepped down", role, from)
	case from == "":
		return fmt.Sprintf("%s: %s", role, to)
	}
	return fmt.Sprintf("%s: %s → %s", role, from, to)
}

// validate checks the values of req, before any incident is read.
func (req EditRequest) validate() error {
	if req.Title != nil {
		t := strings.TrimSpace(*req.Title)
		if t == "" || utf8.RuneCountInString(t) > maxTextLen {
			return &EditError{Field: "title", Message: fmt.Sprintf("required, at most %d characters", maxTextLen)}
		}
	}
	if req.Severity != nil && !validSeverity(*req.Severity) {
		return &EditError{Field: "severity", Message: fmt.Sprintf("want critical, major or minor, got %q", *req.Severity)}
	}
	if req.Status != nil {
		switch *req.Status {
		case Investigating, Identified, Monitoring, Resolved, Merged:
		default:
			return &EditError{Field: "status", Message: fmt.Sprintf("want investigating, identified, monitoring or resolved, got %q", *req.Status)}
		}
	}
	if req.Lead != nil && utf8.RuneCountInString(*req.Lead) > maxTextLen {
		return &EditError{Field: "lead", Message: fmt.Sprintf("at most %d characters", maxTextLen)}
	}
	if req.Comms != nil && utf8.RuneCountInString(*req.Comms) > maxTextLen {
		return &EditError{Field: "communication", Message: fmt.Sprintf("at most %d characters", maxTextLen)}
	}
	if req.FirstCustomerContactAt != nil && req.FirstCustomerContactAt.IsZero() {
		return &EditError{Field: "first_customer_contact_at", Message: "want a time"}
	}
	return nil
}
