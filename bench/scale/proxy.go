package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// proxy stands for the load balancer in front of the replicas: the remote
// probes take one address, and each connection goes to the next replica
// that accepts it, so a killed replica is passed over. It counts the
// bytes it carries both ways: the probes' whole traffic with the servers.
type proxy struct {
	ln       net.Listener
	backends []string
	next     atomic.Uint64
	bytes    atomic.Int64
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
}

func newProxy(backends []string) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	p := &proxy{ln: ln, backends: backends, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.serve)
	return p, nil
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Go(func() { p.handle(c) })
	}
}

func (p *proxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
}

func (p *proxy) handle(c net.Conn) {
	p.track(c, true)
	defer p.track(c, false)
	defer func() { _ = c.Close() }()
	first := p.next.Add(1)
	var b net.Conn
	for i := range p.backends {
		addr := p.backends[(int(first)+i)%len(p.backends)]
		conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			b = conn
			break
		}
	}
	if b == nil {
		return
	}
	p.track(b, true)
	defer p.track(b, false)
	defer func() { _ = b.Close() }()
	var wg sync.WaitGroup
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(countingWriter{dst, &p.bytes}, src)
		// the other way ends too: a killed replica closes both
		_ = dst.Close()
		_ = src.Close()
	}
	wg.Go(func() { pipe(b, c) })
	pipe(c, b)
	wg.Wait()
}

// close stops accepting, cuts every connection and waits for the copies.
func (p *proxy) close(ctx context.Context) {
	_ = p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// countingWriter counts the bytes written through it as they go, so that
// long-lived connections are counted within the window.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n.Add(int64(n))
	return n, err
}
