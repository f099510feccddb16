package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

// uptimeBarDays is how many days of uptime bars a check shows.
const uptimeBarDays = 30

// uptimeBars draws one bar per day, the last uptimeBarDays days up to
// today (UTC days, the rollup's): green when every result of the day was
// good, amber from one failure, red below 99 %, grey without results.
func uptimeBars(days []detect.Bucket, today time.Time, title string) template.HTML {
	byDay := make(map[time.Time]detect.Bucket, len(days))
	for _, b := range days {
		byDay[b.Minute.UTC().Truncate(24*time.Hour)] = b
	}
	const barW, gap, height = 8, 2, 22
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="inv-bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img"><title>%s</title>`,
		uptimeBarDays*(barW+gap), height, uptimeBarDays*(barW+gap), height, template.HTMLEscapeString(title))
	for i := range uptimeBarDays {
		day := today.Add(-time.Duration(uptimeBarDays-1-i) * 24 * time.Hour)
		class, label := "inv-bar-none", "—"
		if bk, ok := byDay[day]; ok && bk.Count > 0 {
			ratio := float64(bk.Count-bk.Failures) / float64(bk.Count)
			label = fmt.Sprintf("%.2f %%", ratio*100)
			switch {
			case bk.Failures == 0:
				class = "inv-bar-ok"
			case ratio >= 0.99:
				class = "inv-bar-warn"
			default:
				class = "inv-bar-bad"
			}
		}
		fmt.Fprintf(&b, `<rect class="%s" x="%d" y="0" width="%d" height="%d" rx="1"><title>%s %s</title></rect>`,
			class, i*(barW+gap), barW, height, day.Format("2006-01-02"), label)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers, dates and an escaped title
}
