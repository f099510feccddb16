package incident

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/inventory"
)

func asset(name, kind string, deps ...string) inventory.Asset {
	return inventory.Asset{Name: name, Kind: kind, DependsOn: deps}
}

// smallHost is a host small enough to reason about by hand: two
// hypervisors and two storage units in dc1, five VMs, their sites, and two
// name servers in a redundancy group "dns" used by sites r1 and r2.
func smallHost() (*inventory.Graph, map[string]bool) {
	inv := &inventory.Inventory{Assets: []inventory.Asset{
		asset("dc1", "datacenter"),
		asset("dc2", "datacenter"),
		asset("net1", "network", "dc1"),
		asset("hv1", "hypervisor", "dc1", "net1"),
		asset("hv2", "hypervisor", "dc1", "net1"),
		asset("st1", "storage", "dc1"),
		asset("st2", "storage", "dc1"),
		asset("vm1", "vm", "hv1", "st1"),
		asset("vm2", "vm", "hv1", "st2"),
		asset("vm3", "vm", "hv2", "st1"),
		asset("vm4", "vm", "hv2", "st2"),
		asset("vm5", "vm", "hv2", "st1"),
		asset("s11", "site", "vm1"),
		asset("s12", "site", "vm1"),
		asset("s13", "site", "vm1"),
		asset("s21", "site", "vm2"),
		asset("s22", "site", "vm2"),
		asset("s31", "site", "vm3"),
		asset("s32", "site", "vm3"),
		asset("s41", "site", "vm4"),
		asset("s42", "site", "vm4"),
		asset("s51", "site", "vm5"),
		asset("ns1", "service", "net1"),
		asset("ns2", "service", "dc2"),
		asset("dns", "group", "ns1", "ns2"),
		asset("r1", "site", "vm4", "dns"),
		asset("r2", "site", "vm4", "dns"),
	}}
	checked := map[string]bool{}
	for _, a := range inv.Assets {
		switch a.Kind {
		case "datacenter", "network", "group":
		default:
			checked[a.Name] = true
		}
	}
	return inventory.NewGraph(inv, 1), checked
}

func set(names string) map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(names) {
		m[n] = true
	}
	return m
}

// rootsText renders roots one a line as "asset kind [inferred] [site-problem]: symptoms".
func rootsText(roots []RootCause) string {
	var b strings.Builder
	for _, r := range roots {
		fmt.Fprintf(&b, "%s %s", r.Asset, r.Kind)
		if r.Inferred {
			b.WriteString(" inferred")
		}
		if r.SiteProblem {
			b.WriteString(" site-problem")
		}
		fmt.Fprintf(&b, ": %s\n", strings.Join(r.Symptoms, " "))
	}
	return b.String()
}

var dnsGroup = map[string][]string{"dns": {"ns1", "ns2"}}

func TestCorrelateRoots(t *testing.T) {
	tests := []struct {
		name string
		down string
		opt  CorrelateOptions
		want string
	}{
		{
			name: "hypervisor down takes its VMs and sites into one root",
			down: "hv1 vm1 vm2 s11 s12 s13 s21 s22",
			want: "hv1 hypervisor: hv1 s11 s12 s13 s21 s22 vm1 vm2\n",
		},
		{
			name: "hypervisor inferred from its VMs when its own check is up",
			down: "vm1 vm2 s11 s12 s13 s21 s22",
			want: "hv1 hypervisor inferred: s11 s12 s13 s21 s22 vm1 vm2\n",
		},
		{
			name: "storage down takes the VMs on it into one root",
			down: "st1 vm1 vm3 vm5 s11 s12 s13 s31 s32 s51",
			want: "st1 storage: s11 s12 s13 s31 s32 s51 st1 vm1 vm3 vm5\n",
		},
		{
			name: "one site failing while its VM and siblings are fine is a site problem",
			down: "s12",
			want: "s12 site site-problem: s12\n",
		},
		{
			name: "a site alone on its VM is not a site problem",
			down: "s51",
			want: "s51 site: s51\n",
		},
		{
			name: "all sites of a VM down infer the VM",
			down: "s21 s22",
			want: "vm2 vm inferred: s21 s22\n",
		},
		{
			name: "one site short of a VM's sites is two site problems",
			down: "s11 s12",
			want: "s11 site site-problem: s11\ns12 site site-problem: s12\n",
		},
		{
			name: "two hypervisors and both storage units down infer the datacenter",
			down: "hv1 hv2 st1 st2 vm1 vm2 vm3 vm4 vm5 s11 s12 s13 s21 s22 s31 s32 s41 s42 s51 r1 r2",
			want: "dc1 datacenter inferred: hv1 hv2 r1 r2 s11 s12 s13 s21 s22 s31 s32 s41 s42 s51 st1 st2 vm1 vm2 vm3 vm4 vm5\n",
		},
		{
			name: "two hypervisors down with storage up are two roots",
			down: "hv1 hv2 vm1 vm2 vm3 vm4 vm5 s11 s12 s13 s21 s22 s31 s32 s41 s42 s51 r1 r2",
			want: "hv1 hypervisor: hv1 s11 s12 s13 s21 s22 vm1 vm2\n" +
				"hv2 hypervisor: hv2 r1 r2 s31 s32 s41 s42 s51 vm3 vm4 vm5\n",
		},
		{
			name: "a VM on a failed hypervisor and a failed storage unit goes to the first by name",
			down: "hv1 st1 vm1 s11 s12 s13 vm2 s21 s22 vm3 vm5 s31 s32 s51",
			want: "hv1 hypervisor: hv1 s11 s12 s13 s21 s22 vm1 vm2\n" +
				"st1 storage: s31 s32 s51 st1 vm3 vm5\n",
		},
		{
			name: "one name server of a group down does not explain its dependents",
			down: "ns1 r1 r2",
			opt:  CorrelateOptions{Groups: dnsGroup},
			want: "ns1 service: ns1\nr1 site site-problem: r1\nr2 site site-problem: r2\n",
		},
		{
			name: "both name servers of a group down explain its dependents",
			down: "ns1 ns2 r1 r2",
			opt:  CorrelateOptions{Groups: dnsGroup},
			want: "ns1 service: ns1 r1 r2\nns2 service: ns2\n",
		},
		{
			name: "without the group one name server explains the dependents",
			down: "ns1 r1 r2",
			want: "ns1 service: ns1 r1 r2\n",
		},
		{
			name: "a higher threshold leaves two sites unexplained",
			down: "s21 s22",
			opt:  CorrelateOptions{InferThreshold: 3},
			want: "s21 site: s21\ns22 site: s22\n",
		},
		{
			name: "a threshold of one infers from a single checked dependent",
			down: "s51",
			opt:  CorrelateOptions{InferThreshold: 1},
			want: "vm5 vm inferred: s51\n",
		},
		{
			name: "a negative threshold turns inference off",
			down: "vm1 vm2",
			opt:  CorrelateOptions{InferThreshold: -1},
			want: "vm1 vm: vm1\nvm2 vm: vm2\n",
		},
		{
			name: "nothing down, no roots",
			down: "",
			want: "",
		},
	}
	g, checked := smallHost()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Correlate(g, checked, set(tt.down), tt.opt)
			if got := rootsText(res.Roots); got != tt.want {
				t.Errorf("roots:\n%s\nwant:\n%s", got, tt.want)
			}
			checkInvariants(t, g, checked, set(tt.down), tt.opt, res)
		})
	}
}

func TestCorrelateFailedCauses(t *testing.T) {
	g, checked := smallHost()
	res := Correlate(g, checked, set("ns1 ns2 r1 r2"), CorrelateOptions{Groups: dnsGroup})
	want := map[string]Failure{"ns1": FailedOwn, "ns2": FailedOwn, "r1": FailedOwn, "r2": FailedOwn, "dns": FailedGroup}
	if !reflect.DeepEqual(res.Failed, want) {
		t.Errorf("failed = %v, want %v", res.Failed, want)
	}
	if res.Scope["dns"] != "ns1" || res.Scope["r2"] != "ns1" {
		t.Errorf("scope = %v, want dns and r2 under ns1", res.Scope)
	}

	res = Correlate(g, checked, set("ns1 r1"), CorrelateOptions{Groups: dnsGroup})
	if _, failed := res.Failed["dns"]; failed {
		t.Errorf("dns failed with ns2 up: %v", res.Failed)
	}
}

// TestCorrelateSitesOnOneVM is the case: 29 sites down on web-12
// give one incident on web-12, whether its own check failed or not.
func TestCorrelateSitesOnOneVM(t *testing.T) {
	inv := &inventory.Inventory{Assets: []inventory.Asset{
		asset("hv01", "hypervisor"),
		asset("web-11", "vm", "hv01"),
		asset("web-12", "vm", "hv01"),
	}}
	down := map[string]bool{}
	for _, vm := range []string{"web-11", "web-12"} {
		for i := range 29 {
			site := fmt.Sprintf("%s-s%02d", vm, i)
			inv.Assets = append(inv.Assets, asset(site, "site", vm))
			if vm == "web-12" {
				down[site] = true
			}
		}
	}
	checked := map[string]bool{}
	for _, a := range inv.Assets {
		checked[a.Name] = true
	}
	g := inventory.NewGraph(inv, 1)
	for _, ownDown := range []bool{false, true} {
		t.Run(fmt.Sprintf("own check down %v", ownDown), func(t *testing.T) {
			d := make(map[string]bool, len(down)+1)
			for k := range down {
				d[k] = true
			}
			if ownDown {
				d["web-12"] = true
			}
			res := Correlate(g, checked, d, CorrelateOptions{})
			if len(res.Roots) != 1 {
				t.Fatalf("roots:\n%s\nwant one on web-12", rootsText(res.Roots))
			}
			r := res.Roots[0]
			if r.Asset != "web-12" || r.Inferred == ownDown || len(r.Symptoms) != len(d) {
				t.Errorf("root = %s %v with %d symptoms, want web-12 inferred=%v with %d",
					r.Asset, r.Inferred, len(r.Symptoms), !ownDown, len(d))
			}
		})
	}
}
