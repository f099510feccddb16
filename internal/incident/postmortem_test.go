package incident

import (
	"errors"
	"slices"
	"testing"
)

func TestRequiredForSevereOrCustomerFirstIncidents(t *testing.T) {
	tests := []struct {
		name string
		inc  Incident
		want bool
	}{
		{"critical", Incident{Status: Resolved, Severity: Critical}, true},
		{"major", Incident{Status: Investigating, Severity: Major}, true},
		{"minor", Incident{Status: Resolved, Severity: Minor}, false},
		{"minor reported by a customer first", Incident{Status: Resolved, Severity: Minor, CustomerReportedFirst: true}, true},
		{"merged critical", Incident{Status: Merged, Severity: Critical, MergedInto: 7}, false},
		{"merged customer first", Incident{Status: Merged, Severity: Minor, CustomerReportedFirst: true}, false},
	}
	for _, tt := range tests {
		if got := Required(&tt.inc); got != tt.want {
			t.Errorf("%s: Required = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// complete is a post-mortem ready to publish, in review.
func complete() PostMortem {
	return PostMortem{
		IncidentID: 42, State: PMInReview,
		RootCause:  "The RAID firmware hangs under load.",
		Resolution: "Rebooted hv03.",
		Actions: []ActionItem{
			{Title: "Upgrade RAID firmware", Owner: "alice", Type: ActionPrevent, Due: "2026-04-30", Status: ActionOpen},
		},
	}
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		name    string
		from    PMState
		edit    func(*PostMortem)
		to      PMState
		wantErr error
	}{
		{"draft to review", PMDraft, nil, PMInReview, nil},
		{"review back to draft", PMInReview, nil, PMDraft, nil},
		{"review to published", PMInReview, nil, PMPublished, nil},
		{"draft straight to published", PMDraft, nil, PMPublished, ErrTransition},
		{"published back to draft", PMPublished, nil, PMDraft, ErrTransition},
		{"published back to review", PMPublished, nil, PMInReview, ErrTransition},
		{"draft to draft", PMDraft, nil, PMDraft, ErrTransition},
		{"to an unknown state", PMInReview, nil, "archived", ErrTransition},
		{"publish with only the prompt as root cause", PMInReview,
			func(pm *PostMortem) { pm.RootCause = promptRootCause }, PMPublished, ErrNotReady},
		{"publish without resolution", PMInReview,
			func(pm *PostMortem) { pm.Resolution = " \n" }, PMPublished, ErrNotReady},
		{"publish with an invalid action", PMInReview,
			func(pm *PostMortem) { pm.Actions[0].Due = "soon" }, PMPublished, ErrNotReady},
	}
	for _, tt := range tests {
		pm := complete()
		pm.State = tt.from
		if tt.edit != nil {
			tt.edit(&pm)
		}
		err := pm.Transition(tt.to)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.wantErr)
		}
		want := tt.to
		if tt.wantErr != nil {
			want = tt.from
		}
		if pm.State != want {
			t.Errorf("%s: state %s, want %s", tt.name, pm.State, want)
		}
	}
}

func TestPublishRefusalNamesTheMissingSections(t *testing.T) {
	pm := complete()
	pm.RootCause, pm.Resolution = "", promptResolution
	err := pm.Transition(PMPublished)
	want := "post-mortem not ready to publish: root_cause: required before publishing; resolution: required before publishing"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

func TestMakePublicOnlyWhenPublished(t *testing.T) {
	pm := complete()
	if err := pm.MakePublic(true); !errors.Is(err, ErrNotPublished) || pm.Public {
		t.Fatalf("in review: error %v, public %v; want ErrNotPublished and private", err, pm.Public)
	}
	if err := pm.Transition(PMPublished); err != nil {
		t.Fatal(err)
	}
	if err := pm.MakePublic(true); err != nil || !pm.Public {
		t.Fatalf("published: error %v, public %v", err, pm.Public)
	}
	if err := pm.MakePublic(false); err != nil || pm.Public {
		t.Fatalf("hiding: error %v, public %v", err, pm.Public)
	}
}

func TestValidateMessages(t *testing.T) {
	pm := PostMortem{
		State:  PMDraft,
		Public: true,
		Actions: []ActionItem{
			{Title: "Alert on RAID latency", Type: ActionDetect, Due: "2026-05-01", Status: ActionDone},
			{Title: " ", Type: "fix", Due: "2026-02-30", Status: "closed"},
			{Title: "Runbook", Type: ActionProcess, Due: "", Status: ActionWontfix},
		},
	}
	got := pm.Validate()
	want := []FieldError{
		{"public", "only a published post-mortem can be public"},
		{"actions[1].title", "required: what is to be done"},
		{"actions[1].type", `want prevent, mitigate, detect or process, got "fix"`},
		{"actions[1].due", `want a date such as 2026-04-30, got "2026-02-30"`},
		{"actions[1].status", `want open, done or wontfix, got "closed"`},
		{"actions[2].due", `want a date such as 2026-04-30, got ""`},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Validate:\n got %q\nwant %q", got, want)
	}
	pm = PostMortem{State: "final"}
	if got, want := pm.Validate(), []FieldError{{"state", `want draft, in_review or published, got "final"`}}; !slices.Equal(got, want) {
		t.Errorf("Validate: got %q, want %q", got, want)
	}
	if got := complete(); len(got.Validate()) != 0 {
		t.Errorf("complete post-mortem: %q", got.Validate())
	}
}
