package report

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"
)

// Chart says how to draw a latency series: its texts, already in the
// reader's language, and the zone of its time labels.
type Chart struct {
	// ID prefixes the ids of the title and description, unique on a page.
	ID string
	// Title names the chart; Desc sums it up in words ("median 120 ms,
	// max 340 ms"): screen readers read both.
	Title, Desc string
	Zone        *time.Location
}

// The drawing's geometry, in SVG user units.
const (
	svgWidth, svgHeight = 640, 180
	plotLeft, plotRight = 56, 628
	plotTop, plotBottom = 12, 150
)

// SVG draws the series as an inline SVG image: the average latency of
// each step as a line, broken where a step has no successful result, a
// mark under each step with failures, and labelled axes. It uses classes
// only (lat-*), for a style sheet to colour, since pages forbid inline
// styles.
func (s Series) SVG(c Chart) template.HTML {
	var b strings.Builder
	id := html.EscapeString(c.ID)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="lat-chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d">`,
		svgWidth, svgHeight, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, html.EscapeString(c.Title), id, html.EscapeString(c.Desc))
	top := axisTop(s.Summary().Max)
	y := func(d time.Duration) float64 {
		return plotBottom - float64(d)/float64(top)*(plotBottom-plotTop)
	}
	n := max(len(s.Points), 1)
	x := func(i int) float64 { return plotLeft + (float64(i)+0.5)*(plotRight-plotLeft)/float64(n) }
	for _, v := range []time.Duration{0, top / 2, top} {
		fmt.Fprintf(&b, `<line class="lat-grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, plotLeft, plotRight, y(v), y(v))
		fmt.Fprintf(&b, `<text class="lat-label" x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`,
			plotLeft-6, y(v), html.EscapeString(Millis(v)))
	}
	zone := c.Zone
	if zone == nil {
		zone = time.UTC
	}
	for _, i := range []int{0, len(s.Points) / 2, len(s.Points) - 1} {
		if i < 0 || i >= len(s.Points) {
			continue
		}
		fmt.Fprintf(&b, `<text class="lat-label" x="%.1f" y="%d" text-anchor="middle">%s</text>`,
			x(i), svgHeight-8, s.Points[i].At.In(zone).Format("15:04"))
	}
	var path strings.Builder
	pen := false
	for i, p := range s.Points {
		if p.Failures > 0 {
			fmt.Fprintf(&b, `<rect class="lat-fail" x="%.1f" y="%d" width="%.1f" height="4"/>`,
				x(i)-float64(plotRight-plotLeft)/float64(2*n), plotBottom+2, float64(plotRight-plotLeft)/float64(n))
		}
		if !p.OK {
			pen = false
			continue
		}
		op := "L"
		if !pen {
			op = "M"
		}
		fmt.Fprintf(&path, "%s%.1f %.1f ", op, x(i), y(p.Mean))
		pen = true
	}
	if path.Len() > 0 {
		fmt.Fprintf(&b, `<path class="lat-line" fill="none" d="%s"/>`, strings.TrimSpace(path.String()))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec G203 -- built above; every text in it is escaped
}

// axisTop is the top of the latency axis: a round value at or above the
// slowest response, at least 10 ms.
func axisTop(slowest time.Duration) time.Duration {
	for _, v := range []time.Duration{10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 60000} {
		if top := v * time.Millisecond; slowest <= top {
			return top
		}
	}
	return slowest
}

// Millis writes a latency in whole milliseconds, "120 ms", or in seconds
// from 10 s up, "12 s".
func Millis(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%d s", d.Round(time.Second)/time.Second)
	}
	return fmt.Sprintf("%d ms", d.Round(time.Millisecond)/time.Millisecond)
}
