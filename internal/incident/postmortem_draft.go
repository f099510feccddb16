package incident

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The prompts left in the sections a person has to write.
const (
	promptTrigger    = "<!-- what set it off -->"
	promptRootCause  = "<!-- why it could happen: the underlying cause -->"
	promptResolution = "<!-- what brought service back -->"
	promptWentWell   = "<!-- what helped -->"
	promptWentBadly  = "<!-- what slowed us down or made it worse -->"
)

// Draft writes a first post-mortem for an incident from its record and
// timeline, with times shown in zone; the sections only people can write
// are left with a prompt.
func Draft(inc *Incident, events []Event, zone *time.Location) PostMortem {
	return PostMortem{
		IncidentID: inc.ID,
		State:      PMDraft,
		Summary:    draftSummary(inc),
		Impact:     draftImpact(inc, zone),
		Timeline:   draftTimeline(events, inc.ImpactStartedAt, zone),
		Detection:  draftDetection(inc, zone),
		Trigger:    promptTrigger,
		RootCause:  promptRootCause,
		Resolution: promptResolution,
		WentWell:   promptWentWell,
		WentBadly:  promptWentBadly,
	}
}

func draftSummary(inc *Incident) string {
	peak := widestImpact(inc)
	scope := plural(peak.Sites, "site") + ", " + plural(len(peak.Customers), "customer")
	duration := "ongoing"
	if inc.ResolvedAt != nil {
		duration = "for " + humanDuration(inc.TimeToResolve())
	}
	cause := "outage"
	if inc.Cause == CauseSiteProblem {
		cause = "site problem"
	}
	var b strings.Builder
	// A title that already gives the scope ("hv03 down: 342 sites, 226
	// customers", as correlation names incidents) does not say it twice.
	title := strings.TrimSuffix(incidentTitle(inc), ": "+scope)
	fmt.Fprintf(&b, "%s: %s %s.\n\n", inline(title), scope, duration)
	fmt.Fprintf(&b, "A %s %s", inc.Severity, cause)
	if len(inc.RootAssets) > 0 {
		fmt.Fprintf(&b, " of %s", inline(strings.Join(inc.RootAssets, ", ")))
	}
	if inc.Reason != "" {
		fmt.Fprintf(&b, " (%s)", inline(inc.Reason))
	}
	b.WriteString(".\n")
	return b.String()
}

func draftImpact(inc *Incident, zone *time.Location) string {
	peak := widestImpact(inc)
	var b strings.Builder
	fmt.Fprintf(&b, "- Sites: %d at peak, %d now\n", peak.Sites, inc.Impact.Sites)
	fmt.Fprintf(&b, "- Customers: %d at peak, %d now\n", len(peak.Customers), len(inc.Impact.Customers))
	fmt.Fprintf(&b, "- Assets: %d at peak, %d now\n", peak.Assets, inc.Impact.Assets)
	start := inc.ImpactStartedAt.In(zone)
	if inc.ResolvedAt == nil {
		fmt.Fprintf(&b, "- Window: since %s, ongoing\n", start.Format("2006-01-02 15:04 MST"))
		return b.String()
	}
	end := inc.ResolvedAt.In(zone)
	endLayout := "2006-01-02 15:04 MST"
	if sameDay(start, end) {
		endLayout = "15:04 MST"
	}
	fmt.Fprintf(&b, "- Window: %s – %s (%s)\n", start.Format("2006-01-02 15:04"),
		end.Format(endLayout), humanDuration(inc.TimeToResolve()))
	return b.String()
}

// draftTimeline lists the events in time order; times on the day the
// impact started show the clock only.
func draftTimeline(events []Event, started time.Time, zone *time.Location) string {
	if len(events) == 0 {
		return "_No events recorded._\n"
	}
	sorted := slices.Clone(events)
	slices.SortStableFunc(sorted, func(a, b Event) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	day := started.In(zone)
	var b strings.Builder
	for _, e := range sorted {
		at := e.At.In(zone)
		layout := "2006-01-02 15:04"
		if sameDay(at, day) {
			layout = "15:04"
		}
		what := strings.ReplaceAll(string(e.Type), "-", " ")
		if e.Author != "" {
			what += " by " + inline(e.Author)
		}
		seen := "internal"
		if e.Public {
			seen = "public"
		}
		fmt.Fprintf(&b, "- **%s** %s (%s): %s\n", at.Format(layout), what, seen, noteText(e.Text))
	}
	return b.String()
}

func draftDetection(inc *Incident, zone *time.Location) string {
	const layout = "2006-01-02 15:04 MST"
	var b strings.Builder
	source := detectionSource(inc)
	customer := inc.CustomerFirst()
	if customer {
		fmt.Fprintf(&b, "- Detected by: a customer, before %s\n", source)
	} else {
		fmt.Fprintf(&b, "- Detected by: %s\n", source)
	}
	fmt.Fprintf(&b, "- Impact started: %s\n", inc.ImpactStartedAt.In(zone).Format(layout))
	fmt.Fprintf(&b, "- Detected: %s\n", inc.DetectedAt.In(zone).Format(layout))
	if inc.FirstCustomerContactAt != nil {
		fmt.Fprintf(&b, "- First customer contact: %s\n", inc.FirstCustomerContactAt.In(zone).Format(layout))
	} else {
		b.WriteString("- First customer contact: none recorded\n")
	}
	fmt.Fprintf(&b, "- Time to detect: %s\n", humanDuration(inc.TimeToDetect()))
	if inc.AcknowledgedAt != nil {
		fmt.Fprintf(&b, "- Time to acknowledge: %s\n", humanDuration(inc.TimeToAcknowledge()))
	} else {
		b.WriteString("- Time to acknowledge: not acknowledged\n")
	}
	if inc.ResolvedAt != nil {
		fmt.Fprintf(&b, "- Time to resolve: %s\n", humanDuration(inc.TimeToResolve()))
	} else {
		b.WriteString("- Time to resolve: not resolved\n")
	}
	switch {
	case customer && inc.FirstCustomerContactAt != nil:
		fmt.Fprintf(&b, "\nA customer reported it first (at %s).\n", inc.FirstCustomerContactAt.In(zone).Format(layout))
	case customer:
		b.WriteString("\nA customer reported it first.\n")
	case detectedBy(inc) == DetectedByStaff:
		b.WriteString("\nStaff opened it by hand; Vigie's correlation did not open it.\n")
	default:
		fmt.Fprintf(&b, "\nDetected by %s before any recorded customer contact.\n", source)
	}
	return b.String()
}

// detectedBy is what opened the incident; records from before it was kept
// are staff's when opened by hand, and unknown ("") otherwise.
func detectedBy(inc *Incident) DetectedBy {
	if inc.DetectedBy == "" && !inc.Auto {
		return DetectedByStaff
	}
	return inc.DetectedBy
}

// detectionSource names what opened the incident, for a reader.
func detectionSource(inc *Incident) string {
	switch detectedBy(inc) {
	case DetectedByProbe:
		return "Vigie's checks (probe signals)"
	case DetectedByAlert:
		return "an Alertmanager alert"
	case DetectedByStaff:
		return "staff (opened by hand)"
	}
	return "Vigie (automatic; whether from checks or alerts was not recorded)"
}

// widestImpact is the peak scope, field by field no smaller than the
// current one, for records whose peak was never filled in.
func widestImpact(inc *Incident) Impact {
	p := inc.Peak
	p.Sites = max(p.Sites, inc.Impact.Sites)
	p.Assets = max(p.Assets, inc.Impact.Assets)
	if len(inc.Impact.Customers) > len(p.Customers) {
		p.Customers = inc.Impact.Customers
	}
	return p
}

func incidentTitle(inc *Incident) string {
	if inc.Title != "" {
		return inc.Title
	}
	return fmt.Sprintf("Incident #%d", inc.ID)
}

func sameDay(a, b time.Time) bool {
	ya, ma, da := a.Date()
	yb, mb, db := b.Date()
	return ya == yb && ma == mb && da == db
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// humanDuration writes a duration the way people say it: "45 s",
// "12 min", "1 h 12 min".
func humanDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}
