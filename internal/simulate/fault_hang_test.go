package simulate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// hangWait is how long a test waits for an answer before calling a
// listener hung.
const hangWait = 300 * time.Millisecond

// hangs reports whether addr, reached through the farm, leaves a client
// without an answer: the connection does not complete, or completes and
// a request gets no byte back within hangWait. A refused connection fails
// the test: a hanging listener keeps its port.
func hangs(t *testing.T, f *Farm, addr string) bool {
	t.Helper()
	hung, err := probeHang(t.Context(), f, addr)
	if err != nil {
		t.Fatal(err)
	}
	return hung
}

// hangsAll runs hangs on every address at once and returns the addresses
// that hang.
func hangsAll(t *testing.T, f *Farm, addrs []string) map[string]bool {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	out, errs := map[string]bool{}, []error(nil)
	for _, a := range addrs {
		wg.Go(func() {
			hung, err := probeHang(t.Context(), f, a)
			mu.Lock()
			defer mu.Unlock()
			out[a] = hung
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return out
}

// probeHang is hangs without the test.
func probeHang(ctx context.Context, f *Farm, addr string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, hangWait)
	defer cancel()
	c, err := f.Dial(ctx, "tcp", addr)
	if err != nil {
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, os.ErrDeadlineExceeded) {
			return false, fmt.Errorf("dial %s: %w, want a timeout or a connection", addr, err)
		}
		return true, nil
	}
	defer c.Close()
	deadline, _ := ctx.Deadline()
	_ = c.SetDeadline(deadline)
	// Machines greet and hang up whatever comes; web listeners answer.
	_, _ = io.WriteString(c, "GET / HTTP/1.0\r\nHost: nowhere.example\r\n\r\n")
	_, err = c.Read(make([]byte, 1))
	return errors.Is(err, os.ErrDeadlineExceeded), nil
}

// siteHangs reports whether a GET of site over http gets no answer within
// hangWait.
func siteHangs(t *testing.T, f *Farm, site string) bool {
	t.Helper()
	c := farmClient(t, f)
	c.Timeout = hangWait
	url := strings.Replace(f.SiteURL(site), "https://", "http://", 1)
	code, _, err := fetch(t, c, url, "")
	switch {
	case err == nil && code == 200:
		return false
	case err != nil && strings.Contains(err.Error(), "Client.Timeout"):
		return true
	}
	t.Fatalf("GET %s: %d %v, want 200 or a timeout", url, code, err)
	return false
}

// siteOutside returns a served site whose VM and dependencies have none of
// names among their ancestors.
func siteOutside(t *testing.T, f *Farm, names ...string) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	saved := f.hung
	defer func() { f.hung = saved }()
	f.hung = map[string]bool{}
	for _, n := range names {
		f.hung[n] = true
	}
	for i := range f.x.sites {
		s := &f.x.sites[i]
		if !f.anyHungLocked(f.x.vms[s.vm].ancestors) && (s.deps < 0 || !f.anyHungLocked(f.x.depSets[s.deps])) {
			return s.name
		}
	}
	t.Fatalf("every site depends on %v", names)
	return ""
}

func TestHangHypervisorHangsExactlyItsVMsAndKeepsTheirPorts(t *testing.T) {
	f, inv := startFarm(t, 1200) // two hypervisors
	want := servedVMs(inv, "hv01")
	addrs := map[string]string{}
	var ports []string
	for vm := range want {
		addrs[vm], _ = f.Addr(vm)
		ports = append(ports, vm+":80")
	}
	healthy := siteOutside(t, f, "hv01")
	if err := f.HangHypervisor("hv01"); err != nil {
		t.Fatal(err)
	}
	hung := 0
	got := hangsAll(t, f, ports)
	for vm, dependent := range want {
		if got := got[vm+":80"]; got != dependent {
			t.Errorf("%s hangs = %v, want %v", vm, got, dependent)
		}
		if plain, _ := f.Addr(vm); plain != addrs[vm] {
			t.Errorf("%s moved from %s to %s", vm, addrs[vm], plain)
		}
		if dependent {
			hung++
		}
	}
	if hung == 0 || hung == len(want) {
		t.Errorf("hv01 hangs %d of %d VMs: the host is too small to tell", hung, len(want))
	}
	if !hangs(t, f, "hv01:22") {
		t.Error("hv01 itself still answers")
	}
	if !siteHangs(t, f, "s0000001") {
		t.Error("a site of web-001 answers while hv01 hangs")
	}
	if siteHangs(t, f, healthy) {
		t.Errorf("%s, away from hv01, hangs", healthy)
	}

	if err := f.Clear(FaultHangHypervisor, "hv01"); err != nil {
		t.Fatal(err)
	}
	for addr, hung := range hangsAll(t, f, ports) {
		if hung {
			t.Errorf("%s hangs after hv01 was cleared", addr)
		}
	}
	if hangs(t, f, "hv01:22") || siteHangs(t, f, "s0000001") {
		t.Error("hv01 or its sites still hang after the fault was cleared")
	}
	if err := f.HangHypervisor("st01"); !errors.Is(err, ErrUnknownTarget) {
		t.Errorf("HangHypervisor of a storage unit: %v", err)
	}
}

func TestHangVMHangsItsSitesAndThoseUsingItsDatabase(t *testing.T) {
	f, _ := startFarm(t, 1300) // two databases
	healthy := siteOutside(t, f, "dbvm-001", "web-002")
	if err := f.HangVM("web-002"); err != nil {
		t.Fatal(err)
	}
	if !siteHangs(t, f, "s0000121") {
		t.Error("a site of web-002 answers while web-002 hangs")
	}
	if siteHangs(t, f, "s0000001") {
		t.Error("a site of web-001 hangs while only web-002 does")
	}
	if err := f.HangVM("dbvm-001"); err != nil {
		t.Fatal(err)
	}
	if !hangs(t, f, "db-001:3306") {
		t.Error("the database service answers while its VM hangs")
	}
	if !siteHangs(t, f, "s0000001") {
		t.Error("a site whose database hangs answers")
	}
	if siteHangs(t, f, healthy) {
		t.Errorf("%s hangs", healthy)
	}
	if err := f.Reset(); err != nil {
		t.Fatal(err)
	}
	if siteHangs(t, f, "s0000001") || siteHangs(t, f, "s0000121") {
		t.Error("a site still hangs after Reset")
	}
	if err := f.HangVM("hv01"); !errors.Is(err, ErrUnknownTarget) {
		t.Errorf("HangVM of a hypervisor: %v", err)
	}
}

func TestAHangingVMStoppedAndStartedStillHangs(t *testing.T) {
	f, _ := startFarm(t, 500)
	if err := f.HangVM("web-001"); err != nil {
		t.Fatal(err)
	}
	if err := f.StopVM("web-001"); err != nil {
		t.Fatal(err)
	}
	if !refused(t, f, "web-001:80") {
		t.Error("a stopped VM that also hangs accepts: stop wins")
	}
	if err := f.StartVM("web-001"); err != nil {
		t.Fatal(err)
	}
	if !hangs(t, f, "web-001:80") {
		t.Error("a VM started again answers while its hang fault is set")
	}
	if err := f.Clear(FaultHangVM, "web-001"); err != nil {
		t.Fatal(err)
	}
	if hangs(t, f, "web-001:80") {
		t.Error("web-001 hangs after its fault was cleared")
	}
}

func TestControlAPISetsHangFaults(t *testing.T) {
	f, _ := startFarm(t, 500)
	srv := httptest.NewServer(f.Handler())
	defer srv.Close()
	for _, body := range []string{`{"fault":"hang-hypervisor","target":"hv01"}`, `{"fault":"hang-vm","target":"dbvm-001"}`} {
		if got := call(t, srv.URL, "POST", "/faults", body, nil); got != 201 {
			t.Errorf("POST %s = %d", body, got)
		}
	}
	if got := call(t, srv.URL, "POST", "/faults", `{"fault":"hang-vm","target":"hv01"}`, nil); got != 404 {
		t.Errorf("hang-vm of a hypervisor = %d, want 404", got)
	}
	if !hangs(t, f, "web-001:80") {
		t.Error("web-001 answers after hang-hypervisor hv01 through the API")
	}
	if got := call(t, srv.URL, "DELETE", "/faults", "", nil); got != 204 {
		t.Errorf("DELETE /faults = %d", got)
	}
	if hangs(t, f, "web-001:80") {
		t.Error("web-001 hangs after DELETE /faults")
	}
}

// TestHangingListenerRefusesNothing checks the gate alone: frozen, a
// listener takes no connection, and a client connecting waits.
func TestHangingListenerRefusesNothing(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := newGate(l)
	accepted := make(chan net.Conn, 8)
	done := make(chan error, 1)
	go func() {
		for {
			c, err := g.Accept()
			if err != nil {
				done <- err
				return
			}
			accepted <- c
		}
	}()
	g.setFrozen(true)
	g.setFrozen(true) // twice does nothing more
	ctx, cancel := context.WithTimeout(t.Context(), hangWait)
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", l.Addr().String())
	cancel()
	if err == nil {
		defer c.Close()
		if runtime.GOOS == "linux" {
			t.Error("a frozen listener completed a handshake")
		}
	}
	select {
	case c := <-accepted:
		c.Close()
		t.Fatal("a frozen listener accepted a connection")
	default:
	}
	g.setFrozen(false)
	c, err = net.DialTimeout("tcp", l.Addr().String(), time.Second)
	if err != nil {
		t.Fatalf("dial after thawing: %v", err)
	}
	defer c.Close()
	select {
	case ac := <-accepted:
		ac.Close()
	case <-time.After(2 * time.Second):
		t.Fatal("nothing accepted after thawing")
	}
	if err := g.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v", err)
	}
	if err := g.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}
