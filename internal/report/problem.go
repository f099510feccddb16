package report

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
)

// ProblemKind says what is wrong with an asset, in the terms its owner
// is told.
type ProblemKind string

// The kinds of problems. Each has its own sentence in the customer area.
const (
	ProblemHTTPStatus   ProblemKind = "http-status"          // answers with an error status (Code)
	ProblemRedirects    ProblemKind = "redirects"            // redirects without end
	ProblemTimeout      ProblemKind = "timeout"              // does not answer within Timeout
	ProblemRefused      ProblemKind = "refused"              // refuses the connection
	ProblemDNS          ProblemKind = "dns"                  // the name does not resolve
	ProblemCertExpiring ProblemKind = "certificate-expiring" // the certificate ends in Days (Until)
	ProblemCertExpired  ProblemKind = "certificate-expired"  // the certificate ended (Until)
	ProblemCertInvalid  ProblemKind = "certificate"          // the certificate is not valid for the name
	ProblemTLS          ProblemKind = "tls"                  // the secure connection fails
	ProblemContent      ProblemKind = "content"              // the expected text is missing
	ProblemSlow         ProblemKind = "slow"                 // answers, too slowly
	ProblemNetwork      ProblemKind = "network"              // the connection breaks
	ProblemOther        ProblemKind = "other"
)

// Problem is one failing check of an asset, read for its owner.
type Problem struct {
	Asset     string
	Check     string // the check's name
	CheckKind check.Kind
	Kind      ProblemKind
	Reason    check.Reason
	Since     time.Time
	// Code is the HTTP status the site answered with (ProblemHTTPStatus).
	Code int
	// Timeout is how long the check waits for an answer (ProblemTimeout).
	Timeout time.Duration
	// Until is the last day of the certificate, and Days how many whole
	// days are left of it (certificate kinds, when the check said).
	Until time.Time
	Days  int
	// Warning is set when the asset still answers: its certificate ends
	// soon but is still valid.
	Warning bool
	// Detail is the check's own technical message.
	Detail string
}

// Counts tells whether a check of kind k counts for availability and
// problems: those that say whether an asset answers. Heartbeats (backup
// jobs) and host checks (a machine's settings) do not.
func Counts(k check.Kind) bool {
	switch k {
	case check.HTTP, check.TCP, check.DNS, check.TLS:
		return true
	}
	return false
}

var (
	// "HTTP/1.1 500 Internal Server Error, want 200-299"
	httpStatusRe = regexp.MustCompile(`^\S+ ([1-5][0-9][0-9])\b`)
	// "certificate for NAME expires in 5 days (2026-12-12), less than min_days 14"
	expiresRe = regexp.MustCompile(`expires in .*\((\d{4}-\d{2}-\d{2})\)`)
	// "certificate for NAME expired on 2026-12-01"
	expiredRe = regexp.MustCompile(`expired on (\d{4}-\d{2}-\d{2})`)
)

// Expiring tells whether a certificate failure (reason and message of a
// tls check) is only the certificate ending soon: still valid, the site
// answers.
func Expiring(reason check.Reason, message string) bool {
	return reason == check.ReasonCertificate && expiresRe.MatchString(message)
}

// ProblemOf reads the state of a check as a problem; ok is false when
// the check is not down or does not count (Counts). now dates the days
// left of a certificate.
func ProblemOf(c *check.Check, row detect.StateRow, now time.Time) (p Problem, ok bool) {
	if row.State != detect.Down || !Counts(c.Kind) {
		return Problem{}, false
	}
	p = Problem{Asset: c.Asset, Check: c.ID().Name, CheckKind: c.Kind, Reason: row.Reason, Since: row.Since,
		Detail: row.Message, Kind: ProblemOther}
	switch row.Reason {
	case check.ReasonHTTPStatus:
		p.Kind = ProblemRedirects
		if m := httpStatusRe.FindStringSubmatch(row.Message); m != nil {
			p.Kind = ProblemHTTPStatus
			p.Code, _ = strconv.Atoi(m[1])
		}
	case check.ReasonTimeout:
		p.Kind, p.Timeout = ProblemTimeout, time.Duration(c.Timeout)
		if p.Timeout <= 0 {
			p.Timeout = check.DefaultTimeout
		}
	case check.ReasonCertificate:
		p.Kind = ProblemCertInvalid
		if m := expiresRe.FindStringSubmatch(row.Message); m != nil {
			p.Kind, p.Warning = ProblemCertExpiring, true
			p.Until, p.Days = certificateEnd(m[1], now)
		} else if m := expiredRe.FindStringSubmatch(row.Message); m != nil {
			p.Kind = ProblemCertExpired
			p.Until, _ = certificateEnd(m[1], now)
		}
	case check.ReasonRefused, check.ReasonDNS, check.ReasonTLS, check.ReasonContent, check.ReasonSlow, check.ReasonNetwork:
		p.Kind = ProblemKind(row.Reason)
	}
	return p, true
}

// certificateEnd reads a certificate's last day (UTC, as the tls check
// writes it) and the whole days left from now to it.
func certificateEnd(date string, now time.Time) (time.Time, int) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(date))
	if err != nil {
		return time.Time{}, 0
	}
	today := now.UTC().Truncate(24 * time.Hour)
	return t, max(int(t.Sub(today)/(24*time.Hour)), 0)
}
