// Package simulate generates reference hosts — customers, machines, services
// and sites — for the demo, tests and benchmarks.
package simulate

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/inventory"
)

// Params sets the size and randomness of a generated host.
type Params struct {
	// Sites is the number of sites; 0 still yields a small valid host.
	Sites int
	// Seed makes the generation repeatable; 0 means 1.
	Seed int64
	// FarmPort, when set, lays the host out where a Farm with
	// FarmOptions.Exact serves it: every machine (hypervisor, VM, storage,
	// service, ...) answers on this port of its own 127.c.x.y address, and
	// every site is at http://<its VM's address>/<site name>/. Left zero,
	// machines have their usual ports (22, 2049, ...) and sites their
	// https://www.<name>.example/ URLs, which nothing resolves.
	FarmPort int
	// Customers, Hypervisors and VMs, when set, replace the counts that
	// follow from Sites, for a host of a given shape such as the demo's:
	// the sites then spread evenly over the web VMs, and the web VMs over
	// the hypervisors. VMs counts every VM (web, database and VPS) and is
	// taken from 3, one of each kind, up.
	Customers, Hypervisors, VMs int
}

// DefaultFarmPort is the port 'vigie simulate inventory --farm' and
// 'vigie simulate serve' use unless told otherwise: unprivileged and below
// the usual ephemeral range.
const DefaultFarmPort = 20080

// The shape of the reference host.
const (
	sitesPerVM         = 120
	vmsPerHypervisor   = 9
	webVMsPerDatabase  = 10
	hypervisorsPerUnit = 4 // storage units
	hypervisorsPerBack = 5 // backup servers
	sitesPerCustomer   = 5
	vpsPercent         = 3
)

// Asset kinds of generated hosts.
const (
	kindDatacenter = "datacenter"
	kindNetwork    = "network"
	kindHypervisor = "hypervisor"
	kindStorage    = "storage"
	kindVM         = "vm"
	kindService    = "service"
	kindBackup     = "backup"
	kindSite       = inventory.KindSite
)

// Shape is the number of each thing a generated host holds.
type Shape struct {
	Sites, Customers                    int
	Hypervisors, Storage, Backups       int
	WebVMs, DatabaseVMs, VPS, Databases int
	// SitesPerVM is how many sites each web VM carries, in order;
	// VMsPerHypervisor how many web VMs each hypervisor runs.
	SitesPerVM, VMsPerHypervisor int
}

// ShapeOf returns the counts Generate uses for the given number of sites.
func ShapeOf(sites int) Shape {
	s := Shape{Sites: max(0, sites), SitesPerVM: sitesPerVM, VMsPerHypervisor: vmsPerHypervisor}
	s.Customers = max(1, s.Sites/sitesPerCustomer)
	s.WebVMs = max(1, ceilDiv(s.Sites, sitesPerVM))
	s.Hypervisors = ceilDiv(s.WebVMs, vmsPerHypervisor)
	s.Storage = max(2, ceilDiv(s.Hypervisors, hypervisorsPerUnit))
	s.Backups = max(1, ceilDiv(s.Hypervisors, hypervisorsPerBack))
	s.Databases = max(1, ceilDiv(s.WebVMs, webVMsPerDatabase))
	s.DatabaseVMs = s.Databases
	// VPS make vpsPercent of all VMs, rounded, and at least one.
	s.VPS = max(1, (vpsPercent*(s.WebVMs+s.DatabaseVMs)+(100-vpsPercent)/2)/(100-vpsPercent))
	return s
}

// shapeOf returns the counts Generate uses for p: ShapeOf(p.Sites) with
// the counts p sets instead.
func shapeOf(p Params) Shape {
	s := ShapeOf(p.Sites)
	if p.Customers > 0 {
		s.Customers = p.Customers
	}
	if p.VMs >= 3 {
		// VPS make vpsPercent of the VMs; of the rest, the most web VMs
		// that leave one database VM for every webVMsPerDatabase of them.
		s.VPS = max(1, (vpsPercent*p.VMs+50)/100)
		rest := p.VMs - s.VPS
		web := rest - 1
		for web > 1 && web+ceilDiv(web, webVMsPerDatabase) > rest {
			web--
		}
		s.WebVMs, s.DatabaseVMs = web, rest-web
		s.Databases = s.DatabaseVMs
		s.SitesPerVM = max(1, ceilDiv(s.Sites, web))
		s.Hypervisors = ceilDiv(web, s.VMsPerHypervisor)
	}
	if p.Hypervisors > 0 {
		s.Hypervisors = p.Hypervisors
		s.VMsPerHypervisor = max(1, ceilDiv(s.WebVMs, p.Hypervisors))
	}
	s.Storage = max(2, ceilDiv(s.Hypervisors, hypervisorsPerUnit))
	s.Backups = max(1, ceilDiv(s.Hypervisors, hypervisorsPerBack))
	return s
}

// Assets returns how many assets a host of this shape holds.
func (s Shape) Assets() int {
	const fixed = 2 + 2 + 4 // datacenters, networks, ns1 ns2 mx1 mx2
	return fixed + s.Storage + s.Hypervisors + s.Backups + s.WebVMs + s.DatabaseVMs + s.VPS + s.Databases + s.Sites
}

// Generate builds a host of p.Sites sites, the same for the same Params.
// Customers are sorted by id and assets come parents first: datacenters,
// networks, storage, hypervisors, backup servers, platform services, VMs,
// database services, then sites. Every address is in 127.0.0.0/8 so that
// nothing generated can reach a real machine; past about 65,000 machines
// of one kind, addresses repeat.
func Generate(p Params) *inventory.Inventory {
	seed := p.Seed
	if seed == 0 {
		seed = 1
	}
	s := shapeOf(p)
	g := &generator{
		rng:   rand.New(rand.NewPCG(uint64(seed), 0x7669676965)), // "vigie"
		shape: s,
		port:  p.FarmPort,
		inv: &inventory.Inventory{
			Customers: make([]inventory.Customer, 0, s.Customers),
			Assets:    make([]inventory.Asset, 0, s.Assets()),
		},
	}
	g.customers()
	g.infrastructure()
	g.virtualMachines()
	g.sites()
	g.components()
	return g.inv
}

type generator struct {
	rng   *rand.Rand
	shape Shape
	port  int // Params.FarmPort
	inv   *inventory.Inventory
	// Names of the machines later assets depend on, and the addresses of
	// the web VMs.
	hypervisors, storage, webVMs, databases []string
	webAddrs                                []string
}

// address returns the address of machine i of a class on its usual port,
// or on the farm port when there is one.
func (g *generator) address(class byte, i, port int) string {
	if g.port != 0 {
		port = g.port
	}
	return loopback(class, i, port)
}

// fixed returns a fixed service address, its port replaced by the farm
// port when there is one.
func (g *generator) fixed(ip string, port int) string {
	if g.port != 0 {
		port = g.port
	}
	return ip + ":" + strconv.Itoa(port)
}

func (g *generator) add(a inventory.Asset) {
	g.inv.Assets = append(g.inv.Assets, a)
}

// infrastructure adds what sits below the VMs: two datacenters with their
// networks, storage, hypervisors, backup servers and platform services.
func (g *generator) infrastructure() {
	g.add(inventory.Asset{Name: "dc1", Kind: kindDatacenter, Labels: map[string]string{"role": "main"}})
	g.add(inventory.Asset{Name: "dc2", Kind: kindDatacenter, Labels: map[string]string{"role": "backup"}})
	g.add(inventory.Asset{Name: "net-dc1", Kind: kindNetwork, DependsOn: []string{"dc1"}})
	g.add(inventory.Asset{Name: "net-dc2", Kind: kindNetwork, DependsOn: []string{"dc2"}})
	first := []string{"dc1", "net-dc1"}
	second := []string{"dc2", "net-dc2"}

	g.storage = numbered("st", g.shape.Storage, 2)
	for i, name := range g.storage {
		g.add(inventory.Asset{Name: name, Kind: kindStorage, DependsOn: slices.Clone(first), Address: g.address(4, i, 2049)})
	}
	g.hypervisors = numbered("hv", g.shape.Hypervisors, 2)
	for i, name := range g.hypervisors {
		g.add(inventory.Asset{Name: name, Kind: kindHypervisor, DependsOn: slices.Clone(first), Address: g.address(1, i, 22)})
	}
	for i, name := range numbered("backup", g.shape.Backups, 2) {
		g.add(inventory.Asset{Name: name, Kind: kindBackup, DependsOn: slices.Clone(second), Address: g.address(5, i, 22)})
	}
	// The secondary name and mail servers live in the second location.
	g.add(inventory.Asset{Name: "ns1", Kind: kindService, DependsOn: []string{"net-dc1"}, Address: g.fixed("127.0.0.53", 53)})
	g.add(inventory.Asset{Name: "ns2", Kind: kindService, DependsOn: []string{"net-dc2"}, Address: g.fixed("127.0.0.54", 53)})
	g.add(inventory.Asset{Name: "mx1", Kind: kindService, DependsOn: []string{"net-dc1"}, Address: g.fixed("127.0.0.25", 25)})
	g.add(inventory.Asset{Name: "mx2", Kind: kindService, DependsOn: []string{"net-dc2"}, Address: g.fixed("127.0.0.26", 25)})
}

// virtualMachines adds the database VMs and their services, the shared web
// VMs and the customers' VPS. Web VMs fill the hypervisors in order, nine
// each; database VMs and VPS are spread evenly over all of them; storage
// units are taken in turn.
func (g *generator) virtualMachines() {
	s := g.shape
	h := len(g.hypervisors)
	vm := 0 // index of the VM over all kinds, for storage and addresses
	addVM := func(name, hv, owner string, labels map[string]string) string {
		address := g.address(2, vm, 22)
		g.add(inventory.Asset{
			Name: name, Kind: kindVM, Owner: owner, Labels: labels,
			DependsOn: []string{hv, g.storage[vm%len(g.storage)]},
			Address:   address,
		})
		vm++
		return address
	}
	dbVMs := numbered("dbvm-", s.DatabaseVMs, 3)
	for i, name := range dbVMs {
		addVM(name, g.hypervisors[(i*h/len(dbVMs)+h/2)%h], "", map[string]string{"role": "database"})
	}
	g.webVMs = numbered("web-", s.WebVMs, 3)
	g.webAddrs = make([]string, len(g.webVMs))
	for i, name := range g.webVMs {
		hv := g.hypervisors[min(i/s.VMsPerHypervisor, h-1)]
		g.webAddrs[i] = addVM(name, hv, "", map[string]string{"role": "web"})
	}
	for i, name := range numbered("vps-", s.VPS, 3) {
		owner := g.inv.Customers[g.rng.IntN(len(g.inv.Customers))].ID
		addVM(name, g.hypervisors[(i*h/s.VPS+h/3)%h], owner, map[string]string{"plan": "vps"})
	}
	g.databases = numbered("db-", s.Databases, 3)
	for i, name := range g.databases {
		g.add(inventory.Asset{Name: name, Kind: kindService, DependsOn: []string{dbVMs[i]}, Address: g.address(3, i, 3306)})
	}
}

// sites adds the sites, each on a web VM (120 per VM, in order) with the
// database service of its group of web VMs. Names, URLs and depends_on
// lists are carved out of a few large allocations.
func (g *generator) sites() {
	n := g.shape.Sites
	if n == 0 {
		return
	}
	owners := g.owners()
	names, urls := g.siteURLs(n)
	deps := make([]string, 2*n)
	for i := range n {
		web := i / g.shape.SitesPerVM
		d := deps[2*i : 2*i+2 : 2*i+2]
		d[0], d[1] = g.webVMs[web], g.databases[web/webVMsPerDatabase]
		a := inventory.Asset{
			Name: names[i], Kind: kindSite,
			Owner: g.inv.Customers[owners[i]].ID, DependsOn: d, URL: urls[i],
		}
		switch r := g.rng.IntN(100); {
		case r < 5:
			a.Labels = map[string]string{"plan": "pro"}
		case r < 20:
			a.Labels = map[string]string{"plan": "shared"}
		}
		g.add(a)
	}
}

// siteURLs returns the names and URLs of n sites: s0000001 at
// https://www.s0000001.example/, or, on a farm port, at
// http://<its web VM's address>/s0000001/. The strings of each kind share
// one allocation.
func (g *generator) siteURLs(n int) (names, urls []string) {
	width := max(7, len(strconv.Itoa(n)))
	names, urls = make([]string, n), make([]string, n)
	var b strings.Builder
	b.Grow(n * (1 + width))
	var num []byte
	for i := range n {
		b.WriteByte('s')
		num = appendPadded(num[:0], i+1, width)
		b.Write(num)
	}
	all := b.String()
	for i := range n {
		names[i] = all[i*(1+width) : (i+1)*(1+width)]
	}
	prefix, suffix := "https://www.", ".example/"
	if g.port != 0 {
		prefix, suffix = "http://", "/"
	}
	var u strings.Builder
	u.Grow(n * (len(prefix) + 24 + 1 + width + len(suffix)))
	ends := make([]int, n)
	for i := range n {
		u.WriteString(prefix)
		if g.port != 0 {
			u.WriteString(g.webAddrs[i/g.shape.SitesPerVM])
			u.WriteByte('/')
		}
		u.WriteString(names[i])
		u.WriteString(suffix)
		ends[i] = u.Len()
	}
	all = u.String()
	start := 0
	for i, end := range ends {
		urls[i], start = all[start:end], end
	}
	return names, urls
}

// numbered returns prefix01, prefix02, … with numbers at least width
// digits wide, and wider when count needs it.
func numbered(prefix string, count, width int) []string {
	width = max(width, len(strconv.Itoa(count)))
	names := make([]string, count)
	buf := []byte(prefix)
	for i := range names {
		names[i] = string(appendPadded(buf[:len(prefix)], i+1, width))
	}
	return names
}

// appendPadded appends n in decimal, zero-padded to width digits.
func appendPadded(dst []byte, n, width int) []byte {
	var digits [20]byte
	s := strconv.AppendInt(digits[:0], int64(n), 10)
	for range width - len(s) {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// loopback returns the address of machine i of a class, 127.class.x.y:port,
// counting from 127.class.0.1.
func loopback(class byte, i, port int) string {
	n := i%0xffff + 1
	b := make([]byte, 0, 24)
	b = append(b, "127."...)
	b = strconv.AppendInt(b, int64(class), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(n>>8), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(n&0xff), 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(port), 10)
	return string(b)
}

func ceilDiv(a, b int) int {
	return (a + b - 1) / b
}
