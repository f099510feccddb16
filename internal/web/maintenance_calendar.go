package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
)

// maintCalendarView is the maintenance calendar page: a month of weeks, in the
// viewer's zone, and the windows listed.
type maintCalendarView struct {
	// Month names the month shown ("PageMonth12" and the year); Prev and
	// Next are its neighbours as month= values.
	MonthID    string
	Year       int
	Prev, Next string
	Weekdays   []string
	Weeks      [][]maintDay
	// MonthEmpty is set when no occurrence falls in the month.
	MonthEmpty bool
	// Upcoming are the windows not over yet, soonest first; Past those
	// over or cancelled, newest first (the last ones).
	Upcoming, Past []maintRow
	CanPlan        bool
	Zone           string
}

// maintDay is one cell of the month grid.
type maintDay struct {
	Day     int
	At      time.Time
	Date    string // 2026-12-08
	InMonth bool
	Today   bool
	Entries []maintEntry
}

// maintEntry is an occurrence of a window on a day.
type maintEntry struct {
	ID, Title, Hours string
	State            incident.MaintenanceState
	Cancelled        bool
}

// maintRow is a window in the lists.
type maintRow struct {
	ID, Title string
	Assets    []string
	Start     time.Time
	End       time.Time
	State     incident.MaintenanceState
	Weekly    bool
	Cancelled bool
}

// maintMaxPast is how many windows over the list shows.
const maintMaxPast = 20

// showCalendar shows a month of maintenance in the viewer's zone and the
// windows to come.
func (h *maintenancePages) showCalendar(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	now := h.d.Now()
	first, err := maintMonth(r.URL.Query().Get("month"), now, v.Zone)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	all, err := h.d.Maintenance.ListAll(r.Context())
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	view := maintCalendarView{MonthID: fmt.Sprintf("PageMonth%d", first.Month()), Year: first.Year(),
		Prev: first.AddDate(0, -1, 0).Format("2006-01"), Next: first.AddDate(0, 1, 0).Format("2006-01"),
		Weekdays: []string{"ConsoleMaintMon", "ConsoleMaintTue", "ConsoleMaintWed", "ConsoleMaintThu", "ConsoleMaintFri", "ConsoleMaintSat", "ConsoleMaintSun"},
		Weeks:    maintMonthGrid(first, now, all, v), CanPlan: v.Principal.Can(auth.PermMaintenance), Zone: zoneName(now.In(v.Zone))}
	view.MonthEmpty = true
	for _, week := range view.Weeks {
		for _, d := range week {
			if d.InMonth && len(d.Entries) > 0 {
				view.MonthEmpty = false
			}
		}
	}
	for i := range all {
		win := &all[i]
		row := maintRowOf(win, now, v.Lang)
		if row.State == incident.Completed || win.Cancelled {
			view.Past = append(view.Past, row)
		} else {
			view.Upcoming = append(view.Upcoming, row)
		}
	}
	slices.SortFunc(view.Upcoming, func(a, b maintRow) int { return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID)) })
	slices.SortFunc(view.Past, func(a, b maintRow) int { return cmp.Or(b.Start.Compare(a.Start), cmp.Compare(a.ID, b.ID)) })
	view.Past = view.Past[:min(len(view.Past), maintMaxPast)]
	h.renderPage(w, r, http.StatusOK, "staff_maintenance", h.text(v.Lang, "ConsoleMaintTitle"), view)
}

// maintMonth reads month= ("2026-12") as the first of that month at
// midnight in loc; "" is the month of now.
func maintMonth(q string, now time.Time, loc *time.Location) (time.Time, error) {
	if q == "" {
		n := now.In(loc)
		return time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc), nil
	}
	t, err := time.ParseInLocation("2006-01", q, loc)
	if err != nil || t.Year() < 2000 || t.Year() > 2200 {
		return time.Time{}, badRequest("month: want a month such as 2026-12, got %q", q)
	}
	return t, nil
}

// maintTitle is a window's title in lang, French when it has no English one.
func maintTitle(w *incident.Window, lang string) string {
	if lang == "en" && w.TitleEN != "" {
		return w.TitleEN
	}
	return w.Title
}

func maintRowOf(w *incident.Window, now time.Time, lang string) maintRow {
	row := maintRow{ID: w.ID, Title: maintTitle(w, lang), Assets: w.Assets, State: w.State(now), Weekly: w.Weekly, Cancelled: w.Cancelled}
	row.Start, row.End, _ = w.Occurrence(now)
	return row
}

// maintOccurrences returns the occurrences of a window that meet [from, to).
func maintOccurrences(w *incident.Window, from, to time.Time) [][2]time.Time {
	var out [][2]time.Time
	at := from
	for range 8 { // a month holds at most five weeks
		s, e, ok := w.Occurrence(at)
		if !ok || !s.Before(to) {
			break
		}
		if e.After(from) {
			out = append(out, [2]time.Time{s, e})
		}
		if !w.Weekly {
			break
		}
		// From the end of this one's verification, the next is next.
		at = e.Add(cmp.Or(max(w.Verify, 0), incident.DefaultVerify))
	}
	return out
}

// maintMonthGrid lays out the weeks (Monday first) holding the month that
// starts at first, each day with the occurrences that meet it.
func maintMonthGrid(first, now time.Time, all []incident.Window, v *viewer) [][]maintDay {
	loc := first.Location()
	start := first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
	next := first.AddDate(0, 1, 0)
	today := now.In(loc).Format("2006-01-02")
	var weeks [][]maintDay
	for day := start; day.Before(next); {
		week := make([]maintDay, 7)
		for k := range week {
			end := day.AddDate(0, 0, 1)
			cd := maintDay{Day: day.Day(), At: day, Date: day.Format("2006-01-02"), InMonth: day.Month() == first.Month()}
			cd.Today = cd.Date == today
			for i := range all {
				win := &all[i]
				for _, o := range maintOccurrences(win, day, end) {
					cd.Entries = append(cd.Entries, maintEntry{ID: win.ID, Title: maintTitle(win, v.Lang),
						Hours: o[0].In(loc).Format("15:04") + "–" + o[1].In(loc).Format("15:04"),
						State: win.State(now), Cancelled: win.Cancelled})
				}
			}
			slices.SortStableFunc(cd.Entries, func(a, b maintEntry) int { return cmp.Compare(a.Hours, b.Hours) })
			week[k] = cd
			day = end
		}
		weeks = append(weeks, week)
	}
	return weeks
}
