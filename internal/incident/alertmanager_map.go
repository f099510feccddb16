package incident

import (
	"maps"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/inventory"
)

// The kinds of signals made from Alertmanager alerts.
const (
	AlertFiringSignal   detect.SignalKind = "alert-firing"   // an external alert started firing
	AlertResolvedSignal detect.SignalKind = "alert-resolved" // it was resolved
)

// ReasonAlert is the failure category of signals from external alerts.
const ReasonAlert check.Reason = "alert"

// AlertCheckPrefix starts the check key of signals from Alertmanager,
// followed by the alert's name and its fingerprint.
const AlertCheckPrefix = "alertmanager/"

// DefaultAlertLabel is the alert label naming an asset when the mapper
// names none.
const DefaultAlertLabel = "asset"

// AlertSignal is one Alertmanager alert mapped onto the inventory. An
// alert whose asset is not known has an empty Asset and is kept, so that
// staff see it and fix the inventory or the alerting rule.
type AlertSignal struct {
	Fingerprint string
	Asset       string
	Matched     bool
	Firing      bool
	Name        string // the alertname label
	Severity    string // the severity label
	Summary     string // the summary annotation, or else the description
	StartsAt    time.Time
	EndsAt      time.Time
	Labels      map[string]string
}

// AlertMapper maps alerts onto assets: by the value of Label when it names
// an asset, else by the "instance" label matched against asset addresses,
// as host:port and then as host alone.
type AlertMapper struct {
	// Label is the alert label naming an asset (DefaultAlertLabel when
	// empty).
	Label string
	// Assets reports whether an asset of that name exists; nil means none
	// do.
	Assets func(name string) bool
	// ByAddress finds the asset at a host or host:port; BuildAddressIndex
	// makes one. Nil means no asset is found by address.
	ByAddress func(host string) (asset string, ok bool)
}

// Map turns every alert of w into an AlertSignal, in order; none is
// dropped.
func (m AlertMapper) Map(w *Webhook) []AlertSignal {
	out := make([]AlertSignal, 0, len(w.Alerts))
	for i := range w.Alerts {
		a := &w.Alerts[i]
		asset := m.assetOf(a.Labels)
		summary := a.Annotations["summary"]
		if summary == "" {
			summary = a.Annotations["description"]
		}
		out = append(out, AlertSignal{
			Fingerprint: a.Fingerprint,
			Asset:       asset,
			Matched:     asset != "",
			Firing:      a.Status == AlertFiring,
			Name:        a.Labels["alertname"],
			Severity:    a.Labels["severity"],
			Summary:     summary,
			StartsAt:    a.StartsAt,
			EndsAt:      a.EndsAt,
			Labels:      maps.Clone(a.Labels),
		})
	}
	return out
}

// assetOf finds the asset an alert's labels point at, or "".
func (m AlertMapper) assetOf(labels map[string]string) string {
	label := m.Label
	if label == "" {
		label = DefaultAlertLabel
	}
	if name := labels[label]; name != "" && m.Assets != nil && m.Assets(name) {
		return name
	}
	instance := labels["instance"]
	if instance == "" || m.ByAddress == nil {
		return ""
	}
	for _, candidate := range instanceHosts(instance) {
		if asset, ok := m.ByAddress(candidate); ok {
			return asset
		}
	}
	return ""
}

// instanceHosts lists what an instance label may be looked up as, most
// specific first: the whole host:port, then the host alone. Blackbox-style
// instances that are URLs give their host, and are tried whole last.
func instanceHosts(instance string) []string {
	hostport := instance
	if strings.Contains(instance, "://") {
		if u, err := url.Parse(instance); err == nil && u.Host != "" {
			hostport = u.Host
		}
	}
	hosts := []string{hostport}
	if h, _, err := net.SplitHostPort(hostport); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	if instance != hostport {
		hosts = append(hosts, instance)
	}
	return hosts
}

// Signal turns the alert into a signal on its asset: down when firing, from
// its start; up when resolved, at its end. The check key is
// AlertCheckPrefix, the alert's name and its fingerprint: two alerts of one
// name on one asset (a disk full on /var and on /home) are two checks, and
// resolving one leaves the asset down while the other fires.
func (a AlertSignal) Signal() detect.Signal {
	name := a.Name
	switch {
	case name == "":
		name = a.Fingerprint
	case a.Fingerprint != "":
		name += "#" + a.Fingerprint
	}
	s := detect.Signal{
		Check:   AlertCheckPrefix + name,
		Asset:   a.Asset,
		Reason:  ReasonAlert,
		Message: a.Summary,
	}
	if a.Firing {
		s.Kind, s.At, s.To = AlertFiringSignal, a.StartsAt, detect.Down
	} else {
		s.Kind, s.At, s.To = AlertResolvedSignal, a.EndsAt, detect.Up
	}
	return s
}

// BuildAddressIndex returns a lookup from address to asset name over the
// assets' Address fields, answering both the host alone and the whole
// host:port, case-insensitively. When several assets share a key the
// first one in the slice wins, so list the asset an alert should land on
// (such as a server before the sites it hosts) first.
func BuildAddressIndex(assets []inventory.Asset) func(host string) (string, bool) {
	index := make(map[string]string)
	add := func(key, name string) {
		key = strings.ToLower(key)
		if _, taken := index[key]; !taken {
			index[key] = name
		}
	}
	for _, a := range assets {
		if a.Address == "" {
			continue
		}
		add(a.Address, a.Name)
		if host, _, err := net.SplitHostPort(a.Address); err == nil && host != "" {
			add(host, a.Name)
		}
	}
	return func(host string) (string, bool) {
		name, ok := index[strings.ToLower(host)]
		return name, ok
	}
}
