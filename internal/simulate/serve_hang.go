package simulate

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// fillTimeout bounds the connection a frozen gate makes to itself.
const fillTimeout = 200 * time.Millisecond

// gate is a listener that a hang fault freezes: while frozen it keeps its
// port but accepts nothing, so that a client's connection waits, unanswered,
// until the client gives up. Frozen, a TCP listener's backlog shrinks to
// one connection, which the gate fills itself where the system allows
// (Linux): the handshakes of other clients then go unanswered, as with a
// machine gone dark, and their connect times out. Elsewhere connections
// complete into the backlog and wait there.
type gate struct {
	net.Listener
	mu     sync.Mutex
	thawed chan struct{} // closed when the gate thaws; nil while not frozen
	filler net.Conn      // the connection filling the backlog
	closed chan struct{}
	once   sync.Once
}

// deadliner is a listener whose pending Accept a deadline interrupts.
type deadliner interface {
	SetDeadline(t time.Time) error
}

func newGate(l net.Listener) *gate {
	return &gate{Listener: l, closed: make(chan struct{})}
}

// Accept waits while the gate is frozen, then accepts. A connection
// accepted just as the gate froze waits until it thaws.
func (g *gate) Accept() (net.Conn, error) {
	for {
		if err := g.wait(); err != nil {
			return nil, err
		}
		c, err := g.Listener.Accept()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue // the gate froze while Accept was pending
			}
			return nil, err
		}
		if err := g.wait(); err != nil {
			_ = c.Close()
			return nil, err
		}
		return c, nil
	}
}

// wait blocks while the gate is frozen; it returns net.ErrClosed once the
// gate is closed.
func (g *gate) wait() error {
	g.mu.Lock()
	thawed := g.thawed
	g.mu.Unlock()
	if thawed != nil {
		select {
		case <-thawed:
		case <-g.closed:
		}
	}
	select {
	case <-g.closed:
		return net.ErrClosed
	default:
		return nil
	}
}

// setFrozen freezes or thaws the gate; doing what is done already does
// nothing. Freezing interrupts an Accept under way, shrinks the backlog and
// fills it.
func (g *gate) setFrozen(frozen bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if (g.thawed != nil) == frozen {
		return
	}
	d, _ := g.Listener.(deadliner)
	if !frozen {
		close(g.thawed)
		g.thawed = nil
		if d != nil {
			_ = d.SetDeadline(time.Time{})
		}
		_ = setBacklog(g.Listener, defaultBacklog())
		if g.filler != nil {
			_ = g.filler.Close()
			g.filler = nil
		}
		return
	}
	g.thawed = make(chan struct{})
	if d != nil {
		_ = d.SetDeadline(time.Now())
	}
	if setBacklog(g.Listener, 0) == nil {
		// Loopback completes the handshake at once into the empty
		// backlog; should it be full already, the dial times out and
		// nothing is lost.
		if c, err := net.DialTimeout("tcp", g.Addr().String(), fillTimeout); err == nil {
			g.filler = c
		}
	}
}

// Close closes the listener and the filling connection, and ends every
// Accept; only the first call does anything.
func (g *gate) Close() error {
	err := net.ErrClosed
	g.once.Do(func() {
		close(g.closed)
		g.mu.Lock()
		if g.filler != nil {
			_ = g.filler.Close()
			g.filler = nil
		}
		g.mu.Unlock()
		err = g.Listener.Close()
	})
	return err
}
