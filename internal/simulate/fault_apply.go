package simulate

import (
	"cmp"
	"crypto/tls"
	"fmt"
	"slices"
	"time"
)

// Apply sets a fault, replacing any of the same kind on the same target.
// A target that does not exist is ErrUnknownTarget; a kind or parameter
// that makes no sense is ErrInvalidFault.
func (f *Farm) Apply(ft Fault) error {
	if err := f.checkTarget(ft.Kind, ft.Target); err != nil {
		return err
	}
	if err := checkParams(ft); err != nil {
		return err
	}
	ft.Since = time.Now()
	af := &activeFault{Fault: ft}
	if ft.Kind == FaultExpireCert {
		cert, err := f.expiringCert(ft.Target, ft.Since, ft.Days)
		if err != nil {
			return err
		}
		af.cert = cert
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return ErrFarmClosed
	}
	var h *HeartbeatSender
	if ft.Kind == FaultHeartbeatStop || ft.Kind == FaultHeartbeatFail {
		if h = f.heartbeats[ft.Target]; h == nil {
			return fmt.Errorf("%s %s: %w: no heartbeat %q", ft.Kind, ft.Target, ErrUnknownTarget, ft.Target)
		}
	}
	k := faultKey{ft.Kind, ft.Target}
	if old := f.faults[k]; old != nil {
		old.stopTimer()
	}
	f.faults[k] = af
	switch ft.Kind {
	case FaultStopVM, FaultStopHypervisor, FaultStopStorage:
		f.stopped[ft.Target] = true
		return f.reconcileLocked()
	case FaultHangVM, FaultHangHypervisor:
		f.hung[ft.Target] = true
		return f.reconcileLocked()
	case FaultFlap:
		if _, isVM := f.x.vmNames[ft.Target]; isVM {
			af.down = true
			af.timer = time.AfterFunc(ft.Period, func() { f.flapTick(k, af) })
			return f.reconcileLocked()
		}
	case FaultHeartbeatStop:
		h.SetSilent(true)
	case FaultHeartbeatFail:
		h.SetFailing(true)
	}
	return nil
}

// Clear removes one fault; clearing a fault that is not set does nothing.
func (f *Farm) Clear(kind FaultKind, target string) error {
	if err := f.checkTarget(kind, target); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := faultKey{kind, target}
	af := f.faults[k]
	if af == nil {
		return nil
	}
	delete(f.faults, k)
	f.undoLocked(af)
	return f.reconcileLocked()
}

// Reset clears every fault.
func (f *Farm) Reset() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, af := range f.faults {
		delete(f.faults, k)
		f.undoLocked(af)
	}
	return f.reconcileLocked()
}

// Faults returns the faults set, sorted by kind and target.
func (f *Farm) Faults() []Fault {
	f.mu.RLock()
	out := make([]Fault, 0, len(f.faults))
	for _, af := range f.faults {
		out = append(out, af.Fault)
	}
	f.mu.RUnlock()
	slices.SortFunc(out, func(a, b Fault) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Target, b.Target))
	})
	return out
}

// undoLocked reverses what a removed fault did outside the fault map; the
// caller reconciles the listeners.
func (f *Farm) undoLocked(af *activeFault) {
	af.stopTimer()
	switch af.Kind {
	case FaultStopVM, FaultStopHypervisor, FaultStopStorage:
		delete(f.stopped, af.Target)
	case FaultHangVM, FaultHangHypervisor:
		delete(f.hung, af.Target)
	case FaultHeartbeatStop:
		if h := f.heartbeats[af.Target]; h != nil {
			h.SetSilent(false)
		}
	case FaultHeartbeatFail:
		if h := f.heartbeats[af.Target]; h != nil {
			h.SetFailing(false)
		}
	}
}

// flapTick turns a flapping VM's half over and schedules the next turn,
// unless the fault was cleared or replaced meanwhile.
func (f *Farm) flapTick(k faultKey, af *activeFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || f.faults[k] != af {
		return
	}
	af.down = !af.down
	if err := f.reconcileLocked(); err != nil {
		f.log.Error("farm flap", "vm", k.target, "err", err)
	}
	af.timer.Reset(af.Period)
}

// checkTarget reports whether target exists for faults of kind. Heartbeat
// names are checked by Apply, under the lock.
func (f *Farm) checkTarget(kind FaultKind, target string) error {
	var ok bool
	var what string
	switch kind {
	case FaultStopVM, FaultHangVM:
		ok, what = f.x.kinds[target] == kindVM, "vm"
	case FaultStopHypervisor, FaultHangHypervisor:
		ok, what = f.x.kinds[target] == kindHypervisor, "hypervisor"
	case FaultStopStorage:
		ok, what = f.x.kinds[target] == kindStorage, "storage unit"
	case FaultStatus, FaultExpireCert:
		_, ok = f.x.names[target]
		what = "served site"
	case FaultSlow, FaultFlap:
		_, site := f.x.names[target]
		_, vm := f.x.vmNames[target]
		ok, what = site || vm, "served site or vm"
	case FaultHeartbeatStop, FaultHeartbeatFail:
		return nil
	default:
		return fmt.Errorf("%w: unknown kind %q", ErrInvalidFault, kind)
	}
	if !ok {
		return fmt.Errorf("%s %s: %w: no %s %q", kind, target, ErrUnknownTarget, what, target)
	}
	return nil
}

// checkParams reports whether a fault's parameter fits its kind.
func checkParams(ft Fault) error {
	var bad string
	switch ft.Kind {
	case FaultStatus:
		if ft.Code < 100 || ft.Code > 599 {
			bad = fmt.Sprintf("code %d is not an HTTP status", ft.Code)
		}
	case FaultSlow:
		if ft.Delay <= 0 || ft.Delay > maxDelay {
			bad = fmt.Sprintf("delay %s is not between 0 and %s", ft.Delay, maxDelay)
		}
	case FaultFlap:
		if ft.Period < minFlapPeriod {
			bad = fmt.Sprintf("period %s is shorter than %s", ft.Period, minFlapPeriod)
		}
	case FaultExpireCert:
		if ft.Days < -maxDays || ft.Days > maxDays {
			bad = fmt.Sprintf("days %d is not between %d and %d", ft.Days, -maxDays, maxDays)
		}
	}
	if bad != "" {
		return fmt.Errorf("%s %s: %w: %s", ft.Kind, ft.Target, ErrInvalidFault, bad)
	}
	return nil
}

// expiringCert issues a certificate for a site expiring days days after
// now, issued 90 days before its expiry or an hour ago, whichever is first.
func (f *Farm) expiringCert(name string, now time.Time, days int) (*tls.Certificate, error) {
	notAfter := now.Add(time.Duration(days) * 24 * time.Hour)
	notBefore := notAfter.Add(-leafValidity)
	if early := now.Add(-clockSkew); notBefore.After(early) {
		notBefore = early
	}
	return f.ca.issue(f.x.sites[f.x.names[name]].host, notBefore, notAfter)
}

// expiredCert returns the certificate an expire-cert fault serves for
// site i, or nil.
func (f *Farm) expiredCert(i int32) *tls.Certificate {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if len(f.faults) == 0 {
		return nil
	}
	if af := f.faults[faultKey{FaultExpireCert, f.x.sites[i].name}]; af != nil {
		return af.cert
	}
	return nil
}
