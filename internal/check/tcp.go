package check

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
)

// maxBanner is how much a tcp check reads while looking for its banner.
const maxBanner = 1 << 10

// runTCP is the executor of tcp checks: it connects to the address and,
// when the check names a banner, reads until the banner appears, 1 KiB has
// come, the peer closes or the check times out. FirstByte is the wait for
// the banner.
func (e *Engine) runTCP(ctx context.Context, c *Check) Result {
	if c.Address == "" {
		return configResult("address: required")
	}
	if msg := checkAddress(c.Address); msg != "" {
		return configResult("address: " + msg)
	}
	tl := newTimeline()
	conn, err := e.dial(ctx, tl, "tcp", c.Address)
	if err != nil {
		return tl.fail(ctx, err)
	}
	defer func() { _ = conn.Close() }() // the result is decided; closing cannot change it
	if c.Banner() == "" {
		return tl.done("connected to " + conn.RemoteAddr().String())
	}

	tl.begin(PhaseResponse)
	got, err := readBanner(ctx, conn, []byte(c.Banner()))
	tl.end(PhaseResponse)
	switch {
	case bytes.Contains(got, []byte(c.Banner())):
		return tl.done(fmt.Sprintf("banner %q seen", c.Banner()))
	case len(got) > 0:
		return tl.failWith(ReasonContent, fmt.Sprintf("banner %q not found in %q", c.Banner(), clip(got, 100)))
	case errors.Is(err, io.EOF):
		return tl.failWith(ReasonContent, fmt.Sprintf("connection closed before the banner %q", c.Banner()))
	}
	return tl.fail(ctx, err)
}

// readBanner reads from conn until banner is among what came, maxBanner
// bytes came, or reading fails; the context's end stops it.
func readBanner(ctx context.Context, conn net.Conn, banner []byte) ([]byte, error) {
	stop := bindConn(ctx, conn)
	defer stop()
	buf := make([]byte, maxBanner)
	n := 0
	for n < len(buf) {
		m, err := conn.Read(buf[n:])
		n += m
		if bytes.Contains(buf[:n], banner) {
			return buf[:n], nil
		}
		if err != nil {
			return buf[:n], err
		}
	}
	return buf[:n], nil
}

// clip shortens b to at most n bytes for a message.
func clip(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
