package report

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

func bucket(at time.Time, count, failures int, mean, hi time.Duration) detect.Bucket {
	ok := count - failures
	return detect.Bucket{Minute: at, Count: count, Failures: failures, LatencySum: mean * time.Duration(ok), Min: mean, Max: hi}
}

func TestLatencySeriesFoldsMinutesIntoSteps(t *testing.T) {
	from := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	period := Span{from, from.Add(time.Hour)}
	s := LatencySeries("blog/http", period, 10*time.Minute, []detect.Bucket{
		bucket(from.Add(-time.Minute), 1, 0, time.Second, time.Second), // before: ignored
		bucket(from, 1, 0, 100*time.Millisecond, 100*time.Millisecond),
		bucket(from.Add(5*time.Minute), 3, 0, 200*time.Millisecond, 340*time.Millisecond),
		bucket(from.Add(12*time.Minute), 2, 2, 0, 0), // only failures
		bucket(from.Add(25*time.Minute), 1, 0, 120*time.Millisecond, 120*time.Millisecond),
		bucket(from.Add(45*time.Minute), 2, 1, 90*time.Millisecond, 90*time.Millisecond),
		bucket(from.Add(time.Hour), 1, 0, time.Second, time.Second), // after: ignored
	})
	if len(s.Points) != 6 {
		t.Fatalf("%d points, want 6", len(s.Points))
	}
	p := s.Points
	if !p[0].OK || p[0].Mean != 175*time.Millisecond || p[0].Max != 340*time.Millisecond {
		t.Fatalf("first step %+v: want a mean of 175 ms over 4 results and a max of 340 ms", p[0])
	}
	if p[1].OK || p[1].Failures != 2 || p[3].OK || p[3].Failures != 0 {
		t.Fatalf("steps without success: %+v, %+v", p[1], p[3])
	}
	sum := s.Summary()
	// Means 175, 120 and 90 ms: the median is 120.
	if sum.Median != 120*time.Millisecond || sum.Max != 340*time.Millisecond || sum.Measured != 3 {
		t.Fatalf("summary %+v", sum)
	}
	if (Series{}).Summary() != (Summary{}) {
		t.Fatal("an empty series has a summary")
	}
}

func TestTheChartIsAccessibleAndStyledByClassesOnly(t *testing.T) {
	from := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	paris, _ := time.LoadLocation("Europe/Paris")
	s := LatencySeries("blog/http", Span{from, from.Add(time.Hour)}, 10*time.Minute, []detect.Bucket{
		bucket(from, 1, 0, 100*time.Millisecond, 100*time.Millisecond),
		bucket(from.Add(10*time.Minute), 1, 0, 120*time.Millisecond, 130*time.Millisecond),
		bucket(from.Add(20*time.Minute), 1, 1, 0, 0),
		bucket(from.Add(40*time.Minute), 1, 0, 150*time.Millisecond, 150*time.Millisecond),
	})
	svg := string(s.SVG(Chart{ID: "lat", Title: "Temps de réponse <24 h>", Desc: "médiane 120 ms, max 150 ms", Zone: paris}))
	for _, want := range []string{
		`role="img"`, `aria-labelledby="lat-t lat-d"`,
		`<title id="lat-t">Temps de réponse &lt;24 h&gt;</title>`, `<desc id="lat-d">médiane 120 ms, max 150 ms</desc>`,
		`class="lat-fail"`, `>01:00<`, // the first step, in Paris
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %s:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "style=") || strings.Contains(svg, "<script") {
		t.Fatalf("the chart has an inline style or script:\n%s", svg)
	}
	// The line breaks where a step has no success: two runs, each opened by M.
	d := regexp.MustCompile(`class="lat-line" fill="none" d="([^"]*)"`).FindStringSubmatch(svg)
	if d == nil || strings.Count(d[1], "M") != 2 || strings.Count(d[1], "L") != 1 {
		t.Fatalf("path %q, want two runs (M L, then M)", d)
	}
}

func TestNumbersInWords(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Percent(0.99999, "en"), "99.99%"},
		{Percent(0.99999, "fr"), "99,99\u00a0%"},
		{Percent(1, "fr"), "100,00\u00a0%"},
		{Percent(0.5, "en"), "50.00%"},
		{Length(0, "fr"), "0\u00a0min"},
		{Length(125*time.Minute, "en"), "2\u00a0h\u00a005\u00a0min"},
		{Length(76*time.Hour+20*time.Minute, "fr"), "3\u00a0j\u00a04\u00a0h"},
		{Length(76*time.Hour, "en"), "3\u00a0d\u00a04\u00a0h"},
		{Millis(123456 * time.Microsecond), "123 ms"},
		{Millis(12 * time.Second), "12 s"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
