package check

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestTCPCheck proves a tcp check connects, and finds its banner when it
// has one.
func TestTCPCheck(t *testing.T) {
	write := func(s string) func(net.Conn) {
		return func(conn net.Conn) { _, _ = io.WriteString(conn, s) }
	}
	ssh := startTCP(t, write("SSH-2.0-OpenSSH_9.6\r\n"))
	smtp := startTCP(t, write("220 mail.site.example ESMTP\r\n"))
	slow := startTCP(t, func(conn net.Conn) {
		// The banner comes in pieces, as it may over a real network.
		for _, s := range []string{"SS", "H-2", ".0-x\r\n"} {
			_, _ = io.WriteString(conn, s)
			time.Sleep(5 * time.Millisecond)
		}
	})
	chatty := startTCP(t, func(conn net.Conn) {
		_, _ = io.WriteString(conn, strings.Repeat("noise ", 400))
		_, _ = io.Copy(io.Discard, conn)
	})
	silent := startTCP(t, func(conn net.Conn) { _, _ = io.Copy(io.Discard, conn) })
	mute := startTCP(t, func(net.Conn) {})
	e := NewEngine(Options{})

	tests := []struct {
		name string
		c    Check
		want want
	}{
		{"connects", Check{Address: ssh}, want{OK: true, Phase: PhaseDone, Message: "connected to " + ssh}},
		{"banner", Check{Address: ssh, TCPOptions: &TCPOptions{Banner: "SSH-2.0-"}}, want{OK: true, Phase: PhaseDone, Message: `banner "SSH-2.0-" seen`}},
		{"banner in pieces", Check{Address: slow, TCPOptions: &TCPOptions{Banner: "SSH-2.0-"}}, want{OK: true, Phase: PhaseDone, Message: `banner "SSH-2.0-" seen`}},
		{"other banner", Check{Address: smtp, TCPOptions: &TCPOptions{Banner: "SSH-"}},
			want{Phase: PhaseResponse, Reason: ReasonContent, Message: `banner "SSH-" not found in "220 mail.site.example ESMTP\r\n"`}},
		{"banner not in the first KiB", Check{Address: chatty, TCPOptions: &TCPOptions{Banner: "SSH-"}},
			want{Phase: PhaseResponse, Reason: ReasonContent, Message: `banner "SSH-" not found in "` + strings.Repeat("noise ", 16) + `nois…"`}},
		{"closed before the banner", Check{Address: mute, TCPOptions: &TCPOptions{Banner: "SSH-"}},
			want{Phase: PhaseResponse, Reason: ReasonContent, Message: `connection closed before the banner "SSH-"`}},
		{"no banner in time", Check{Address: silent, Timeout: Duration(200 * time.Millisecond), TCPOptions: &TCPOptions{Banner: "SSH-"}},
			want{Phase: PhaseResponse, Reason: ReasonTimeout, MessageRe: `i/o timeout$`}},
		{"refused", Check{Address: closedPort(t, "tcp")},
			want{Phase: PhaseConnect, Reason: ReasonRefused, MessageRe: `connect: connection refused$`}},
		{"no address", Check{}, want{Reason: ReasonConfig, Message: "address: required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.Kind = TCP
			res := run(t, e, &c)
			checkResult(t, res, tt.want)
			if res.Reason != ReasonConfig && (res.Timings.Connect <= 0 || res.Timings.Total <= 0) {
				t.Errorf("the connection is not timed: %+v", res.Timings)
			}
			if c.Banner() != "" && res.Phase != PhaseConnect && res.Timings.FirstByte <= 0 {
				t.Errorf("the wait for the banner is not timed: %+v", res.Timings)
			}
		})
	}
}

// TestTCPDial proves Options.Dial routes a tcp check's name.
func TestTCPDial(t *testing.T) {
	addr := startTCP(t, func(conn net.Conn) { _, _ = io.WriteString(conn, "+OK POP3 ready\r\n") })
	e := NewEngine(Options{Dial: routeDial(map[string]string{"mail.site.example:110": addr})})
	res := run(t, e, &Check{Kind: TCP, Address: "mail.site.example:110", TCPOptions: &TCPOptions{Banner: "+OK"}})
	checkResult(t, res, want{OK: true, Phase: PhaseDone, Message: `banner "+OK" seen`})
}
