package simulate

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"
)

// Timeouts of the sites' servers, generous: checkers set their own.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
)

// fallbackIP returns the address bound when a VM's own cannot be.
func fallbackIP() netip.Addr {
	return netip.AddrFrom4([4]byte{127, 0, 0, 1})
}

// openVM binds v's listeners, on the addresses it had before when it was
// bound already, and serves them. Called with f.mu held.
func (f *Farm) openVM(v *vmServer) error {
	if v.srv != nil {
		return nil
	}
	plain, secure, err := f.bindVM(v)
	if err != nil {
		return err
	}
	vi := f.x.vmNames[v.name]
	srv := &http.Server{
		Handler:           f.siteHandler(vi),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          f.errorLog,
	}
	gates := []*gate{newGate(plain), newGate(secure)}
	v.srv, v.listeners = srv, gates
	tlsListener := tls.NewListener(gates[1], f.tlsConfig(vi))
	f.wg.Go(func() { f.serve(srv, gates[0], v.name) })
	f.wg.Go(func() { f.serve(srv, tlsListener, v.name) })
	return nil
}

// serve runs srv on l until the server is closed.
func (f *Farm) serve(srv *http.Server, l net.Listener, vm string) {
	err := srv.Serve(l)
	if !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		f.log.Error("farm listener stopped", "vm", vm, "addr", l.Addr().String(), "err", err)
	}
}

// bindVM binds v's HTTP and HTTPS listeners. The first time, it tries the
// VM's own address and falls back to 127.0.0.1 with free ports, recording
// the addresses; later it binds exactly those again. An exact farm serves
// HTTP on the VM's inventory address and never falls back.
func (f *Farm) bindVM(v *vmServer) (plain, secure net.Listener, err error) {
	if v.httpAddr != "" {
		return f.bindPair(v.httpAddr, v.httpsAddr)
	}
	if f.opts.Exact {
		if v.port == "" {
			return nil, nil, fmt.Errorf("serve vm %s: its address has no port to serve HTTP on", v.name)
		}
		plain, secure, err = f.bindPair(net.JoinHostPort(v.ip.String(), v.port), hostPort(v.ip, f.opts.HTTPSPort))
		if err != nil {
			return nil, nil, fmt.Errorf("serve vm %s: %w", v.name, err)
		}
		v.httpAddr, v.httpsAddr = plain.Addr().String(), secure.Addr().String()
		return plain, secure, nil
	}
	plain, secure, err = f.bindPair(hostPort(v.ip, f.opts.HTTPPort), hostPort(v.ip, f.opts.HTTPSPort))
	if err != nil && v.ip != fallbackIP() {
		f.log.Debug("farm falls back to 127.0.0.1", "vm", v.name, "err", err)
		plain, secure, err = f.bindPair(hostPort(fallbackIP(), 0), hostPort(fallbackIP(), 0))
		v.fallback = err == nil
	}
	if err != nil {
		return nil, nil, err
	}
	v.httpAddr, v.httpsAddr = plain.Addr().String(), secure.Addr().String()
	return plain, secure, nil
}

// bindPair binds two addresses, or neither.
func (f *Farm) bindPair(a, b string) (net.Listener, net.Listener, error) {
	la, err := f.listen(a)
	if err != nil {
		return nil, nil, fmt.Errorf("bind %s: %w", a, err)
	}
	lb, err := f.listen(b)
	if err != nil {
		_ = la.Close()
		return nil, nil, fmt.Errorf("bind %s: %w", b, err)
	}
	return la, lb, nil
}

// closeVM closes v's server, listeners and open connections, so that the
// VM refuses connections as soon as it returns. Called with f.mu held.
func (f *Farm) closeVM(v *vmServer) error {
	if v.srv == nil {
		return nil
	}
	// The server closes the listeners its goroutines track and every open
	// connection; a listener whose goroutine has not started yet is closed
	// here, lest the kernel keep accepting into its backlog.
	err := v.srv.Close()
	for _, l := range v.listeners {
		if cerr := l.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
			err = cerr
		}
	}
	v.srv, v.listeners = nil, nil
	if err != nil {
		return fmt.Errorf("close vm %s: %w", v.name, err)
	}
	return nil
}

// reconcileLocked opens the listeners of every VM and machine that should
// be up and closes those of every one that should be down, then freezes
// those that should hang and thaws the others. Called with f.mu held.
func (f *Farm) reconcileLocked() error {
	if !f.started || f.closed {
		return nil
	}
	var errs []error
	for _, v := range f.x.vms {
		if f.vmDownLocked(v) {
			errs = append(errs, f.closeVM(v))
			continue
		}
		if err := f.openVM(v); err != nil {
			errs = append(errs, err)
			continue
		}
		hung := f.anyHungLocked(v.ancestors)
		for _, g := range v.listeners {
			g.setFrozen(hung)
		}
	}
	for _, m := range f.x.machines {
		if f.anyStoppedLocked(m.ancestors) {
			errs = append(errs, f.closeMachine(m))
			continue
		}
		if err := f.openMachine(m); err != nil {
			errs = append(errs, err)
			continue
		}
		m.l.setFrozen(f.anyHungLocked(m.ancestors))
	}
	return errors.Join(errs...)
}

// vmDownLocked reports whether v or anything it depends on is stopped, or
// v is in the down half of a flap.
func (f *Farm) vmDownLocked(v *vmServer) bool {
	if f.anyStoppedLocked(v.ancestors) {
		return true
	}
	af := f.faults[faultKey{FaultFlap, v.name}]
	return af != nil && af.down
}

// anyHungLocked reports whether any of names hangs.
func (f *Farm) anyHungLocked(names []string) bool {
	if len(f.hung) == 0 {
		return false
	}
	for _, n := range names {
		if f.hung[n] {
			return true
		}
	}
	return false
}

// anyStoppedLocked reports whether any of names is stopped.
func (f *Farm) anyStoppedLocked(names []string) bool {
	if len(f.stopped) == 0 {
		return false
	}
	for _, n := range names {
		if f.stopped[n] {
			return true
		}
	}
	return false
}

func hostPort(ip netip.Addr, port int) string {
	return net.JoinHostPort(ip.String(), strconv.Itoa(port))
}
