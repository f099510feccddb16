package report

import (
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// Window is an occurrence of a maintenance window touching an asset, and
// the part of it that counts as announced.
type Window struct {
	ID                string
	Title, TitleEN    string
	Occurrence        Span
	Announced         Span // empty when none of it was announced
	Cancelled, Weekly bool
}

// Name is the window's public title in lang, French when it has no
// English one.
func (w Window) Name(lang string) string {
	if lang == "en" && w.TitleEN != "" {
		return w.TitleEN
	}
	return w.Title
}

// Excluded is the time of the window removed from availability inside s.
func (w Window) Excluded(s Span) time.Duration { return w.Announced.clip(s).Duration() }

// Occurrences lists the occurrences of w that overlap s, oldest first:
// one for a one-off window, one a week for a weekly one. An invalid
// window has none.
func Occurrences(w *incident.Window, s Span) []Span {
	verify := w.Verify
	if verify <= 0 {
		verify = incident.DefaultVerify
	}
	var out []Span
	// Occurrence gives the occurrence current at a time, or the next one:
	// asking just past the end of each (and of its verify time) walks
	// them in order.
	at := s.From.Add(-verify)
	for {
		start, end, ok := w.Occurrence(at)
		if !ok || !start.Before(s.To) || (len(out) > 0 && !start.After(out[len(out)-1].From)) {
			return out
		}
		if end.After(s.From) {
			out = append(out, Span{start, end})
		}
		if !w.Weekly {
			return out
		}
		at = end.Add(verify)
	}
}

// announcedPart is the part of an occurrence that was announced: none
// when the window was created after it began or is cancelled; up to the
// window's last change when that change came while it was under way.
func announcedPart(w *incident.Window, occ Span) Span {
	if w.Cancelled || w.CreatedAt.IsZero() || !w.CreatedAt.Before(occ.From) {
		return Span{occ.From, occ.From}
	}
	if w.UpdatedAt.After(occ.From) && w.UpdatedAt.Before(occ.To) {
		return Span{occ.From, w.UpdatedAt}
	}
	return occ
}

// Windows lists the occurrences within s of the windows that touch an
// asset, as touches tells from a window's assets, with their announced
// part. Cancelled windows are listed (never announced) so that a report
// can say why they are not excluded.
func Windows(list []incident.Window, touches func(assets []string) bool, s Span) []Window {
	var out []Window
	for i := range list {
		w := &list[i]
		if !touches(w.Assets) {
			continue
		}
		for _, occ := range Occurrences(w, s) {
			out = append(out, Window{ID: w.ID, Title: w.Title, TitleEN: w.TitleEN, Occurrence: occ,
				Announced: announcedPart(w, occ), Cancelled: w.Cancelled, Weekly: w.Weekly})
		}
	}
	return out
}

// excludedSpans are the announced parts of the windows, for Fold.
func excludedSpans(ws []Window) []Span {
	var out []Span
	for _, w := range ws {
		if w.Announced.Duration() > 0 {
			out = append(out, w.Announced)
		}
	}
	return out
}
