package incident

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigie/vigie/internal/inventory"
)

// EditError is a staff change refused: the field at fault and why.
type EditError struct {
	Field   string
	Message string
}

func (e *EditError) Error() string { return e.Field + ": " + e.Message }

// maxTextLen bounds titles and role names, in characters.
const maxTextLen = 200

// OpenManual opens an incident by hand on the given root assets, which
// must all be in g. Its impact is the union of the roots' impacts: the
// customers are distinct, but assets and sites are summed, so they count
// twice what depends on more than one root. An empty title is made like
// correlation's; an empty severity is the worst the default rules give.
func OpenManual(ctx context.Context, st *Store, g *inventory.Graph, roots []string, title string, sev Severity,
	author string, now time.Time) (Incident, error) {
	roots = slices.Compact(slices.Sorted(slices.Values(roots)))
	if len(roots) == 0 {
		return Incident{}, &EditError{Field: "root_assets", Message: "at least one asset required"}
	}
	if sev != "" && !validSeverity(sev) {
		return Incident{}, &EditError{Field: "severity", Message: fmt.Sprintf("want critical, major or minor, got %q", sev)}
	}
	title = strings.TrimSpace(title)
	if utf8.RuneCountInString(title) > maxTextLen {
		return Incident{}, &EditError{Field: "title", Message: fmt.Sprintf("at most %d characters", maxTextLen)}
	}
	impact, computed, err := unionImpact(g, roots)
	if err != nil {
		return Incident{}, err
	}
	if sev == "" {
		sev = computed
	}
	// Staff know what they say: their incident has no settle window, and
	// customers and public channels may hear of it at once.
	settled := now
	inc := Incident{Title: title, Status: Investigating, Severity: sev, Cause: CauseOutage, RootAssets: roots,
		Impact: impact, Peak: impact, ImpactStartedAt: now, DetectedAt: now, SettledAt: &settled, DetectedBy: DetectedByStaff}
	if inc.Title == "" {
		inc.Title = manualTitle(roots, impact)
	}
	text := fmt.Sprintf("opened by hand on %s, severity %s", strings.Join(roots, ", "), sev)
	if _, err := st.Create(ctx, &inc, Event{At: now, Type: EventOpened, Author: author, Text: text}); err != nil {
		return Incident{}, st.db.MapError(err)
	}
	return inc, nil
}

func manualTitle(roots []string, imp Impact) string {
	return title(strings.Join(roots, ", "), CauseOutage, imp)
}

func validSeverity(s Severity) bool { return s == Critical || s == Major || s == Minor }

// worse returns the worse of two severities.
func worse(a, b Severity) Severity {
	rank := map[Severity]int{Minor: 0, Major: 1, Critical: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// unionImpact is the impact of several roots together (customers distinct,
// assets and sites summed) and the worst severity the default rules give.
func unionImpact(g *inventory.Graph, roots []string) (Impact, Severity, error) {
	impact := Impact{Customers: []string{}}
	computed := Minor
	for _, root := range roots {
		kind := g.Kind(root)
		if kind == "" {
			return Impact{}, "", &EditError{Field: "root_assets", Message: fmt.Sprintf("no asset %q in the inventory", root)}
		}
		imp, err := impactOf(g, root)
		if err != nil {
			return Impact{}, "", err
		}
		impact.Assets += imp.Assets
		impact.Sites += imp.Sites
		impact.Customers = append(impact.Customers, imp.Customers...)
		computed = worse(computed, SeverityRules{}.Of(kind, CauseOutage, imp, g))
	}
	impact.Customers = slices.Compact(slices.Sorted(slices.Values(impact.Customers)))
	return impact, computed, nil
}

// EditScope sets the root assets of an open incident by hand and computes
// its impact again (the peak keeps the largest seen).
func EditScope(ctx context.Context, st *Store, g *inventory.Graph, id int64, roots []string, author string, now time.Time) (Incident, error) {
	roots = slices.Compact(slices.Sorted(slices.Values(roots)))
	if len(roots) == 0 {
		return Incident{}, &EditError{Field: "root_assets", Message: "at least one asset required"}
	}
	if g == nil {
		return Incident{}, errors.New("edit scope: the inventory graph is not loaded")
	}
	inc, err := st.Get(ctx, id)
	if err != nil {
		return Incident{}, err
	}
	if inc.Status == Resolved || inc.Status == Merged {
		return Incident{}, &EditError{Field: "root_assets", Message: fmt.Sprintf("the incident is %s", inc.Status)}
	}
	impact, _, err := unionImpact(g, roots)
	if err != nil {
		return Incident{}, err
	}
	text := fmt.Sprintf("scope set by hand: %s → %s (%d sites, %d customers)", strings.Join(inc.RootAssets, ", "),
		strings.Join(roots, ", "), impact.Sites, len(impact.Customers))
	inc.RootAssets, inc.Impact = roots, impact
	if impact.Sites > inc.Peak.Sites || impact.Assets > inc.Peak.Assets {
		inc.Peak = impact
	}
	if err := st.Update(ctx, &inc, Event{At: now, Type: EventScopeChanged, Author: author, Text: text}); err != nil {
		return Incident{}, st.db.MapError(err)
	}
	return inc, nil
}
