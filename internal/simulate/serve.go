package simulate

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigie/vigie/internal/inventory"
)

// FarmOptions sets how a Farm serves its sites.
type FarmOptions struct {
	// HTTPPort and HTTPSPort are the ports every VM listens on; 0 picks a
	// free port per listener, which Addr reports.
	HTTPPort, HTTPSPort int
	// Exact binds every listener where the inventory says, as a real
	// network would have it, and fails rather than fall back: a VM serves
	// HTTP on its own address (and HTTPS on HTTPSPort of its IP), a
	// machine listens on its own address. Without it, machines and VMs
	// take free ports, on 127.0.0.1 when their IP cannot be bound, and are
	// reached through Dial. Generate with Params.FarmPort lays out a host
	// that an exact farm serves without privileges.
	Exact bool
	// Logger receives listener errors; nil discards them.
	Logger *slog.Logger
}

// Farm serves the sites of an inventory on loopback and injects faults into
// them: one HTTP and one HTTPS listener per VM serving sites, answering by
// Host header, and a TCP listener per other asset with an address
// (hypervisor, storage unit, database, ...) so that connection checks see
// them up or down. Each is bound on the asset's own address. A Farm is safe
// for concurrent use.
type Farm struct {
	opts FarmOptions
	log  *slog.Logger
	// errorLog receives the servers' own errors, such as failed handshakes.
	errorLog *log.Logger
	x        *farmIndex
	ca       *authority
	certs    []atomic.Pointer[tls.Certificate] // per site, issued on first SNI
	// listen binds an address; tests replace it to simulate a system where
	// only 127.0.0.1 can be bound.
	listen func(addr string) (net.Listener, error)

	mu         sync.RWMutex
	started    bool
	closed     bool
	faults     map[faultKey]*activeFault
	stopped    map[string]bool // assets stopped by a stop fault
	hung       map[string]bool // assets hanging by a hang fault
	heartbeats map[string]*HeartbeatSender
	wg         sync.WaitGroup // Serve goroutines
}

// ErrFarmClosed is returned by a Farm used after Close.
var ErrFarmClosed = errors.New("farm closed")

// NewFarm indexes the sites of inv and creates the farm's certificate
// authority. Nothing is bound until Start. Sites without a URL or without a
// VM that has an address are not served; a VM address outside 127.0.0.0/8
// is an error.
func NewFarm(inv *inventory.Inventory, opts FarmOptions) (*Farm, error) {
	if opts.HTTPPort < 0 || opts.HTTPPort > 65535 || opts.HTTPSPort < 0 || opts.HTTPSPort > 65535 {
		return nil, fmt.Errorf("new farm: ports %d and %d out of range", opts.HTTPPort, opts.HTTPSPort)
	}
	x, err := indexInventory(inv)
	if err != nil {
		return nil, fmt.Errorf("new farm: %w", err)
	}
	ca, err := newAuthority(time.Now())
	if err != nil {
		return nil, fmt.Errorf("new farm: %w", err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Farm{
		opts:       opts,
		log:        logger,
		errorLog:   slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
		x:          x,
		ca:         ca,
		certs:      make([]atomic.Pointer[tls.Certificate], len(x.sites)),
		listen:     func(addr string) (net.Listener, error) { return net.Listen("tcp4", addr) },
		faults:     map[faultKey]*activeFault{},
		stopped:    map[string]bool{},
		hung:       map[string]bool{},
		heartbeats: map[string]*HeartbeatSender{},
	}, nil
}

// Start binds the listeners of every VM and machine and starts serving;
// those stopped by a fault set before Start get their addresses but stay
// closed. ctx bounds
// the start only: the farm serves until Close.
func (f *Farm) Start(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.closed:
		return ErrFarmClosed
	case f.started:
		return errors.New("farm already started")
	}
	if err := f.openAllLocked(ctx); err != nil {
		return fmt.Errorf("start farm: %w", errors.Join(err, f.closeAllLocked()))
	}
	f.started = true
	fallbacks := 0
	for _, v := range f.x.vms {
		if v.fallback {
			fallbacks++
		}
	}
	f.log.Info("farm started", "sites", len(f.x.sites), "vms", len(f.x.vms), "machines", len(f.x.machines),
		"unserved_sites", f.x.unserved, "vms_on_127.0.0.1", fallbacks)
	return f.reconcileLocked()
}

// Close stops every listener, connection and flapping timer, and waits for
// the servers to return. The farm cannot be started again.
func (f *Farm) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	for _, af := range f.faults {
		af.stopTimer()
	}
	err := f.closeAllLocked()
	f.mu.Unlock()
	f.wg.Wait()
	return err
}

// openAllLocked binds every VM and machine, fixing their addresses.
func (f *Farm) openAllLocked(ctx context.Context) error {
	for _, v := range f.x.vms {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := f.openVM(v); err != nil {
			return err
		}
	}
	for _, m := range f.x.machines {
		if err := f.openMachine(m); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// closeAllLocked closes the servers of all VMs and machines.
func (f *Farm) closeAllLocked() error {
	var errs []error
	for _, v := range f.x.vms {
		errs = append(errs, f.closeVM(v))
	}
	for _, m := range f.x.machines {
		errs = append(errs, f.closeMachine(m))
	}
	return errors.Join(errs...)
}

// SiteURL returns the URL of a site by name, or "" for an unknown site.
func (f *Farm) SiteURL(name string) string {
	i, ok := f.x.names[name]
	if !ok {
		return ""
	}
	return f.x.sites[i].url
}

// Addr returns the addresses a VM's HTTP and HTTPS listeners are bound to,
// or empty strings for a VM that serves no site or before Start.
func (f *Farm) Addr(vm string) (http, https string) {
	i, ok := f.x.vmNames[vm]
	if !ok {
		return "", ""
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	v := f.x.vms[i]
	return v.httpAddr, v.httpsAddr
}
