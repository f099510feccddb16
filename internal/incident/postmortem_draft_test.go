package incident

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func pmZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func pmAt(t *testing.T, hhmm string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", "2026-03-14 "+hhmm, pmZone(t))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sampleCritical is a resolved critical outage of a hypervisor.
func sampleCritical(t *testing.T) (*Incident, []Event) {
	t.Helper()
	customers := make([]string, 267)
	for i := range customers {
		customers[i] = fmt.Sprintf("c%03d", i+1)
	}
	ack, resolved := pmAt(t, "09:09"), pmAt(t, "10:14")
	inc := &Incident{
		ID: 42, Title: "hv03 down", Status: Resolved, Severity: Critical, Cause: CauseOutage,
		RootAssets: []string{"hv03"}, Reason: "timeout",
		Impact:          Impact{},
		Peak:            Impact{Assets: 334, Sites: 333, Customers: customers},
		Auto:            true,
		DetectedBy:      DetectedByProbe,
		Lead:            "alice",
		ImpactStartedAt: pmAt(t, "09:02"),
		DetectedAt:      pmAt(t, "09:04"),
		AcknowledgedAt:  &ack,
		ResolvedAt:      &resolved,
	}
	// Given out of order: the timeline sorts them.
	events := []Event{
		{ID: 3, At: pmAt(t, "09:06"), Type: EventNotification, Public: true, Text: "Status page updated: investigating"},
		{ID: 1, At: pmAt(t, "09:04"), Type: EventOpened, Text: "Opened on hv03 (timeout)"},
		{ID: 2, At: pmAt(t, "09:05"), Type: EventScopeChanged, Text: "Scope: 333 sites, 267 customers"},
		{ID: 4, At: pmAt(t, "09:09"), Type: EventRole, Author: "alice", Text: "alice is lead"},
		{ID: 5, At: pmAt(t, "09:31"), Type: EventNote, Author: "alice", Text: "RAID controller hung; rebooting hv03.\nVMs will restart on their own."},
		{ID: 6, At: pmAt(t, "10:14"), Type: EventStatus, Public: true, Text: "Resolved"},
	}
	return inc, events
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "postmortem", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func TestDraftOfCriticalIncidentMatchesGolden(t *testing.T) {
	inc, events := sampleCritical(t)
	pm := Draft(inc, events, pmZone(t))
	md := Markdown(&pm, inc)
	checkGolden(t, "critical.md", md)
	html, err := HTML(md)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "critical.html", html)
}

func TestPublishedPostMortemWithActionsMatchesGolden(t *testing.T) {
	inc, events := sampleCritical(t)
	pm := Draft(inc, events, pmZone(t))
	pm.Trigger = "A firmware bug in the RAID controller under heavy write load."
	pm.RootCause = "hv03 ran firmware 4.2, known to hang; no alert on controller latency."
	pm.Resolution = "Rebooted hv03; its VMs restarted on their own."
	pm.Actions = []ActionItem{
		{Title: "Upgrade RAID firmware on hv01|hv05", Owner: "alice", Type: ActionPrevent, Due: "2026-04-30", Status: ActionOpen},
		{Title: "Alert on controller latency", Type: ActionDetect, Due: "2026-04-15", Status: ActionDone},
	}
	pm.State = PMInReview
	if err := pm.Transition(PMPublished); err != nil {
		t.Fatal(err)
	}
	if err := pm.MakePublic(true); err != nil {
		t.Fatal(err)
	}
	md := Markdown(&pm, inc)
	checkGolden(t, "published.md", md)
	html, err := HTML(md)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "published.html", html)
}

func TestDraftSummaryGivesScopeAndDuration(t *testing.T) {
	inc, events := sampleCritical(t)
	pm := Draft(inc, events, pmZone(t))
	if want := "hv03 down: 333 sites, 267 customers for 1 h 12 min."; !strings.HasPrefix(pm.Summary, want) {
		t.Errorf("summary %q, want it to start with %q", pm.Summary, want)
	}
	if pm.State != PMDraft || len(pm.Actions) != 0 {
		t.Errorf("draft: state %s, %d actions", pm.State, len(pm.Actions))
	}
	// Correlation's titles give the scope already: it is said once.
	named := *inc
	named.Title = "hv03 down: 333 sites, 267 customers"
	if want := "hv03 down: 333 sites, 267 customers for 1 h 12 min."; !strings.HasPrefix(Draft(&named, events, pmZone(t)).Summary, want) {
		t.Errorf("summary of %q: %q, want it to start with %q", named.Title, Draft(&named, events, pmZone(t)).Summary, want)
	}
	if !blank(pm.RootCause) || !strings.Contains(pm.Trigger, "<!--") {
		t.Errorf("sections to write should hold only a prompt: %q, %q", pm.RootCause, pm.Trigger)
	}
}

func TestDraftDetectionSaysWhoSawItFirst(t *testing.T) {
	inc, events := sampleCritical(t)
	contact := pmAt(t, "09:03")
	inc.CustomerReportedFirst, inc.FirstCustomerContactAt = true, &contact
	pm := Draft(inc, events, pmZone(t))
	if want := "A customer reported it first (at 2026-03-14 09:03 CET)."; !strings.Contains(pm.Detection, want) {
		t.Errorf("detection %q, want %q", pm.Detection, want)
	}
	inc.ResolvedAt, inc.AcknowledgedAt = nil, nil
	pm = Draft(inc, events, pmZone(t))
	for _, want := range []string{"not acknowledged", "not resolved"} {
		if !strings.Contains(pm.Detection, want) {
			t.Errorf("detection %q, want %q", pm.Detection, want)
		}
	}
	if want := "since 2026-03-14 09:02 CET, ongoing"; !strings.Contains(pm.Impact, want) {
		t.Errorf("impact %q, want %q", pm.Impact, want)
	}
}

func TestHTMLEscapesScriptInNote(t *testing.T) {
	inc, events := sampleCritical(t)
	events = append(events, Event{ID: 7, At: pmAt(t, "10:20"), Type: EventNote, Author: "mallory",
		Text: `<script>alert("x")</script> see <img src=x onerror=alert(1)>`})
	pm := Draft(inc, events, pmZone(t))
	pm.RootCause = "<script>alert(2)</script>"
	html, err := HTML(Markdown(&pm, inc))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<script") || strings.Contains(html, "<img") {
		t.Errorf("raw HTML passed through:\n%s", html)
	}
	if !strings.Contains(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") {
		t.Errorf("note's HTML not shown as text:\n%s", html)
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 s"},
		{45 * time.Second, "45 s"},
		{12*time.Minute + 20*time.Second, "12 min"},
		{time.Hour, "1 h"},
		{72 * time.Minute, "1 h 12 min"},
		{26*time.Hour + 5*time.Minute, "26 h 5 min"},
	}
	for _, tt := range tests {
		if got := humanDuration(tt.d); got != tt.want {
			t.Errorf("humanDuration(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestDraftDetectionSaysHowItWasDetected(t *testing.T) {
	before, after := pmAt(t, "09:03"), pmAt(t, "09:30")
	cases := []struct {
		name    string
		edit    func(inc *Incident)
		by      string
		closing string
	}{
		{"by the probe", func(inc *Incident) {}, "- Detected by: Vigie's checks (probe signals)\n",
			"Detected by Vigie's checks (probe signals) before any recorded customer contact."},
		{"by an alert", func(inc *Incident) { inc.DetectedBy = DetectedByAlert }, "- Detected by: an Alertmanager alert\n",
			"Detected by an Alertmanager alert before any recorded customer contact."},
		{"by staff", func(inc *Incident) { inc.Auto, inc.DetectedBy = false, DetectedByStaff },
			"- Detected by: staff (opened by hand)\n", "Staff opened it by hand; Vigie's correlation did not open it."},
		{"by staff, recorded before detected_by", func(inc *Incident) { inc.Auto, inc.DetectedBy = false, "" },
			"- Detected by: staff (opened by hand)\n", "Staff opened it by hand; Vigie's correlation did not open it."},
		{"automatic, recorded before detected_by", func(inc *Incident) { inc.DetectedBy = "" },
			"- Detected by: Vigie (automatic; whether from checks or alerts was not recorded)\n", "before any recorded customer contact."},
		{"by a customer, as staff recorded", func(inc *Incident) {
			inc.Auto, inc.DetectedBy, inc.CustomerReportedFirst = false, DetectedByStaff, true
		}, "- Detected by: a customer, before staff (opened by hand)\n", "A customer reported it first."},
		{"by a customer, from the contact time", func(inc *Incident) { inc.FirstCustomerContactAt = &before },
			"- Detected by: a customer, before Vigie's checks (probe signals)\n", "A customer reported it first (at 2026-03-14 09:03 CET)."},
		{"a customer called after detection", func(inc *Incident) { inc.FirstCustomerContactAt = &after },
			"- Detected by: Vigie's checks (probe signals)\n", "before any recorded customer contact."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inc, events := sampleCritical(t)
			c.edit(inc)
			got := Draft(inc, events, pmZone(t)).Detection
			if !strings.HasPrefix(got, c.by) || !strings.Contains(got, c.closing) || strings.Contains(got, "before any customer.") {
				t.Errorf("detection:\n%s\nwant it to start %q and say %q", got, c.by, c.closing)
			}
			for _, line := range []string{"- Impact started: 2026-03-14 09:02 CET\n", "- Detected: 2026-03-14 09:04 CET\n"} {
				if !strings.Contains(got, line) {
					t.Errorf("detection:\n%s\nwant %q", got, line)
				}
			}
			contact := "- First customer contact: none recorded\n"
			if inc.FirstCustomerContactAt != nil {
				contact = "- First customer contact: " + inc.FirstCustomerContactAt.In(pmZone(t)).Format("2006-01-02 15:04 MST") + "\n"
			}
			if !strings.Contains(got, contact) {
				t.Errorf("detection:\n%s\nwant %q", got, contact)
			}
		})
	}
}
