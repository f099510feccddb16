package simulate

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/inventory"
)

// servedVMs returns the VMs of inv that serve sites, each with whether it
// depends directly on parent.
func servedVMs(inv *inventory.Inventory, parent string) map[string]bool {
	deps := map[string][]string{}
	for _, a := range inv.Assets {
		if a.Kind == kindVM {
			deps[a.Name] = a.DependsOn
		}
	}
	vms := map[string]bool{}
	for _, a := range inv.Assets {
		for _, d := range a.DependsOn {
			if vmDeps, ok := deps[d]; ok && a.Kind == kindSite {
				vms[d] = slices.Contains(vmDeps, parent)
			}
		}
	}
	return vms
}

func TestStopVMRefusesAndStartVMRestores(t *testing.T) {
	f, _ := startFarm(t, 500)
	c := farmClient(t, f)
	before, _ := f.Addr("web-001")
	if err := f.StopVM("web-001"); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"www.s0000001.example:80", "www.s0000001.example:443", "127.2.0.2:22"} {
		if !refused(t, f, addr) {
			t.Errorf("%s accepts while web-001 is stopped", addr)
		}
	}
	if got := status(t, f, c, "https", "s0000121"); got != 200 {
		t.Errorf("site of web-002 = %d while web-001 is stopped", got)
	}
	if err := f.StartVM("web-001"); err != nil {
		t.Fatal(err)
	}
	if after, _ := f.Addr("web-001"); after != before {
		t.Errorf("web-001 came back on %s, was on %s", after, before)
	}
	if got := status(t, f, c, "https", "s0000001"); got != 200 {
		t.Errorf("after StartVM = %d", got)
	}
	if err := f.StopVM("web-999"); !errors.Is(err, ErrUnknownTarget) {
		t.Errorf("StopVM of an unknown VM: %v", err)
	}
}

func TestStopParentStopsExactlyItsVMs(t *testing.T) {
	f, inv := startFarm(t, 1200) // two hypervisors, two storage units
	tests := []struct {
		parent      string
		stop, start func(string) error
	}{
		{"hv01", f.StopHypervisor, f.StartHypervisor},
		{"hv02", f.StopHypervisor, f.StartHypervisor},
		{"st01", f.StopStorage, f.StartStorage},
	}
	for _, tt := range tests {
		t.Run(tt.parent, func(t *testing.T) {
			want := servedVMs(inv, tt.parent)
			if err := tt.stop(tt.parent); err != nil {
				t.Fatal(err)
			}
			stopped := 0
			for vm, dependent := range want {
				if got := refused(t, f, vm+":80"); got != dependent {
					t.Errorf("%s refused = %v, want %v", vm, got, dependent)
				}
				if dependent {
					stopped++
				}
			}
			if stopped == 0 || stopped == len(want) {
				t.Errorf("%s stops %d of %d VMs: the host is too small to tell", tt.parent, stopped, len(want))
			}
			if !refused(t, f, tt.parent+":22") {
				t.Errorf("%s itself still accepts", tt.parent)
			}
			if err := tt.start(tt.parent); err != nil {
				t.Fatal(err)
			}
			for vm := range want {
				if refused(t, f, vm+":80") {
					t.Errorf("%s refused after starting %s", vm, tt.parent)
				}
			}
		})
	}
	if err := f.StopHypervisor("st01"); !errors.Is(err, ErrUnknownTarget) {
		t.Errorf("StopHypervisor of a storage unit: %v", err)
	}
}

func TestStoppedDatabaseFailsItsSites(t *testing.T) {
	f, _ := startFarm(t, 500)
	c := farmClient(t, f)
	if err := f.StopVM("dbvm-001"); err != nil {
		t.Fatal(err)
	}
	if !refused(t, f, "db-001:3306") {
		t.Error("database service accepts while its VM is stopped")
	}
	if got := status(t, f, c, "http", "s0000001"); got != 500 {
		t.Errorf("site whose database is down = %d, want 500", got)
	}
	if err := f.Reset(); err != nil {
		t.Fatal(err)
	}
	if got := status(t, f, c, "http", "s0000001"); got != 200 {
		t.Errorf("after Reset = %d", got)
	}
}

func TestSiteStatusAffectsOneSite(t *testing.T) {
	f, _ := startFarm(t, 500)
	c := farmClient(t, f)
	for _, code := range []int{500, 403, 502} {
		if err := f.SiteStatus("s0000002", code); err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"s0000001": 200, "s0000002": code, "s0000003": 200}
		for site, w := range want {
			if got := status(t, f, c, "https", site); got != w {
				t.Errorf("status %d on s0000002: %s = %d, want %d", code, site, got, w)
			}
		}
	}
	if err := f.SiteStatus("s0000002", 0); err != nil {
		t.Fatal(err)
	}
	if got := status(t, f, c, "http", "s0000002"); got != 200 {
		t.Errorf("after clearing = %d", got)
	}
	if err := f.SiteStatus("s0000002", 1000); !errors.Is(err, ErrInvalidFault) {
		t.Errorf("status 1000: %v", err)
	}
}

func TestSlowDelaysAnswers(t *testing.T) {
	f, _ := startFarm(t, 500)
	c := farmClient(t, f)
	const d = 150 * time.Millisecond
	for _, tt := range []struct{ target, site string }{{"s0000001", "s0000001"}, {"web-002", "s0000200"}} {
		if err := f.Slow(tt.target, d); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if got := status(t, f, c, "http", tt.site); got != 200 {
			t.Errorf("slow %s = %d", tt.site, got)
		}
		if took := time.Since(start); took < d {
			t.Errorf("slow %s answered in %s, want at least %s", tt.target, took, d)
		}
		if err := f.Slow(tt.target, 0); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.Faults()) != 0 {
		t.Errorf("faults left: %v", f.Faults())
	}
}

// watch samples probe every few milliseconds until it has seen the states
// want in order, or the time is up.
func watch(t *testing.T, want []bool, probe func() bool) {
	t.Helper()
	seen := []bool{}
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) && len(seen) < len(want) {
		if s := probe(); len(seen) == 0 || seen[len(seen)-1] != s {
			seen = append(seen, s)
			if seen[len(seen)-1] != want[len(seen)-1] {
				t.Fatalf("states %v, want %v", seen, want)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(seen) < len(want) {
		t.Errorf("states %v, want %v", seen, want)
	}
}

func TestFlapAlternates(t *testing.T) {
	f, _ := startFarm(t, 500)
	c := farmClient(t, f)
	const period = 120 * time.Millisecond
	t.Run("site", func(t *testing.T) {
		if err := f.Flap("s0000001", period); err != nil {
			t.Fatal(err)
		}
		watch(t, []bool{false, true, false, true}, func() bool { return status(t, f, c, "http", "s0000001") == 200 })
		if err := f.Flap("s0000001", 0); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("vm", func(t *testing.T) {
		if err := f.Flap("web-002", period); err != nil {
			t.Fatal(err)
		}
		watch(t, []bool{false, true, false, true}, func() bool { return !refused(t, f, "web-002:80") })
		if err := f.Flap("web-002", 0); err != nil {
			t.Fatal(err)
		}
		if refused(t, f, "web-002:80") {
			t.Error("web-002 refuses after the flap is cleared")
		}
	})
	if err := f.Flap("web-002", time.Millisecond); !errors.Is(err, ErrInvalidFault) {
		t.Errorf("flap of 1ms: %v", err)
	}
}

func TestExpireCertServesExpiringCertificate(t *testing.T) {
	f, _ := startFarm(t, 500)
	leaf := func(site string) (*x509.Certificate, error) {
		conn, err := f.Dial(t.Context(), "tcp", "www."+site+".example:443")
		if err != nil {
			t.Fatal(err)
		}
		tc := tls.Client(conn, &tls.Config{ServerName: "www." + site + ".example", RootCAs: f.CAPool()})
		defer tc.Close()
		err = tc.HandshakeContext(t.Context())
		if err != nil {
			return nil, err
		}
		return tc.ConnectionState().PeerCertificates[0], nil
	}
	if err := f.ExpireCert("s0000001", 3); err != nil {
		t.Fatal(err)
	}
	cert, err := leaf("s0000001")
	if err != nil {
		t.Fatal(err)
	}
	if left := time.Until(cert.NotAfter); left > 3*24*time.Hour || left < 3*24*time.Hour-time.Minute {
		t.Errorf("certificate expires in %s, want 3 days", left)
	}
	if cert, err := leaf("s0000002"); err != nil || time.Until(cert.NotAfter) < 80*24*time.Hour {
		t.Errorf("neighbour's certificate: %v", err)
	}
	if err := f.ExpireCert("s0000001", -2); err != nil {
		t.Fatal(err)
	}
	var invalid x509.CertificateInvalidError
	if _, err := leaf("s0000001"); !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
		t.Errorf("handshake with an expired certificate: %v", err)
	}
	if err := f.Clear(FaultExpireCert, "s0000001"); err != nil {
		t.Fatal(err)
	}
	if cert, err := leaf("s0000001"); err != nil || time.Until(cert.NotAfter) < 80*24*time.Hour {
		t.Errorf("after clearing: %v", err)
	}
}

func TestResetClearsEveryFault(t *testing.T) {
	f, _ := startFarm(t, 500)
	c := farmClient(t, f)
	faults := []Fault{
		{Kind: FaultStopVM, Target: "web-001"},
		{Kind: FaultStopStorage, Target: "st02"},
		{Kind: FaultStatus, Target: "s0000300", Code: 500},
		{Kind: FaultSlow, Target: "s0000301", Delay: time.Second},
		{Kind: FaultFlap, Target: "web-005", Period: time.Second},
		{Kind: FaultExpireCert, Target: "s0000302", Days: -1},
	}
	for _, ft := range faults {
		if err := f.Apply(ft); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(f.Faults()); got != len(faults) {
		t.Errorf("%d faults listed, want %d", got, len(faults))
	}
	if err := f.Reset(); err != nil {
		t.Fatal(err)
	}
	if got := f.Faults(); len(got) != 0 {
		t.Errorf("faults after Reset: %v", got)
	}
	for _, site := range []string{"s0000001", "s0000130", "s0000300", "s0000301", "s0000302", "s0000490"} {
		if got := status(t, f, c, "https", site); got != 200 {
			t.Errorf("%s after Reset = %d", site, got)
		}
	}
}
