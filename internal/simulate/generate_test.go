package simulate

import (
	"bytes"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/inventory"
)

func encodeYAML(t testing.TB, inv *inventory.Inventory) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := inventory.WriteYAML(&buf, inv); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGenerateIsRepeatable(t *testing.T) {
	tests := []struct {
		name string
		a, b Params
		same bool
	}{
		{"same seed", Params{Sites: 3000, Seed: 7}, Params{Sites: 3000, Seed: 7}, true},
		{"seed 0 is seed 1", Params{Sites: 3000}, Params{Sites: 3000, Seed: 1}, true},
		{"different seeds", Params{Sites: 3000, Seed: 7}, Params{Sites: 3000, Seed: 8}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := encodeYAML(t, Generate(tt.a)), encodeYAML(t, Generate(tt.b))
			if same := bytes.Equal(a, b); same != tt.same {
				t.Errorf("outputs equal = %v, want %v", same, tt.same)
			}
		})
	}
}

func TestGenerateShape(t *testing.T) {
	tests := []struct {
		sites                                   int
		customers, hypervisors, webVMs, storage int
	}{
		{0, 1, 1, 1, 2},
		{1, 1, 1, 1, 2},
		{4, 1, 1, 1, 2},
		{121, 24, 1, 2, 2},
		{1500, 300, 2, 13, 2},
		{11000, 2200, 11, 92, 3},
	}
	for _, tt := range tests {
		inv := Generate(Params{Sites: tt.sites})
		kinds := map[string]int{}
		for _, a := range inv.Assets {
			kinds[a.Kind]++
		}
		s := ShapeOf(tt.sites)
		want := map[string]int{
			"datacenter": 2, "network": 2, "storage": tt.storage, "hypervisor": tt.hypervisors,
			"backup": s.Backups, "service": 4 + s.Databases, "vm": tt.webVMs + s.DatabaseVMs + s.VPS, "site": tt.sites,
		}
		for k, n := range want {
			if kinds[k] != n {
				t.Errorf("%d sites: %d assets of kind %s, want %d", tt.sites, kinds[k], k, n)
			}
		}
		if len(inv.Customers) != tt.customers {
			t.Errorf("%d sites: %d customers, want %d", tt.sites, len(inv.Customers), tt.customers)
		}
		if len(inv.Assets) != s.Assets() {
			t.Errorf("%d sites: %d assets, Shape.Assets says %d", tt.sites, len(inv.Assets), s.Assets())
		}
		checkHost(t, inv)
	}
}

// checkHost proves the structural rules every generated host keeps.
func checkHost(t *testing.T, inv *inventory.Inventory) {
	t.Helper()
	customers := map[string]bool{}
	for i, c := range inv.Customers {
		if customers[c.ID] {
			t.Errorf("customer %s appears twice", c.ID)
		}
		customers[c.ID] = true
		if i > 0 && inv.Customers[i-1].ID >= c.ID {
			t.Errorf("customers not sorted by id: %s before %s", inv.Customers[i-1].ID, c.ID)
		}
	}
	assets := make(map[string]*inventory.Asset, len(inv.Assets))
	for i := range inv.Assets {
		a := &inv.Assets[i]
		if assets[a.Name] != nil {
			t.Errorf("asset %s appears twice", a.Name)
		}
		assets[a.Name] = a
		for _, d := range a.DependsOn {
			if assets[d] == nil {
				t.Errorf("asset %s depends on %s, not listed before it", a.Name, d)
			}
		}
		if a.Owner != "" && !customers[a.Owner] {
			t.Errorf("asset %s is owned by unknown customer %s", a.Name, a.Owner)
		}
		if a.Address != "" && !loopbackAddress(a.Address) {
			t.Errorf("asset %s has address %s, outside 127.0.0.0/8", a.Name, a.Address)
		}
	}
	owned := map[string]int{}
	for i := range inv.Assets {
		a := &inv.Assets[i]
		if a.Kind != kindSite {
			continue
		}
		owned[a.Owner]++
		if a.Owner == "" {
			t.Errorf("site %s has no owner", a.Name)
		}
		if u, err := url.Parse(a.URL); err != nil || u.Scheme != "https" || !strings.HasSuffix(u.Hostname(), ".example") {
			t.Errorf("site %s has URL %q, want https on the .example TLD", a.Name, a.URL)
		}
		var vm, db int
		for _, d := range a.DependsOn {
			switch dep := assets[d]; {
			case dep == nil:
			case dep.Kind == kindVM && dep.Owner == "":
				vm++
			case dep.Kind == kindService && strings.HasPrefix(dep.Name, "db-"):
				db++
			}
		}
		if vm != 1 || db != 1 {
			t.Errorf("site %s depends on %v, want one shared VM and one database", a.Name, a.DependsOn)
		}
	}
	if countKind(inv, kindSite) >= len(inv.Customers) && len(owned) < len(inv.Customers) {
		t.Errorf("%d of %d customers own no site", len(inv.Customers)-len(owned), len(inv.Customers))
	}
	if cycle := findCycle(inv); cycle != nil {
		t.Errorf("dependency cycle: %v", cycle)
	}
}

func countKind(inv *inventory.Inventory, kind string) int {
	n := 0
	for _, a := range inv.Assets {
		if a.Kind == kind {
			n++
		}
	}
	return n
}

func loopbackAddress(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && netip.MustParsePrefix("127.0.0.0/8").Contains(ip)
}

// findCycle returns a path that comes back to its start, found by a depth
// first search, or nil when the dependency graph has none.
func findCycle(inv *inventory.Inventory) []string {
	deps := make(map[string][]string, len(inv.Assets))
	for _, a := range inv.Assets {
		deps[a.Name] = a.DependsOn
	}
	const (
		unseen = iota
		open
		done
	)
	state := make(map[string]int, len(deps))
	var path []string
	var visit func(string) []string
	visit = func(n string) []string {
		switch state[n] {
		case open:
			return append(path, n)
		case done:
			return nil
		}
		state[n] = open
		path = append(path, n)
		for _, d := range deps[n] {
			if c := visit(d); c != nil {
				return c
			}
		}
		path = path[:len(path)-1]
		state[n] = done
		return nil
	}
	for _, a := range inv.Assets {
		if c := visit(a.Name); c != nil {
			return c
		}
	}
	return nil
}

func TestFindCycleFindsOne(t *testing.T) {
	inv := &inventory.Inventory{Assets: []inventory.Asset{
		{Name: "a", DependsOn: []string{"b"}}, {Name: "b", DependsOn: []string{"c"}}, {Name: "c", DependsOn: []string{"a"}},
	}}
	if findCycle(inv) == nil {
		t.Fatal("findCycle missed a -> b -> c -> a")
	}
	inv.Assets[2].DependsOn = nil
	if c := findCycle(inv); c != nil {
		t.Fatalf("findCycle found %v in an acyclic graph", c)
	}
}

func TestGenerateReferenceHostRatios(t *testing.T) {
	inv := Generate(Params{Sites: 11000})
	var fr, paris, america, vps, vms int
	for _, c := range inv.Customers {
		if c.Language == "fr" {
			fr++
		}
		switch c.Timezone {
		case "Europe/Paris":
			paris++
		case "America/Montreal", "America/Toronto":
			america++
		default:
			t.Errorf("customer %s in unexpected zone %s", c.ID, c.Timezone)
		}
	}
	owned := map[string]int{}
	labelled := 0
	for _, a := range inv.Assets {
		switch a.Kind {
		case kindVM:
			vms++
			if a.Owner != "" {
				vps++
			}
		case kindSite:
			owned[a.Owner]++
			if len(a.Labels) > 0 {
				labelled++
			}
		}
	}
	few, most := 0, 0
	for _, n := range owned {
		if n <= 5 {
			few++
		}
		most = max(most, n)
	}
	n := float64(len(inv.Customers))
	tests := []struct {
		what     string
		got      float64
		min, max float64
	}{
		{"share of French-speaking customers", float64(fr) / n, 0.65, 0.75},
		{"share of customers in Paris", float64(paris) / n, 0.6, 0.8},
		{"share of customers in America", float64(america) / n, 0.2, 0.4},
		{"share of VMs that are VPS", float64(vps) / float64(vms), 0.02, 0.04},
		{"share of customers owning 1 to 5 sites", float64(few) / n, 0.6, 0.9},
		{"sites of the largest customer", float64(most), 50, 2000},
		{"share of sites with labels", float64(labelled) / 11000, 0.1, 0.3},
	}
	for _, tt := range tests {
		if tt.got < tt.min || tt.got > tt.max {
			t.Errorf("%s = %.3f, want %.3f to %.3f", tt.what, tt.got, tt.min, tt.max)
		}
	}
}

func BenchmarkGenerate1M(b *testing.B) {
	var assets int
	for b.Loop() {
		assets = len(Generate(Params{Sites: 1_000_000}).Assets)
	}
	b.ReportMetric(float64(assets), "assets")
}

// TestGenerateDemoShape asks for the demo's host — 600 customers, 1,500
// sites, 10 hypervisors, 90 VMs — and gets exactly that, every hypervisor
// running web VMs and every web VM carrying sites.
func TestGenerateDemoShape(t *testing.T) {
	inv := Generate(Params{Sites: 1500, Customers: 600, Hypervisors: 10, VMs: 90})
	checkHost(t, inv)
	kinds := map[string]int{}
	sitesOn := map[string]int{}  // web VM → sites
	webVMsOn := map[string]int{} // hypervisor → web VMs
	host := map[string]string{}  // VM → hypervisor
	for _, a := range inv.Assets {
		kinds[a.Kind]++
		switch a.Kind {
		case kindVM:
			host[a.Name] = a.DependsOn[0]
			if a.Labels["role"] == "web" {
				webVMsOn[a.DependsOn[0]]++
			}
		case kindSite:
			sitesOn[a.DependsOn[0]]++
		}
	}
	if len(inv.Customers) != 600 || kinds[kindSite] != 1500 || kinds[kindHypervisor] != 10 || kinds[kindVM] != 90 {
		t.Fatalf("%d customers, %d sites, %d hypervisors, %d VMs; want 600, 1500, 10, 90",
			len(inv.Customers), kinds[kindSite], kinds[kindHypervisor], kinds[kindVM])
	}
	if kinds[kindStorage] == 0 || kinds[kindService] < 5 || len(inv.Components) == 0 {
		t.Errorf("storage %d, services %d, components %d: want storage, name, mail and database services, components",
			kinds[kindStorage], kinds[kindService], len(inv.Components))
	}
	for i := range 10 {
		if hv := numbered("hv", 10, 2)[i]; webVMsOn[hv] == 0 {
			t.Errorf("%s runs no web VM: %v", hv, webVMsOn)
		}
	}
	for vm, hv := range host {
		if webVMsOn[hv] > 0 && sitesOn[vm] == 0 && strings.HasPrefix(vm, "web-") {
			t.Errorf("web VM %s carries no site", vm)
		}
	}
}
