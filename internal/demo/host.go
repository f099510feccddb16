package demo

import (
	"cmp"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
)

// The reference host of the demo, as DESIGN.md describes the team's.
const (
	hostSites       = 1500
	hostCustomers   = 600
	hostHypervisors = 10
	hostVMs         = 90
)

// FailingHypervisor is the hypervisor the script stops.
const FailingHypervisor = "hv03"

// host is the generated host and the parts of it the script plays with.
type host struct {
	inv *inventory.Inventory
	// customer is the demo customer: one of hv03's, whose contact signs
	// in to the customer area; onHV is one of their sites on hv03 (their
	// ticket about it is deflected), broken another of their sites, not on
	// hv03, that answers 500 a minute in.
	customer       inventory.Customer
	onHV, broken   string
	affectedVMs    int
	affectedSites  int
	customersOfHV3 int
}

// generateHost generates the demo's host with its checks for the timing
// t and picks the demo customer.
func generateHost(seed int64, t timing) *host {
	inv := simulate.Generate(simulate.Params{Sites: hostSites, Customers: hostCustomers,
		Hypervisors: hostHypervisors, VMs: hostVMs, Seed: seed})
	machine := check.Check{Kind: check.TCP, Interval: check.Duration(t.machineEvery), Timeout: check.Duration(t.machineTimeout)}
	// Sites are checked from the server's own location only: the second
	// location watches the machines, which is where quorum matters.
	site := check.Check{Kind: check.HTTP, Interval: check.Duration(t.siteEvery), Timeout: check.Duration(t.siteTimeout),
		Locations: []string{localLocation}}
	none := check.Check{Kind: inventory.KindNone}
	inv.CheckDefaults = []inventory.CheckDefault{
		{AssetKind: "hypervisor", Check: machine}, {AssetKind: "vm", Check: machine},
		{AssetKind: "service", Check: machine}, {AssetKind: "storage", Check: machine},
		{AssetKind: "backup", Check: machine}, {AssetKind: inventory.KindSite, Check: site},
		{AssetKind: "network", Check: none}, {AssetKind: "datacenter", Check: none},
	}
	h := &host{inv: inv}
	h.pick()
	return h
}

// pick chooses the demo customer: of the customers with sites both on a
// web VM of hv03 and untouched by it, the one with the fewest sites (their
// area reads at a glance), then the first by id.
func (h *host) pick() {
	// What fails with the hypervisor: what depends on it, transitively
	// (the sites of its web VMs, and those using a database on it).
	down := map[string]bool{FailingHypervisor: true}
	for _, a := range h.inv.Assets { // parents come first
		for _, dep := range a.DependsOn {
			if down[dep] {
				down[a.Name] = true
			}
		}
	}
	type owned struct{ on, off []string }
	sites := map[string]*owned{}
	customers := map[string]bool{}
	for _, a := range h.inv.Assets {
		switch {
		case a.Kind == "vm" && down[a.Name]:
			h.affectedVMs++
		case a.Kind == inventory.KindSite:
			o := sites[a.Owner]
			if o == nil {
				o = &owned{}
				sites[a.Owner] = o
			}
			switch {
			case down[a.DependsOn[0]]: // on a web VM of the hypervisor
				o.on = append(o.on, a.Name)
			case !down[a.Name]:
				o.off = append(o.off, a.Name)
			}
			if down[a.Name] {
				h.affectedSites++
				customers[a.Owner] = true
			}
		}
	}
	h.customersOfHV3 = len(customers)
	var best string
	for id, o := range sites {
		if len(o.on) == 0 || len(o.off) == 0 {
			continue
		}
		if best == "" {
			best = id
			continue
		}
		b := sites[best]
		if c := cmp.Compare(len(o.on)+len(o.off), len(b.on)+len(b.off)); c < 0 || c == 0 && id < best {
			best = id
		}
	}
	for _, c := range h.inv.Customers {
		if c.ID == best {
			h.customer = c
		}
	}
	h.onHV, h.broken = sites[best].on[0], sites[best].off[0]
}

// timing is how long each thing of the demo takes, shortened by --speed.
type timing struct {
	speed                        float64
	machineEvery, machineTimeout time.Duration
	siteEvery, siteTimeout       time.Duration
	settle, quiet                time.Duration
	gather, window               time.Duration
	sweep                        time.Duration
}

// timingFor returns the demo's durations at speed: each the real one
// divided by it, but never under a floor that keeps the probes and the
// engine sound on a small machine.
func timingFor(speed float64) timing {
	at := func(d, floor time.Duration) time.Duration {
		return max(floor, time.Duration(float64(d)/speed))
	}
	return timing{
		speed: speed,
		// Timeouts stay long: on a loaded machine a short one would see
		// outages that are not there.
		machineEvery: at(10*time.Second, 6*time.Second), machineTimeout: 5 * time.Second,
		siteEvery: at(30*time.Second, 15*time.Second), siteTimeout: 10 * time.Second,
		settle: at(30*time.Second, 3*time.Second), quiet: at(time.Minute, 3*time.Second),
		gather: at(10*time.Second, 500*time.Millisecond), window: at(2*time.Minute, 5*time.Second),
		sweep: at(time.Second, 200*time.Millisecond),
	}
}

// scaled returns a moment of the script, given at speed 1, at the demo's
// speed.
func (t timing) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / t.speed)
}
