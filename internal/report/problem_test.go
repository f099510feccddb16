package report

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
)

func TestProblemsAreReadFromTheCheckState(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	since := now.Add(-time.Hour)
	web := check.Check{Asset: "blog", Kind: check.HTTP, Timeout: check.Duration(7 * time.Second)}
	cert := check.Check{Asset: "blog", Kind: check.TLS}
	down := func(reason check.Reason, msg string) detect.StateRow {
		return detect.StateRow{State: detect.Down, Since: since, Reason: reason, Message: msg}
	}
	cases := []struct {
		name string
		c    check.Check
		row  detect.StateRow
		want Problem
	}{
		{"error status", web, down(check.ReasonHTTPStatus, "HTTP/1.1 500 Internal Server Error, want 200-299"),
			Problem{Kind: ProblemHTTPStatus, Code: 500}},
		{"redirect loop", web, down(check.ReasonHTTPStatus, "stopped after 10 redirects"), Problem{Kind: ProblemRedirects}},
		{"timeout names the check's own limit", web, down(check.ReasonTimeout, "context deadline exceeded"),
			Problem{Kind: ProblemTimeout, Timeout: 7 * time.Second}},
		{"name does not resolve", web, down(check.ReasonDNS, "lookup blog.example: no such host"), Problem{Kind: ProblemDNS}},
		{"certificate ending soon is a warning with the days left now", cert,
			down(check.ReasonCertificate, "certificate for blog.example expires in 9 days (2026-12-12), less than min_days 14"),
			Problem{Kind: ProblemCertExpiring, Warning: true, Days: 5, Until: time.Date(2026, 12, 12, 0, 0, 0, 0, time.UTC)}},
		{"expired certificate", cert, down(check.ReasonCertificate, "certificate for blog.example expired on 2026-12-01"),
			Problem{Kind: ProblemCertExpired, Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}},
		{"certificate for another name", cert, down(check.ReasonCertificate, "certificate for blog.example: x509: certificate is valid for other.example"),
			Problem{Kind: ProblemCertInvalid}},
		{"refused", web, down(check.ReasonRefused, "connection refused"), Problem{Kind: ProblemRefused}},
		{"a reason without words of its own", web, down(check.ReasonConfig, "internal error"), Problem{Kind: ProblemOther}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, ok := ProblemOf(&c.c, c.row, now)
			if !ok {
				t.Fatal("no problem")
			}
			if p.Kind != c.want.Kind || p.Code != c.want.Code || p.Timeout != c.want.Timeout || p.Days != c.want.Days ||
				!p.Until.Equal(c.want.Until) || p.Warning != c.want.Warning {
				t.Fatalf("got %+v, want %+v", p, c.want)
			}
			if p.Asset != "blog" || !p.Since.Equal(since) || p.Detail != c.row.Message {
				t.Fatalf("asset, since or detail lost: %+v", p)
			}
		})
	}
	if _, ok := ProblemOf(&web, detect.StateRow{State: detect.Up}, now); ok {
		t.Fatal("a check up is a problem")
	}
	beat := check.Check{Asset: "blog", Kind: check.Heartbeat}
	if _, ok := ProblemOf(&beat, down(check.ReasonMissed, "no ping"), now); ok {
		t.Fatal("a late backup is told as a site problem")
	}
}

func TestServiceStateLeavesOutBackupsAndWarnings(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	a := AssetState{Name: "blog",
		Checks: []check.Check{{Asset: "blog", Kind: check.HTTP}, {Asset: "blog", Kind: check.TLS}, {Asset: "blog", Kind: check.Heartbeat, Name: "backup"}},
		Rows: []detect.StateRow{
			{State: detect.Up, Since: now.Add(-3 * time.Hour)},
			{State: detect.Down, Since: now.Add(-2 * time.Hour), Reason: check.ReasonCertificate,
				Message: "certificate for blog.example expires in 3 days (2026-12-10), less than min_days 14"},
			{State: detect.Down, Since: now.Add(-time.Hour), Reason: check.ReasonMissed},
		}}
	if st, since := a.State(); st != detect.Down || !since.Equal(now.Add(-2*time.Hour)) {
		t.Fatalf("every check folded: %s since %v, want down since the first failure", st, since)
	}
	st, _, warning := a.Service()
	if st != detect.Up || !warning {
		t.Fatalf("service: %s (warning %v), want up with a warning", st, warning)
	}
	if ps := a.Problems(now); len(ps) != 1 || ps[0].Kind != ProblemCertExpiring {
		t.Fatalf("problems %+v, want the certificate alone", ps)
	}
}
