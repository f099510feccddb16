package incident

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

// deliver maps and deduplicates one payload file, returning the signals it
// yields.
func deliver(t *testing.T, m AlertMapper, d *Dedup, file string) []detect.Signal {
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
	d := NewDedup(0)
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
			d := &Dedup{} // the zero value works
			for _, a := range tt.before {
				d.Fresh(a)
			}
			if got := d.Fresh(tt.alert); got != tt.want {
				t.Fatalf("Fresh = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDedupForgetsOldestResolvedFirst(t *testing.T) {
	t0 := time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)
	alert := func(fp string, firing bool) AlertSignal {
		return AlertSignal{Fingerprint: fp, Firing: firing, StartsAt: t0, EndsAt: t0.Add(time.Minute)}
	}
	d := NewDedup(3)
	d.Fresh(alert("r1", false))
	d.Fresh(alert("f1", true))
	d.Fresh(alert("r2", false))
	d.Fresh(alert("f2", true)) // full: forgets r1, the oldest resolved
	if d.Len() != 3 {
		t.Fatalf("Len = %d, want 3", d.Len())
	}
	if !d.Fresh(alert("r1", false)) { // forgets r2
		t.Fatal("r1 was still remembered")
	}
	for _, fp := range []string{"f1", "f2"} {
		if d.Fresh(alert(fp, true)) {
			t.Fatalf("firing %s was forgotten before resolved alerts", fp)
		}
	}
	if !d.Fresh(alert("r2", false)) {
		t.Fatal("r2 was still remembered")
	}

	// With only firing alerts, the least recently seen goes.
	d = NewDedup(2)
	d.Fresh(alert("a", true))
	d.Fresh(alert("b", true))
	d.Fresh(alert("a", true)) // seen again: b is now the oldest
	d.Fresh(alert("c", true))
	if d.Fresh(alert("a", true)) || !d.Fresh(alert("b", true)) {
		t.Fatal("did not forget the least recently seen firing alert")
	}
}

func TestDedupSnapshotRestores(t *testing.T) {
	m := testAlertMapper("")
	d := NewDedup(0)
	deliver(t, m, d, "firing_instance.json")
	deliver(t, m, d, "firing_asset.json")
	deliver(t, m, d, "resolved.json")
	snap := d.Snapshot()
	if len(snap) != 3 || snap[0].Fingerprint != "b7f3a1c2d4e5f601" || snap[0].Firing {
		t.Fatalf("snapshot = %+v", snap)
	}

	r := NewDedup(0)
	r.Restore(snap)
	for _, file := range []string{"firing_instance.json", "resolved.json"} {
		if got := deliver(t, m, r, file); len(got) != 0 {
			t.Fatalf("%s after restore: %d signals, want none", file, len(got))
		}
	}
	if got := deliver(t, m, r, "refiring.json"); len(got) != 1 {
		t.Fatalf("refiring after restore: %d signals, want 1", len(got))
	}

	// Restoring keeps the newest entries within the bound.
	var many []DedupEntry
	for i := range 5 {
		many = append(many, DedupEntry{Fingerprint: fmt.Sprint(i), StartsAt: time.Unix(int64(i), 0)})
	}
	small := NewDedup(2)
	small.Restore(append(many, DedupEntry{}))
	got := small.Snapshot()
	if len(got) != 2 || got[0].Fingerprint != "3" || got[1].Fingerprint != "4" {
		t.Fatalf("restored %+v, want fingerprints 3 and 4", got)
	}
}
