package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/i18n"
)

// nbsp is the no-break space French puts before "%" and inside numbers;
// it exists in the PDF's cp1252 fonts too.
const nbsp = "\u00a0"

// Percent writes an availability ratio with two decimals, rounded down
// so that anything short of 1 never reads 100: "99,95 %" in French,
// "99.95%" in English.
func Percent(ratio float64, lang string) string {
	v := math.Floor(ratio*10000) / 100
	s := fmt.Sprintf("%.2f", v)
	if lang == "en" {
		return s + "%"
	}
	return strings.Replace(s, ".", ",", 1) + nbsp + "%"
}

// Length writes a duration in words, to the minute: "0 min", "45 min",
// "2 h 05 min", "3 j 4 h" ("3 d 4 h" in English) from a day up.
func Length(d time.Duration, lang string) string {
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d/time.Hour)%24, int(d/time.Minute)%60
	day := "j"
	if lang == "en" {
		day = "d"
	}
	switch {
	case days > 0:
		return fmt.Sprintf("%d%s%s%s%d%sh", days, nbsp, day, nbsp, hours, nbsp)
	case hours > 0:
		return fmt.Sprintf("%d%sh%s%02d%smin", hours, nbsp, nbsp, mins, nbsp)
	}
	return fmt.Sprintf("%d%smin", mins, nbsp)
}

// Words writes dates and times in one language and zone, with the month
// names of the messages (PageMonth1…12).
type Words struct {
	Texts *i18n.Bundle
	Lang  string
	Zone  *time.Location
}

// T translates a message with pairs of names and values as its data.
func (w Words) T(id string, kv ...any) string {
	data := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			data[k] = kv[i+1]
		}
	}
	return w.Texts.T(w.Lang, id, data)
}

// MonthName is the month of t and its year: "décembre 2026".
func (w Words) MonthName(t time.Time) string {
	t = t.In(w.Zone)
	return fmt.Sprintf("%s %d", w.T(fmt.Sprintf("PageMonth%d", t.Month())), t.Year())
}

// Date is the day of t: "7 décembre 2026", "1er décembre 2026".
func (w Words) Date(t time.Time) string {
	t = t.In(w.Zone)
	return fmt.Sprintf("%s %s %d", w.dayNumber(t), w.T(fmt.Sprintf("PageMonth%d", t.Month())), t.Year())
}

// Day is the day of t, short, within a year: "7 déc.".
func (w Words) Day(t time.Time) string {
	t = t.In(w.Zone)
	return fmt.Sprintf("%s %s", w.dayNumber(t), w.T(fmt.Sprintf("PageMonthShort%d", t.Month())))
}

// dayNumber is the day of the month as written before its name: French
// writes the first "1er".
func (w Words) dayNumber(t time.Time) string {
	if t.Day() == 1 && w.Lang != "en" {
		return "1er"
	}
	return fmt.Sprint(t.Day())
}

// At is an instant with its zone: "7 décembre 2026, 14:05 CET".
func (w Words) At(t time.Time) string {
	t = t.In(w.Zone)
	return fmt.Sprintf("%s, %s %s", w.Date(t), t.Format("15:04"), t.Format("MST"))
}

// Ratio is an availability as a percentage (Percent), or "no data" when
// nothing was measured.
func (w Words) Ratio(a Availability) string {
	if r, ok := a.Ratio(); ok {
		return Percent(r, w.Lang)
	}
	return w.T("AreaNoData")
}

// Excluded is the time of a window left out of availability within s, or
// why none was: it was not announced in advance.
func (w Words) Excluded(win Window, s Span) string {
	if win.Announced.Duration() == 0 {
		return w.T("AreaReportNotAnnounced")
	}
	return Length(win.Excluded(s), w.Lang)
}
