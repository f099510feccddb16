package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// incPages are the staff console's incident pages.
type incPages struct {
	*Server
}

// incListView is the list of incidents.
type incListView struct {
	// State is the filter: "" (open, then the last resolved), open,
	// resolved or all.
	State          string
	Open, Resolved []incRow
	// ShowOpen and ShowResolved say which sections the filter keeps.
	ShowOpen, ShowResolved bool
}

// incRow is one incident of a list.
type incRow struct {
	incident.Incident
	// Age is how long the impact lasted, or has lasted so far.
	Age string
}

// recentResolved is how many resolved incidents the unfiltered list shows.
const recentResolved = 20

// showList shows the open incidents, then the recent resolved ones.
func (h *incPages) showList(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	view := incListView{State: r.URL.Query().Get("state")}
	limit := 200
	switch view.State {
	case "":
		view.ShowOpen, view.ShowResolved, limit = true, true, recentResolved
	case "open":
		view.ShowOpen = true
	case "resolved":
		view.ShowResolved = true
	case "all":
		view.ShowOpen, view.ShowResolved = true, true
	default:
		h.failPage(w, r, badRequest("state: want open, resolved or all, got %q", view.State))
		return
	}
	now := h.d.Now()
	for _, sec := range []struct {
		on     bool
		status string
		limit  int
		rows   *[]incRow
	}{{view.ShowOpen, "open", 0, &view.Open}, {view.ShowResolved, "resolved", limit, &view.Resolved}} {
		if !sec.on {
			continue
		}
		list, err := h.d.Incidents.List(r.Context(), sec.status, sec.limit)
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		for _, inc := range list {
			*sec.rows = append(*sec.rows, incRow{Incident: inc, Age: incAge(&inc, now)})
		}
	}
	h.renderPage(w, r, http.StatusOK, "console_inc_list", h.text(v.Lang, "ConsoleIncListTitle"), view)
}

// incAge is how long an incident's impact lasted, to its resolution or to
// now: "45 min", "2 h 05", "3 d 4 h".
func incAge(inc *incident.Incident, now time.Time) string {
	end := now
	if inc.ResolvedAt != nil {
		end = *inc.ResolvedAt
	}
	d := end.Sub(inc.ImpactStartedAt)
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h %02d", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d d %d h", int(d.Hours())/24, int(d.Hours())%24)
}
