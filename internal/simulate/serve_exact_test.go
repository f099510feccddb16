package simulate

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestExactFarmServesWhereTheInventoryChecks serves a host generated with
// a farm port and reaches every address and URL of its inventory as a
// real process would, without the farm's Dial: every site answers its own
// page and every machine accepts, until its hypervisor stops.
func TestExactFarmServesWhereTheInventoryChecks(t *testing.T) {
	port := freeLoopbackPort(t)
	inv := Generate(Params{Sites: 300, Seed: 5, FarmPort: port})
	f, err := NewFarm(inv, FarmOptions{Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	sites, machines := 0, 0
	for _, a := range inv.Assets {
		switch {
		case a.URL != "":
			sites++
			resp, err := client.Get(a.URL)
			if err != nil {
				t.Fatalf("%s at %s: %v", a.Name, a.URL, err)
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Welcome to "+a.Name+",") {
				t.Fatalf("%s at %s: %d %s", a.Name, a.URL, resp.StatusCode, body)
			}
		case a.Address != "":
			machines++
			if !strings.HasSuffix(a.Address, ":"+strconv.Itoa(port)) {
				t.Errorf("%s has address %s, not on the farm port %d", a.Name, a.Address, port)
			}
			if !accepts(a.Address) {
				t.Errorf("%s refuses on its inventory address %s", a.Name, a.Address)
			}
		}
	}
	if sites != 300 || machines == 0 {
		t.Fatalf("checked %d sites and %d machines", sites, machines)
	}

	if err := f.Apply(Fault{Kind: FaultStopHypervisor, Target: "hv01"}); err != nil {
		t.Fatal(err)
	}
	for _, a := range inv.Assets {
		if a.Name == "hv01" && accepts(a.Address) {
			t.Errorf("hv01 accepts on %s while stopped", a.Address)
		}
	}
}

// accepts reports whether a TCP connection to addr is accepted.
func accepts(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// freeLoopbackPort returns a port that was free on 127.0.0.1 a moment ago.
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// TestExactFarmFailsOnATakenAddress proves an exact farm never moves a
// listener elsewhere: a taken inventory address stops the start, naming
// the asset.
func TestExactFarmFailsOnATakenAddress(t *testing.T) {
	port := freeLoopbackPort(t)
	inv := Generate(Params{Sites: 10, FarmPort: port})
	var address string
	for _, a := range inv.Assets {
		if a.Name == "web-001" {
			address = a.Address
		}
	}
	l, err := net.Listen("tcp4", address)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	f, err := NewFarm(inv, FarmOptions{Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	err = f.Start(t.Context())
	if err == nil || !strings.Contains(err.Error(), "web-001") || !strings.Contains(err.Error(), address) {
		t.Fatalf("start with %s taken: %v", address, err)
	}
}
