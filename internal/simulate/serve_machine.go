package simulate

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// bannerTimeout bounds the write of a machine's greeting; acceptRetry is
// the pause after a failed accept that is not a close.
const (
	bannerTimeout = time.Second
	acceptRetry   = 10 * time.Millisecond
)

// machine is an asset with an address that serves no site, such as a
// hypervisor, a storage unit or a database: a TCP listener that greets and
// hangs up, so that connection checks see it up until a fault stops it.
// Fields below ancestors are guarded by Farm.mu.
type machine struct {
	name      string
	ip        netip.Addr
	address   string // in the inventory, normalised
	banner    string
	ancestors []string

	bound string // the address bound, empty until first bound
	l     *gate
}

// banner returns what a machine writes on connection, after its port.
func banner(name, port string) string {
	switch port {
	case "22":
		return "SSH-2.0-OpenSSH_9.6 " + name + "\r\n"
	case "25":
		return "220 " + name + " ESMTP\r\n"
	}
	return ""
}

// openMachine binds m on a free port of its own address, or of 127.0.0.1
// when that fails, then on the same address each time. Inventory ports are
// not bound, unless the farm is exact: most are privileged or taken by the
// system's own services. Called with f.mu held.
func (f *Farm) openMachine(m *machine) error {
	if m.l != nil {
		return nil
	}
	addr := m.bound
	switch {
	case addr != "":
	case f.opts.Exact:
		addr = m.address
	default:
		addr = hostPort(m.ip, 0)
	}
	l, err := f.listen(addr)
	if err != nil && m.bound == "" && !f.opts.Exact && m.ip != fallbackIP() {
		l, err = f.listen(hostPort(fallbackIP(), 0))
	}
	if err != nil {
		return fmt.Errorf("serve %s: %w", m.name, err)
	}
	g := newGate(l)
	m.l, m.bound = g, l.Addr().String()
	f.wg.Go(func() { greet(g, m.banner) })
	return nil
}

// closeMachine closes m's listener. Called with f.mu held.
func (f *Farm) closeMachine(m *machine) error {
	if m.l == nil {
		return nil
	}
	err := m.l.Close()
	m.l = nil
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// greet accepts connections on l until it is closed, writing the banner to
// each and hanging up.
func greet(l net.Listener, banner string) {
	for {
		c, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			time.Sleep(acceptRetry) // out of descriptors, say: let it pass
			continue
		}
		if banner != "" {
			_ = c.SetWriteDeadline(time.Now().Add(bannerTimeout))
			_, _ = c.Write([]byte(banner))
		}
		_ = c.Close()
	}
}
