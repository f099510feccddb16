package incident

import (
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

// memoryDedup applies the freshness rule over a map, as
// DedupStore.Receive does over the alert_dedup table.
type memoryDedup map[string]DedupEntry

func (m memoryDedup) Fresh(a AlertSignal) bool {
	if a.Fingerprint == "" {
		return true
	}
	var prev *DedupEntry
	if e, ok := m[a.Fingerprint]; ok {
		prev = &e
	}
	fresh, record := freshness(prev, a)
	if record {
		m[a.Fingerprint] = DedupEntry{Fingerprint: a.Fingerprint, Firing: a.Firing, StartsAt: a.StartsAt, EndsAt: a.EndsAt}
	}
	return fresh
}

// deliver maps and deduplicates one payload file, returning the signals it
// yields.
func deliver(t *testing.T, m AlertMapper, d memoryDedup, file string) []detect.Signal {
	t.Helper()
	var out []detect.Signal
	for _, a := range m.Map(parseAlertmanagerFile(t, file)) {
		if d.Fresh(a) {
			out = append(out, a.Signal())
		}
	}
	return out
}

func TestDedupYieldsEachChangeOnce(t *testing.T) {
	m := testAlertMapper("")
	d := memoryDedup{}
	steps := []struct {
		file string
		want []detect.SignalKind
	}{
		{"firing_asset.json", []detect.SignalKind{AlertFiringSignal}},
		{"firing_asset.json", nil}, // a repeated delivery
		{"firing_instance.json", []detect.SignalKind{AlertFiringSignal, AlertFiringSignal}},
		{"firing_instance.json", nil},
		{"resolved.json", []detect.SignalKind{AlertResolvedSignal}},
		{"resolved.json", nil},
		{"firing_asset.json", nil}, // a late copy of the first firing
		{"refiring.json", []detect.SignalKind{AlertFiringSignal}},
		{"refiring.json", nil},
		{"unknown_asset.json", []detect.SignalKind{AlertFiringSignal}},
		{"unknown_asset.json", nil},
	}
	for i, step := range steps {
		got := deliver(t, m, d, step.file)
		var kinds []detect.SignalKind
		for _, s := range got {
			kinds = append(kinds, s.Kind)
		}
		if !slices.Equal(kinds, step.want) {
			t.Fatalf("step %d (%s): signals %v, want %v", i, step.file, kinds, step.want)
		}
	}
}

func TestDedupFresh(t *testing.T) {
	t0 := time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)
	firing := func(start, end time.Time) AlertSignal {
		return AlertSignal{Fingerprint: "f", Firing: true, StartsAt: start, EndsAt: end}
	}
	resolved := func(start, end time.Time) AlertSignal {
		return AlertSignal{Fingerprint: "f", StartsAt: start, EndsAt: end}
	}
	tests := []struct {
		name   string
		before []AlertSignal
		alert  AlertSignal
		want   bool
	}{
		{"first sighting", nil, firing(t0, time.Time{}), true},
		{"same firing", []AlertSignal{firing(t0, time.Time{})}, firing(t0, time.Time{}), false},
		{"firing resent with a later end", []AlertSignal{firing(t0, t0.Add(4*time.Minute))}, firing(t0, t0.Add(5*time.Minute)), false},
		{"resolved after firing", []AlertSignal{firing(t0, time.Time{})}, resolved(t0, t0.Add(time.Hour)), true},
		{"late firing after resolved", []AlertSignal{firing(t0, time.Time{}), resolved(t0, t0.Add(time.Hour))}, firing(t0, t0.Add(time.Minute)), false},
		{"same resolved", []AlertSignal{resolved(t0, t0.Add(time.Hour))}, resolved(t0, t0.Add(time.Hour)), false},
		{"fires again", []AlertSignal{firing(t0, time.Time{}), resolved(t0, t0.Add(time.Hour))}, firing(t0.Add(2*time.Hour), time.Time{}), true},
		{"new start while firing", []AlertSignal{firing(t0, time.Time{})}, firing(t0.Add(time.Hour), time.Time{}), true},
		{"earlier start is stale", []AlertSignal{firing(t0.Add(time.Hour), time.Time{})}, resolved(t0, t0.Add(time.Minute)), false},
		{"no fingerprint", []AlertSignal{{Firing: true, StartsAt: t0}}, AlertSignal{Firing: true, StartsAt: t0}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := memoryDedup{}
			for _, a := range tt.before {
				d.Fresh(a)
			}
			if got := d.Fresh(tt.alert); got != tt.want {
				t.Fatalf("Fresh = %v, want %v", got, tt.want)
			}
		})
	}
}
