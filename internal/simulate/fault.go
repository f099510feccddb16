package simulate

import (
	"crypto/tls"
	"errors"
	"time"
)

// FaultKind names a kind of fault, as spelled in the control API.
type FaultKind string

// The kinds of faults a Farm injects.
const (
	// FaultStopVM closes a VM's listeners; sites using a database on it
	// answer 500.
	FaultStopVM FaultKind = "stop-vm"
	// FaultStopHypervisor stops every VM that depends on a hypervisor.
	FaultStopHypervisor FaultKind = "stop-hypervisor"
	// FaultStopStorage stops every VM that depends on a storage unit.
	FaultStopStorage FaultKind = "stop-storage"
	// FaultHangVM makes a VM hang: its listeners keep their ports but
	// answer nothing, so that connecting or a request waits until the
	// client gives up; sites using a database on it hang too.
	FaultHangVM FaultKind = "hang-vm"
	// FaultHangHypervisor makes a hypervisor and every VM that depends on
	// it hang, as when it goes dark.
	FaultHangHypervisor FaultKind = "hang-hypervisor"
	// FaultStatus makes one site answer Code.
	FaultStatus FaultKind = "status"
	// FaultSlow delays the answers of a site or of every site of a VM.
	FaultSlow FaultKind = "slow"
	// FaultFlap takes a site (503) or a VM (closed) down and up every Period,
	// starting down.
	FaultFlap FaultKind = "flap"
	// FaultExpireCert serves a site a certificate expiring in Days days.
	FaultExpireCert FaultKind = "expire-cert"
	// FaultHeartbeatStop silences a heartbeat sender added to the farm.
	FaultHeartbeatStop FaultKind = "heartbeat-stop"
	// FaultHeartbeatFail makes a heartbeat sender report "fail".
	FaultHeartbeatFail FaultKind = "heartbeat-fail"
)

// FaultKinds returns every kind of fault, in the order help texts list them.
func FaultKinds() []FaultKind {
	return []FaultKind{FaultStopVM, FaultStopHypervisor, FaultStopStorage, FaultHangVM, FaultHangHypervisor,
		FaultStatus, FaultSlow, FaultFlap, FaultExpireCert, FaultHeartbeatStop, FaultHeartbeatFail}
}

// Fault is one injected fault: its kind, its target (an asset, a site or a
// heartbeat's name) and the parameter of its kind.
type Fault struct {
	Kind   FaultKind
	Target string
	Code   int           // status: the HTTP status the site answers
	Delay  time.Duration // slow: waited before answering
	Period time.Duration // flap: length of each down and up half
	Days   int           // expire-cert: days until expiry, negative when expired
	Since  time.Time     // when the fault was set, filled in by the farm
}

// Errors of fault requests, checked with errors.Is.
var (
	ErrUnknownTarget = errors.New("unknown fault target")
	ErrInvalidFault  = errors.New("invalid fault")
)

// Bounds of fault parameters.
const (
	minFlapPeriod = 10 * time.Millisecond
	maxDelay      = time.Hour
	maxDays       = 3650
)

type faultKey struct {
	kind   FaultKind
	target string
}

// activeFault is a fault set on a farm with what it needs to act.
type activeFault struct {
	Fault
	cert  *tls.Certificate // expire-cert: the certificate served instead
	timer *time.Timer      // flap of a VM: toggles down
	down  bool             // flap of a VM: in its down half
}

// flapDown reports whether a flapping site is in a down half at now.
func (af *activeFault) flapDown(now time.Time) bool {
	return (now.Sub(af.Since)/af.Period)%2 == 0
}

func (af *activeFault) stopTimer() {
	if af.timer != nil {
		af.timer.Stop()
	}
}

// StopVM closes a VM's listeners, so that connecting to it is refused.
func (f *Farm) StopVM(name string) error {
	return f.Apply(Fault{Kind: FaultStopVM, Target: name})
}

// StartVM reverses StopVM: the VM listens again on the same addresses,
// unless something it depends on is still stopped.
func (f *Farm) StartVM(name string) error {
	return f.Clear(FaultStopVM, name)
}

// StopHypervisor stops every VM that depends on the hypervisor.
func (f *Farm) StopHypervisor(name string) error {
	return f.Apply(Fault{Kind: FaultStopHypervisor, Target: name})
}

// StartHypervisor reverses StopHypervisor.
func (f *Farm) StartHypervisor(name string) error {
	return f.Clear(FaultStopHypervisor, name)
}

// StopStorage stops every VM that depends on the storage unit.
func (f *Farm) StopStorage(name string) error {
	return f.Apply(Fault{Kind: FaultStopStorage, Target: name})
}

// StartStorage reverses StopStorage.
func (f *Farm) StartStorage(name string) error {
	return f.Clear(FaultStopStorage, name)
}

// HangVM makes a VM hang: its listeners keep their ports but answer
// nothing. Clear(FaultHangVM, name) reverses it.
func (f *Farm) HangVM(name string) error {
	return f.Apply(Fault{Kind: FaultHangVM, Target: name})
}

// HangHypervisor makes a hypervisor and every VM that depends on it hang.
// Clear(FaultHangHypervisor, name) reverses it.
func (f *Farm) HangHypervisor(name string) error {
	return f.Apply(Fault{Kind: FaultHangHypervisor, Target: name})
}

// SiteStatus makes one site answer code while its neighbours answer 200;
// code 0 clears it.
func (f *Farm) SiteStatus(site string, code int) error {
	if code == 0 {
		return f.Clear(FaultStatus, site)
	}
	return f.Apply(Fault{Kind: FaultStatus, Target: site, Code: code})
}

// Slow delays the answers of a site, or of every site of a VM, by d;
// d 0 clears it.
func (f *Farm) Slow(name string, d time.Duration) error {
	if d == 0 {
		return f.Clear(FaultSlow, name)
	}
	return f.Apply(Fault{Kind: FaultSlow, Target: name, Delay: d})
}

// Flap takes a site or a VM down and up every period, starting down;
// period 0 clears it.
func (f *Farm) Flap(name string, period time.Duration) error {
	if period == 0 {
		return f.Clear(FaultFlap, name)
	}
	return f.Apply(Fault{Kind: FaultFlap, Target: name, Period: period})
}

// ExpireCert serves a site a certificate expiring in days days, or expired
// days ago when days is negative. Clear(FaultExpireCert, site) reverses it.
func (f *Farm) ExpireCert(site string, days int) error {
	return f.Apply(Fault{Kind: FaultExpireCert, Target: site, Days: days})
}
