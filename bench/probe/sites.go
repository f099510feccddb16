package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
)

// sites are the first N sites of the farm, as a measured child sees them:
// their host names and where each name leads on ports 80 and 443.
type sites struct {
	hosts []string
	// addrs maps "host:80" and "host:443" to the listeners of the site's VM,
	// as DNS and routing would on a real network.
	addrs map[string]string
}

// errSites reports a sites file that does not fit the request.
var errSites = errors.New("sites file")

// readSites reads the first n sites written by the farm.
func readSites(path string, n int) (*sites, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	s := &sites{hosts: make([]string, 0, n), addrs: make(map[string]string, 2*n)}
	sc := bufio.NewScanner(f)
	for len(s.hosts) < n && sc.Scan() {
		host, rest, _ := strings.Cut(sc.Text(), "\t")
		plain, secure, ok := strings.Cut(rest, "\t")
		if !ok {
			return nil, fmt.Errorf("%w: bad line %q", errSites, sc.Text())
		}
		s.hosts = append(s.hosts, host)
		s.addrs[host+":80"] = plain
		s.addrs[host+":443"] = secure
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", errSites, err)
	}
	if len(s.hosts) < n {
		return nil, fmt.Errorf("%w: %d sites, %d asked", errSites, len(s.hosts), n)
	}
	return s, nil
}

// url returns the URL of site i with the given scheme.
func (s *sites) url(i int, scheme string) string {
	return scheme + "://" + s.hosts[i] + "/"
}

// dial connects to a site's VM by the site's host name, without resolving.
func (s *sites) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	to, ok := s.addrs[addr]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: addr, IsNotFound: true}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

// readCA reads the farm's CA certificate into a pool.
func readCA(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%w: no certificate in %s", errSites, path)
	}
	return pool, nil
}
