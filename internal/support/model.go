// Package support keeps customers' support tickets: a request about one of
// their assets (or none), its thread of messages both ways, staff's
// internal notes, attachments stored outside any web root, a staff
// assignee, a status and a priority. It links tickets to the incidents
// touching their asset, also to an incident detected after a customer
// wrote, which then records that the customer told us first; it tells
// linked tickets when their incident is resolved, and it counts the
// customers who followed a known incident instead of writing.
package support

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Status is where a ticket is in its life.
type Status string

// The statuses of a ticket.
const (
	Open     Status = "open"
	Waiting  Status = "waiting" // on the customer: staff answered
	Resolved Status = "resolved"
	Closed   Status = "closed" // final: a customer writes a new ticket
)

// Statuses lists every status, in the order of a ticket's life.
var Statuses = []Status{Open, Waiting, Resolved, Closed}

// moves are the status changes staff may make. A customer's message moves
// a waiting or resolved ticket back to open on its own.
var moves = map[Status][]Status{
	Open:     {Waiting, Resolved, Closed},
	Waiting:  {Open, Resolved, Closed},
	Resolved: {Open, Closed},
}

// Live reports whether the ticket still expects work: open or waiting.
func (s Status) Live() bool { return s == Open || s == Waiting }

// CanMove reports whether staff may move a ticket from s to to.
func (s Status) CanMove(to Status) bool { return slices.Contains(moves[s], to) }

// ParseStatus returns the status named s, or an *InvalidError on field.
func ParseStatus(field, s string) (Status, error) { return parseName(field, s, Statuses) }

// parseName returns the name s among all, or an *InvalidError on field
// listing them.
func parseName[T ~string](field, s string, all []T) (T, error) {
	if v := T(s); slices.Contains(all, v) {
		return v, nil
	}
	names := make([]string, len(all))
	for i, v := range all {
		names[i] = string(v)
	}
	return "", invalid(field, "want one of %s; got %q", strings.Join(names, ", "), s)
}

// Priority is how soon staff should answer.
type Priority string

// The priorities, lowest first.
const (
	Low    Priority = "low"
	Normal Priority = "normal"
	High   Priority = "high"
	Urgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{Low, Normal, High, Urgent}

// ParsePriority returns the priority named s, or an *InvalidError on field.
func ParsePriority(field, s string) (Priority, error) { return parseName(field, s, Priorities) }

// AuthorKind says who wrote a message.
type AuthorKind string

// The authors of messages.
const (
	ByCustomer AuthorKind = "customer"
	ByStaff    AuthorKind = "staff"
	BySystem   AuthorKind = "system" // Vigie itself: an incident resolved
)

// Actor is who does something to a ticket: a customer's contact (ID is
// their e-mail; empty for a hand-off session from the host's panel, which
// has no contact) or a staff member (ID is their e-mail).
type Actor struct {
	Kind AuthorKind
	ID   string
	Name string
}

// label is how a message names its author.
func (a Actor) label() string {
	if a.ID != "" {
		return a.ID
	}
	return a.Name
}

// Ticket is one support request.
type Ticket struct {
	ID       int64  `json:"id"`
	Customer string `json:"customer"`
	// Asset is the customer's asset the ticket is about; "" for none.
	Asset    string   `json:"asset"`
	Subject  string   `json:"subject"`
	Status   Status   `json:"status"`
	Priority Priority `json:"priority"`
	// Assignee is the e-mail of the staff member taking the ticket.
	Assignee string `json:"assignee"`
	// OpenedBy names who opened it (a contact's e-mail, or the customer's
	// name for a hand-off session).
	OpenedBy  string    `json:"opened_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Incidents are the ids of the incidents the ticket is linked to.
	Incidents []int64 `json:"incidents"`
}

// Message is one entry of a ticket's thread.
type Message struct {
	ID         int64      `json:"id"`
	TicketID   int64      `json:"ticket_id"`
	At         time.Time  `json:"at"`
	AuthorKind AuthorKind `json:"author_kind"`
	Author     string     `json:"author"`
	// Internal messages are staff's notes: never shown to the customer.
	Internal    bool         `json:"internal"`
	Body        string       `json:"body"`
	Attachments []Attachment `json:"attachments"`
}

// Attachment is a file sent with a message. Its bytes are stored under ID,
// a random name; Name is the sender's file name, cleaned, for downloads.
type Attachment struct {
	ID          string    `json:"id"`
	TicketID    int64     `json:"ticket_id"`
	MessageID   int64     `json:"message_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

// Link is a ticket's link to an incident: How is "opened" when the ticket
// was opened on an asset the incident already touched, "incident" when
// the incident opened or widened to the ticket's asset later.
type Link struct {
	IncidentID int64     `json:"incident_id"`
	How        string    `json:"how"`
	LinkedAt   time.Time `json:"linked_at"`
}

// The ways a ticket gets linked.
const (
	LinkedAtOpen     = "opened"
	LinkedByIncident = "incident"
)

// Thread is a ticket with its messages, oldest first, and its links.
type Thread struct {
	Ticket   Ticket    `json:"ticket"`
	Messages []Message `json:"messages"`
	Links    []Link    `json:"links"`
}

// InvalidError is input refused: the field at fault and why. Nothing was
// changed.
type InvalidError struct {
	Field   string
	Message string
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Message }

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Message: fmt.Sprintf(format, args...)}
}
