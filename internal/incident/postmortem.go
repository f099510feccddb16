package incident

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// PMState is where a post-mortem is in its life.
type PMState string

// The states of a post-mortem: written, read by others, then final.
const (
	PMDraft     PMState = "draft"
	PMInReview  PMState = "in_review"
	PMPublished PMState = "published"
)

// ActionType says what an action item is for.
type ActionType string

// The kinds of action item.
const (
	ActionPrevent  ActionType = "prevent"
	ActionMitigate ActionType = "mitigate"
	ActionDetect   ActionType = "detect"
	ActionProcess  ActionType = "process"
)

// ActionStatus is where an action item stands.
type ActionStatus string

// The statuses of an action item.
const (
	ActionOpen    ActionStatus = "open"
	ActionDone    ActionStatus = "done"
	ActionWontfix ActionStatus = "wontfix"
)

// dueLayout is how an action item's due date is written.
const dueLayout = "2006-01-02"

// ErrTransition is returned for a move between post-mortem states that is
// not allowed.
var ErrTransition = errors.New("post-mortem transition not allowed")

// ErrNotReady is returned when a post-mortem cannot be published yet.
var ErrNotReady = errors.New("post-mortem not ready to publish")

// ErrNotPublished is returned when making public a post-mortem that is
// not published.
var ErrNotPublished = errors.New("post-mortem not published")

// ActionItem is one thing to do so that the incident does not happen
// again, or hurts less.
type ActionItem struct {
	Title  string       `json:"title"`
	Owner  string       `json:"owner,omitempty"`
	Type   ActionType   `json:"type"`
	Due    string       `json:"due"` // YYYY-MM-DD
	Status ActionStatus `json:"status"`
}

// PostMortem is the written review of one incident; its sections are
// Markdown.
type PostMortem struct {
	IncidentID int64   `json:"incident_id"`
	State      PMState `json:"state"`
	// Public post-mortems are shown on the status page; only a published
	// one can be.
	Public     bool         `json:"public"`
	Summary    string       `json:"summary"`
	Impact     string       `json:"impact"`
	Timeline   string       `json:"timeline"`
	Detection  string       `json:"detection"`
	Trigger    string       `json:"trigger"`
	RootCause  string       `json:"root_cause"`
	Resolution string       `json:"resolution"`
	WentWell   string       `json:"went_well"`
	WentBadly  string       `json:"went_badly"`
	Actions    []ActionItem `json:"actions"`
	UpdatedAt  time.Time    `json:"updated_at"`
}

// Required reports whether an incident needs a post-mortem: critical and
// major ones, and any a customer reported before Vigie saw it. A merged
// incident never does; the one it was merged into carries the review.
func Required(inc *Incident) bool {
	if inc.Status == Merged || inc.MergedInto != 0 {
		return false
	}
	return inc.Severity == Critical || inc.Severity == Major || inc.CustomerFirst()
}

// Validate checks a post-mortem and returns its problems by field.
func (pm *PostMortem) Validate() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	switch pm.State {
	case PMDraft, PMInReview, PMPublished:
	default:
		add("state", "want draft, in_review or published, got %q", pm.State)
	}
	if pm.Public && pm.State != PMPublished {
		add("public", "only a published post-mortem can be public")
	}
	for i, a := range pm.Actions {
		field := func(name string) string { return fmt.Sprintf("actions[%d].%s", i, name) }
		if strings.TrimSpace(a.Title) == "" {
			add(field("title"), "required: what is to be done")
		}
		switch a.Type {
		case ActionPrevent, ActionMitigate, ActionDetect, ActionProcess:
		default:
			add(field("type"), "want prevent, mitigate, detect or process, got %q", a.Type)
		}
		if _, err := time.Parse(dueLayout, a.Due); err != nil {
			add(field("due"), "want a date such as 2026-04-30, got %q", a.Due)
		}
		switch a.Status {
		case ActionOpen, ActionDone, ActionWontfix:
		default:
			add(field("status"), "want open, done or wontfix, got %q", a.Status)
		}
	}
	return errs
}

// PublishProblems returns what stands in the way of publishing: the
// problems Validate finds, and an empty root cause or resolution.
func (pm *PostMortem) PublishProblems() []FieldError {
	errs := pm.Validate()
	if blank(pm.RootCause) {
		errs = append(errs, FieldError{"root_cause", "required before publishing"})
	}
	if blank(pm.Resolution) {
		errs = append(errs, FieldError{"resolution", "required before publishing"})
	}
	return errs
}

// Transition moves a post-mortem to another state: draft to in review,
// back to draft, or on to published once it is complete. It leaves
// UpdatedAt to the caller, who knows the time.
func (pm *PostMortem) Transition(to PMState) error {
	switch {
	case pm.State == PMDraft && to == PMInReview:
	case pm.State == PMInReview && to == PMDraft:
	case pm.State == PMInReview && to == PMPublished:
		if errs := pm.PublishProblems(); len(errs) > 0 {
			msgs := make([]string, len(errs))
			for i, e := range errs {
				msgs[i] = e.Error()
			}
			return fmt.Errorf("%w: %s", ErrNotReady, strings.Join(msgs, "; "))
		}
	default:
		return fmt.Errorf("%w: %s to %s", ErrTransition, pm.State, to)
	}
	pm.State = to
	return nil
}

// MakePublic shows or hides a published post-mortem on the status page.
func (pm *PostMortem) MakePublic(public bool) error {
	if pm.State != PMPublished {
		return fmt.Errorf("make public: %w (state %s)", ErrNotPublished, pm.State)
	}
	pm.Public = public
	return nil
}

// htmlComment matches the prompts left in drafted sections.
var htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)

// blank reports whether a section holds nothing but whitespace and
// prompt comments.
func blank(md string) bool {
	return strings.TrimSpace(htmlComment.ReplaceAllString(md, "")) == ""
}
