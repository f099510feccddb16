package check

import (
	"net"
	"testing"
	"time"
)

// TestTLSCheck proves a tls check reports the days a certificate has left
// and fails on a bad chain, a wrong name or too few days.
func TestTLSCheck(t *testing.T) {
	now := testNow
	pki := newTestPKI(t, now)
	twelveDays := startTLS(t, pki.issue(t, now.Add(-30*24*time.Hour), now.Add(12*24*time.Hour+time.Hour), "www.site.example", "127.0.0.1"))
	oneDay := startTLS(t, pki.issue(t, now.Add(-30*24*time.Hour), now.Add(36*time.Hour), "www.site.example"))
	expired := startTLS(t, pki.issue(t, now.Add(-30*24*time.Hour), now.Add(-6*24*time.Hour), "www.site.example"))
	self := startTLS(t, makeCert(t, nil, nil, now.Add(-time.Hour), now.Add(90*24*time.Hour), []string{"www.site.example"}))
	notTLS := startTCP(t, func(conn net.Conn) { _, _ = conn.Write([]byte("220 mail.site.example ESMTP\r\n")) })
	_, port, _ := net.SplitHostPort(twelveDays)

	e := NewEngine(Options{RootCAs: pki.pool, Now: frozenAt(now)})
	tests := []struct {
		name string
		c    Check
		want want
	}{
		{"days left", Check{Address: twelveDays, TLSOptions: &TLSOptions{ServerName: "www.site.example", MinDays: 7}},
			want{OK: true, Phase: PhaseDone, Message: "certificate for www.site.example expires in 12 days (2026-12-08)"}},
		{"name from the url", Check{URL: "https://www.site.example:" + port + "/", Address: twelveDays, TLSOptions: &TLSOptions{MinDays: 12}},
			want{OK: true, Phase: PhaseDone, Message: "certificate for www.site.example expires in 12 days (2026-12-08)"}},
		{"name from the address", Check{Address: twelveDays, TLSOptions: &TLSOptions{MinDays: 1}},
			want{OK: true, Phase: PhaseDone, Message: "certificate for 127.0.0.1 expires in 12 days (2026-12-08)"}},
		{"default min_days", Check{Address: twelveDays, TLSOptions: &TLSOptions{ServerName: "www.site.example"}},
			want{Phase: PhaseTLS, Reason: ReasonCertificate, Message: "certificate for www.site.example expires in 12 days (2026-12-08), less than min_days 14"}},
		{"one day", Check{Address: oneDay, TLSOptions: &TLSOptions{ServerName: "www.site.example"}},
			want{Phase: PhaseTLS, Reason: ReasonCertificate, Message: "certificate for www.site.example expires in 1 day (2026-11-27), less than min_days 14"}},
		{"expired", Check{Address: expired, TLSOptions: &TLSOptions{ServerName: "www.site.example"}},
			want{Phase: PhaseTLS, Reason: ReasonCertificate, Message: "certificate for www.site.example expired on 2026-11-20"}},
		{"unknown authority", Check{Address: self, TLSOptions: &TLSOptions{ServerName: "www.site.example"}},
			want{Phase: PhaseTLS, Reason: ReasonCertificate, MessageRe: `^certificate for www\.site\.example: x509: certificate signed by unknown authority`}},
		{"name mismatch", Check{Address: twelveDays, TLSOptions: &TLSOptions{ServerName: "other.example"}},
			want{Phase: PhaseTLS, Reason: ReasonCertificate, Message: "certificate for other.example: x509: certificate is valid for www.site.example, not other.example"}},
		{"not TLS", Check{Address: notTLS, TLSOptions: &TLSOptions{ServerName: "www.site.example"}},
			want{Phase: PhaseTLS, Reason: ReasonTLS, MessageRe: `^tls: first record does not look like a TLS handshake$`}},
		{"refused", Check{Address: closedPort(t, "tcp")},
			want{Phase: PhaseConnect, Reason: ReasonRefused, MessageRe: `connect: connection refused$`}},
		{"no target", Check{}, want{Reason: ReasonConfig, Message: "address: required unless url is set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.Kind = TLS
			res := run(t, e, &c)
			checkResult(t, res, tt.want)
			if res.Phase == PhaseTLS && res.Timings.TLS <= 0 {
				t.Errorf("the handshake is not timed: %+v", res.Timings)
			}
		})
	}
}

// TestTLSCheckSystemRoots proves a check without Options.RootCAs trusts
// only the system's authorities.
func TestTLSCheckSystemRoots(t *testing.T) {
	now := testNow
	pki := newTestPKI(t, now)
	addr := startTLS(t, pki.issue(t, now.Add(-time.Hour), now.Add(90*24*time.Hour), "www.site.example"))
	res := run(t, NewEngine(Options{Now: frozenAt(now)}), &Check{Kind: TLS, Address: addr, TLSOptions: &TLSOptions{ServerName: "www.site.example"}})
	checkResult(t, res, want{Phase: PhaseTLS, Reason: ReasonCertificate,
		MessageRe: `^certificate for www\.site\.example: x509: certificate signed by unknown authority`})
}
