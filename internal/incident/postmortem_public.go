package incident

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// PublicMarkdown is the text of a public post-mortem for the status page.
// It holds only what staff write for readers and Draft never fills from
// internal data: the trigger, root cause, resolution, what went well and
// badly, and the action items without their owners. Draft writes the
// summary (the internal title, root assets, reason, customer counts), the
// impact (counts of sites, customers, assets), the timeline (every event
// with its author and internal notes) and the detection (contact times) from
// the incident's record, so those sections never appear here. Sections left
// with nothing but their drafting prompt are left out.
func PublicMarkdown(pm *PostMortem) string {
	var b strings.Builder
	sections := []struct{ heading, body string }{
		{"Trigger", pm.Trigger}, {"Root cause", pm.RootCause}, {"Resolution", pm.Resolution},
		{"What went well", pm.WentWell}, {"What went badly", pm.WentBadly},
	}
	for _, s := range sections {
		if blank(s.body) {
			continue
		}
		body := strings.TrimSpace(htmlComment.ReplaceAllString(s.body, ""))
		fmt.Fprintf(&b, "### %s\n\n%s\n\n", s.heading, body)
	}
	if len(pm.Actions) > 0 {
		b.WriteString("### Action items\n\n| Action | Type | Due | Status |\n|---|---|---|---|\n")
		for _, a := range pm.Actions {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", inline(a.Title), inline(string(a.Type)), inline(a.Due), inline(string(a.Status)))
		}
	}
	return b.String()
}

// PublicHTML returns, by incident id, the public post-mortems of the given
// incidents as HTML (raw HTML in their Markdown is left out). Incidents
// whose post-mortem is not public are absent.
func (s *PostMortemStore) PublicHTML(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	err := eachOfIDs(ctx, s.db, "public post-mortems", `SELECT incident_id, doc FROM postmortems
		WHERE public = TRUE AND incident_id IN %s`, ids, func(rows *sql.Rows) error {
		var id int64
		var doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return err
		}
		var pm PostMortem
		if err := json.Unmarshal([]byte(doc), &pm); err != nil {
			return fmt.Errorf("post-mortem of incident %d: %w", id, err)
		}
		html, err := HTML(PublicMarkdown(&pm))
		if err != nil {
			return fmt.Errorf("post-mortem of incident %d: %w", id, err)
		}
		out[id] = html
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
