package simulate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Dial connects to addr as the simulated host's network would: a site's
// host name or a VM's name on port 80 or 443 reaches that VM's HTTP or
// HTTPS listener, a VM's inventory address reaches the same listeners,
// other loopback addresses are dialled as they are, and any other name
// fails as an unknown host. Nothing is resolved and nothing leaves
// loopback. It fits http.Transport.DialContext and the check engine's Dial
// option.
func (f *Farm) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	target, err := f.route(addr)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	// The listeners are IPv4 whatever the caller asked; "tcp" reaches both.
	var d net.Dialer
	return d.DialContext(ctx, "tcp", target)
}

// route returns the address that addr reaches on the farm.
func (f *Farm) route(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("farm dial: %w", err)
	}
	host = strings.ToLower(host)
	if ip, perr := netip.ParseAddr(host); perr == nil {
		ip = ip.Unmap()
		if !ip.IsLoopback() {
			return "", fmt.Errorf("farm dial %s: %w", addr, errNotLoopback)
		}
		if m, ok := f.x.machineAddrs[net.JoinHostPort(ip.String(), port)]; ok {
			return f.machineRoute(f.x.machines[m])
		}
		if vm, ok := f.x.vmIPs[ip]; ok {
			return f.vmRoute(f.x.vms[vm], port)
		}
		return addr, nil
	}
	if i, ok := f.x.hosts[host]; ok {
		return f.vmRoute(f.x.vms[f.x.sites[i].vm], port)
	}
	if vm, ok := f.x.vmNames[host]; ok {
		return f.vmRoute(f.x.vms[vm], port)
	}
	if m, ok := f.x.machineNames[host]; ok {
		return f.machineRoute(f.x.machines[m])
	}
	if host == "localhost" {
		return addr, nil
	}
	return "", &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// errNotLoopback refuses a dial that would leave loopback.
var errNotLoopback = errors.New("address outside loopback")

// errRefused is what connecting where nothing listens answers.
func errRefused() error {
	return &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}
}

// vmRoute maps a port of a VM to its bound listeners: 80, the HTTP port
// and the port of its inventory address to HTTP, 443 and the HTTPS port to
// HTTPS. Nothing listens on any other port.
func (f *Farm) vmRoute(v *vmServer, port string) (string, error) {
	f.mu.RLock()
	plain, secure := v.httpAddr, v.httpsAddr
	f.mu.RUnlock()
	switch {
	case plain == "":
		return "", errRefused() // not started
	case port == "80" || port == v.port || port == portOf(plain) || port == strconv.Itoa(f.opts.HTTPPort):
		return plain, nil
	case port == "443" || port == portOf(secure) || port == strconv.Itoa(f.opts.HTTPSPort):
		return secure, nil
	}
	return "", errRefused()
}

// machineRoute returns the address a machine is bound to.
func (f *Farm) machineRoute(m *machine) (string, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if m.bound == "" {
		return "", errRefused()
	}
	return m.bound, nil
}

func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}
