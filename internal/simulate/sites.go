package simulate

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/vigie/vigie/internal/inventory"
)

// site is one served site. Its strings share the inventory's memory, so a
// site costs a few words besides its two index entries.
type site struct {
	name, host, url string
	vm              int32 // index in farmIndex.vms
	deps            int32 // index in farmIndex.depSets, or -1
}

// vmServer is a VM that serves sites: its address and, while it is up, the
// server answering on its two listeners. Fields below ancestors are guarded
// by Farm.mu.
type vmServer struct {
	name      string
	ip        netip.Addr
	port      string   // of the inventory address, routed to HTTP
	ancestors []string // the VM and everything it depends on, transitively
	sites     []int32

	httpAddr, httpsAddr string // bound addresses; empty until first bound
	fallback            bool   // bound on 127.0.0.1 instead of ip
	srv                 *http.Server
	listeners           []*gate
}

// farmIndex is what a Farm knows of the inventory, built once.
type farmIndex struct {
	sites   []site
	hosts   map[string]int32 // lower-case host name → site
	names   map[string]int32 // site name → site
	vms     []*vmServer
	vmNames map[string]int32
	vmIPs   map[netip.Addr]int32
	kinds   map[string]string // kind of every asset that is not a site
	// depSets holds, for each distinct set of a site's dependencies other
	// than its VM, those dependencies and their ancestors.
	depSets [][]string
	// machines are the other assets with an address: hypervisors, storage,
	// database VMs and services, ...
	machines     []*machine
	machineAddrs map[string]int32 // inventory address → machine
	machineNames map[string]int32
	// unserved counts sites without a URL or a VM with an address.
	unserved int
}

// indexInventory builds the index of the sites of inv and the VMs serving
// them. A site is served by its first dependency of kind vm when that VM
// has an address, which must be a loopback one.
func indexInventory(inv *inventory.Inventory) (*farmIndex, error) {
	// Nearly every asset of a generated host is a site.
	x := &farmIndex{
		sites:   make([]site, 0, len(inv.Assets)),
		hosts:   make(map[string]int32, len(inv.Assets)),
		names:   make(map[string]int32, len(inv.Assets)),
		vmNames: map[string]int32{},
		vmIPs:   map[netip.Addr]int32{},
		kinds:   map[string]string{},

		machineAddrs: map[string]int32{},
		machineNames: map[string]int32{},
	}
	assets := map[string]*inventory.Asset{}
	for i := range inv.Assets {
		if a := &inv.Assets[i]; a.Kind != kindSite {
			assets[a.Name] = a
			x.kinds[a.Name] = a.Kind
		}
	}
	anc := ancestry{assets: assets, memo: map[string][]string{}}
	depIndex := map[string]int32{}
	var others []string
	for i := range inv.Assets {
		a := &inv.Assets[i]
		if a.Kind != kindSite {
			continue
		}
		host := siteKey(a.URL)
		vm, err := x.siteVM(a, assets, &anc)
		if err != nil {
			return nil, err
		}
		if host == "" || vm < 0 {
			x.unserved++
			continue
		}
		if _, dup := x.hosts[host]; dup {
			x.unserved++
			continue
		}
		others = others[:0]
		for _, d := range a.DependsOn {
			if d != x.vms[vm].name {
				others = append(others, d)
			}
		}
		s := site{name: a.Name, host: host, url: a.URL, vm: vm, deps: x.depSet(others, depIndex, &anc)}
		n := int32(len(x.sites))
		x.sites = append(x.sites, s)
		x.hosts[host] = n
		x.names[a.Name] = n
		x.vms[vm].sites = append(x.vms[vm].sites, n)
	}
	if err := x.addMachines(inv, &anc); err != nil {
		return nil, err
	}
	x.sites = slices.Clip(x.sites)
	return x, nil
}

// addMachines indexes every asset with an address, other than sites and
// the VMs serving them, in inventory order.
func (x *farmIndex) addMachines(inv *inventory.Inventory, anc *ancestry) error {
	for i := range inv.Assets {
		a := &inv.Assets[i]
		if a.Kind == kindSite || a.Address == "" {
			continue
		}
		if _, web := x.vmNames[a.Name]; web {
			continue
		}
		ip, err := loopbackIP(a.Address)
		if err != nil {
			return fmt.Errorf("serve %s %s: %w", a.Kind, a.Name, err)
		}
		_, port, err := net.SplitHostPort(a.Address)
		if err != nil {
			continue // no port: nothing to connect to
		}
		address := net.JoinHostPort(ip.String(), port)
		if _, dup := x.machineAddrs[address]; dup {
			continue
		}
		n := int32(len(x.machines))
		x.machines = append(x.machines, &machine{name: a.Name, ip: ip, address: address, banner: banner(a.Name, port), ancestors: anc.of(a.Name)})
		x.machineAddrs[address] = n
		x.machineNames[a.Name] = n
	}
	return nil
}

// depSet returns the index of the set of dependencies deps, added on first
// sight with their ancestors, or -1 when deps is empty.
func (x *farmIndex) depSet(deps []string, index map[string]int32, anc *ancestry) int32 {
	if len(deps) == 0 {
		return -1
	}
	key := strings.Join(deps, "\x00")
	id, ok := index[key]
	if !ok {
		id = int32(len(x.depSets))
		index[key] = id
		x.depSets = append(x.depSets, anc.union(deps))
	}
	return id
}

// siteVM returns the index of the VM serving site a, adding the VM on first
// sight, or -1 when the site has no VM with an address.
func (x *farmIndex) siteVM(a *inventory.Asset, assets map[string]*inventory.Asset, anc *ancestry) (int32, error) {
	for _, d := range a.DependsOn {
		if i, ok := x.vmNames[d]; ok {
			return i, nil
		}
		dep := assets[d]
		if dep == nil || dep.Kind != kindVM || dep.Address == "" {
			continue
		}
		ip, err := loopbackIP(dep.Address)
		if err != nil {
			return -1, fmt.Errorf("serve vm %s: %w", dep.Name, err)
		}
		i := int32(len(x.vms))
		_, port, _ := net.SplitHostPort(dep.Address)
		x.vms = append(x.vms, &vmServer{name: dep.Name, ip: ip, port: port, ancestors: anc.of(dep.Name)})
		x.vmNames[dep.Name] = i
		if _, taken := x.vmIPs[ip]; !taken {
			x.vmIPs[ip] = i
		}
		return i, nil
	}
	return -1, nil
}

// siteKey returns what tells a site's requests apart: the lower-case host
// name of its URL, or, when the host is an IP address that many sites
// share, that host with its port and the first segment of the path
// (pathKey). It is "" when the URL has no host.
func siteKey(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	if _, err := netip.ParseAddr(u.Hostname()); err == nil {
		return pathKey(u.Host, u.Path)
	}
	return strings.ToLower(u.Hostname())
}

// pathKey is the key of a site served by path: host:port, a slash and the
// first segment of the path.
func pathKey(host, path string) string {
	seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return strings.ToLower(host) + "/" + seg
}

// loopbackIP returns the IP of a host:port or bare address, which must be
// in 127.0.0.0/8 so that nothing served can be reached from outside.
func loopbackIP(address string) (netip.Addr, error) {
	host := address
	if h, _, err := net.SplitHostPort(address); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("address %q: %w", address, err)
	}
	if !ip.Unmap().Is4() || !ip.IsLoopback() {
		return netip.Addr{}, fmt.Errorf("address %q is outside 127.0.0.0/8", address)
	}
	return ip.Unmap(), nil
}

// ancestry computes what an asset depends on, transitively, remembering
// each answer.
type ancestry struct {
	assets map[string]*inventory.Asset
	memo   map[string][]string
}

// of returns name and everything it depends on, sorted.
func (a *ancestry) of(name string) []string {
	if got, ok := a.memo[name]; ok {
		return got
	}
	seen := map[string]bool{}
	stack := []string{name}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		if asset := a.assets[n]; asset != nil {
			stack = append(stack, asset.DependsOn...)
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	a.memo[name] = out
	return out
}

// union returns the ancestors of all names, sorted and without repeats.
func (a *ancestry) union(names []string) []string {
	var out []string
	for _, n := range names {
		out = append(out, a.of(n)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
