package incident

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/inventory"
)

// testAlertAssets is the inventory the mapping tests match alerts against.
func testAlertAssets() []inventory.Asset {
	return []inventory.Asset{
		{Name: "web-01", Kind: "server", Address: "127.0.0.10:22"},
		{Name: "node-05", Kind: "server", Address: "127.0.0.5:22"},
		{Name: "node-05-exporter", Kind: "service", Address: "127.0.0.5:9100"},
		{Name: "node-05-shadow", Kind: "server", Address: "127.0.0.5:2222"},
		{Name: "db-01", Kind: "server", Address: "DB-01.example.org:5432"},
		{Name: "bare", Kind: "server", Address: "127.0.0.7"},
		{Name: "ipv6", Kind: "server", Address: "[::1]:22"},
	}
}

func testAlertMapper(label string) AlertMapper {
	assets := testAlertAssets()
	names := make(map[string]bool)
	for _, a := range assets {
		names[a.Name] = true
	}
	return AlertMapper{
		Label:     label,
		Assets:    func(name string) bool { return names[name] },
		ByAddress: BuildAddressIndex(assets),
	}
}

func TestAlertMapperMapsAlertsOntoAssets(t *testing.T) {
	tests := []struct {
		name   string
		label  string
		labels map[string]string
		want   string // "" for unmatched
	}{
		{"asset label", "", map[string]string{"asset": "web-01", "instance": "127.0.0.5:9100"}, "web-01"},
		{"custom label", "vigie_asset", map[string]string{"vigie_asset": "db-01"}, "db-01"},
		{"default label ignored when another is set", "vigie_asset", map[string]string{"asset": "web-01"}, ""},
		{"unknown asset label falls back to instance", "", map[string]string{"asset": "ghost", "instance": "127.0.0.10:9100"}, "web-01"},
		{"exact host and port first", "", map[string]string{"instance": "127.0.0.5:9100"}, "node-05-exporter"},
		{"host alone, first asset wins", "", map[string]string{"instance": "127.0.0.5:9999"}, "node-05"},
		{"instance without port", "", map[string]string{"instance": "127.0.0.10"}, "web-01"},
		{"asset address without port", "", map[string]string{"instance": "127.0.0.7:9100"}, "bare"},
		{"host names ignore case", "", map[string]string{"instance": "db-01.EXAMPLE.org:9100"}, "db-01"},
		{"URL instance", "", map[string]string{"instance": "https://db-01.example.org:8443/health"}, "db-01"},
		{"IPv6 instance", "", map[string]string{"instance": "[::1]:9100"}, "ipv6"},
		{"unknown instance", "", map[string]string{"instance": "127.9.9.9:9100"}, ""},
		{"no labels", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &Webhook{Alerts: []Alert{{Status: AlertFiring, Labels: tt.labels, Fingerprint: "f"}}}
			got := testAlertMapper(tt.label).Map(w)
			if len(got) != 1 {
				t.Fatalf("got %d signals, want 1", len(got))
			}
			if got[0].Asset != tt.want || got[0].Matched != (tt.want != "") {
				t.Fatalf("asset = %q matched %v, want %q", got[0].Asset, got[0].Matched, tt.want)
			}
		})
	}
}

func TestAlertMapperWithoutInventoryKeepsAlertsUnmatched(t *testing.T) {
	w := parseAlertmanagerFile(t, "firing_asset.json")
	got := AlertMapper{}.Map(w)
	if len(got) != 1 || got[0].Matched || got[0].Asset != "" {
		t.Fatalf("got %+v, want one unmatched signal", got)
	}
}

func TestAlertMapperMapsPayloads(t *testing.T) {
	m := testAlertMapper("")
	tests := []struct {
		file string
		want []AlertSignal
	}{
		{"firing_asset.json", []AlertSignal{{
			Fingerprint: "b7f3a1c2d4e5f601", Asset: "web-01", Matched: true, Firing: true,
			Name: "DiskAlmostFull", Severity: "warning", Summary: "Disk almost full on web-01",
			StartsAt: time.Date(2025, 3, 14, 9, 26, 53, 589e6, time.UTC),
		}}},
		{"firing_instance.json", []AlertSignal{{
			Fingerprint: "0a1b2c3d4e5f6789", Asset: "node-05-exporter", Matched: true, Firing: true,
			Name: "NodeDown", Severity: "critical",
			Summary:  "127.0.0.5:9100 of job node has been down for more than 2 minutes.",
			StartsAt: time.Date(2025, 3, 14, 10, 2, 10, 0, time.UTC),
			EndsAt:   time.Date(2025, 3, 14, 10, 9, 10, 0, time.UTC),
		}, {
			Fingerprint: "1122334455667788", Asset: "db-01", Matched: true, Firing: true,
			Name: "ProbeFailed", Severity: "critical", Summary: "Health probe of db-01 failing",
			StartsAt: time.Date(2025, 3, 14, 10, 3, 40, 0, time.UTC),
			EndsAt:   time.Date(2025, 3, 14, 10, 9, 40, 0, time.UTC),
		}}},
		{"resolved.json", []AlertSignal{{
			Fingerprint: "b7f3a1c2d4e5f601", Asset: "web-01", Matched: true,
			Name: "DiskAlmostFull", Severity: "warning", Summary: "Disk almost full on web-01",
			StartsAt: time.Date(2025, 3, 14, 9, 26, 53, 589e6, time.UTC),
			EndsAt:   time.Date(2025, 3, 14, 10, 2, 23, 589e6, time.UTC),
		}}},
		{"unknown_asset.json", []AlertSignal{{
			Fingerprint: "ffeeddccbbaa9988", Firing: true,
			Name: "HighLoad", Severity: "warning", Summary: "Load above 20 for 15 minutes",
			StartsAt: time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC),
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			w := parseAlertmanagerFile(t, tt.file)
			got := m.Map(w)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d signals, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i].Labels["alertname"] != tt.want[i].Name {
					t.Errorf("signal %d labels = %v", i, got[i].Labels)
				}
				got[i].Labels = nil
				if !alertSignalsEqual(got[i], tt.want[i]) {
					t.Errorf("signal %d =\n%+v\nwant\n%+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func alertSignalsEqual(a, b AlertSignal) bool {
	return a.Fingerprint == b.Fingerprint && a.Asset == b.Asset && a.Matched == b.Matched &&
		a.Firing == b.Firing && a.Name == b.Name && a.Severity == b.Severity && a.Summary == b.Summary &&
		a.StartsAt.Equal(b.StartsAt) && a.EndsAt.Equal(b.EndsAt)
}

func TestAlertMapperCopiesLabels(t *testing.T) {
	w := parseAlertmanagerFile(t, "firing_asset.json")
	s := testAlertMapper("").Map(w)[0]
	s.Labels["asset"] = "changed"
	if w.Alerts[0].Labels["asset"] != "web-01" {
		t.Fatal("changing a signal's labels changed the webhook's")
	}
}

func TestAlertSignalBecomesSignal(t *testing.T) {
	start := time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)
	end := start.Add(time.Hour)
	tests := []struct {
		name  string
		alert AlertSignal
		want  detect.Signal
	}{
		{"firing", AlertSignal{Fingerprint: "f1", Asset: "web-01", Matched: true, Firing: true, Name: "NodeDown", Summary: "down", StartsAt: start, EndsAt: end},
			detect.Signal{Kind: AlertFiringSignal, Check: "alertmanager/NodeDown#f1", Asset: "web-01", At: start, To: detect.Down, Reason: ReasonAlert, Message: "down"}},
		{"resolved", AlertSignal{Fingerprint: "f1", Asset: "web-01", Matched: true, Name: "NodeDown", Summary: "down", StartsAt: start, EndsAt: end},
			detect.Signal{Kind: AlertResolvedSignal, Check: "alertmanager/NodeDown#f1", Asset: "web-01", At: end, To: detect.Up, Reason: ReasonAlert, Message: "down"}},
		{"unmatched and unnamed", AlertSignal{Fingerprint: "f2", Firing: true, StartsAt: start},
			detect.Signal{Kind: AlertFiringSignal, Check: "alertmanager/f2", At: start, To: detect.Down, Reason: ReasonAlert}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.alert.Signal()
			if got.Kind != tt.want.Kind || got.Check != tt.want.Check || got.Asset != tt.want.Asset ||
				!got.At.Equal(tt.want.At) || got.From != tt.want.From || got.To != tt.want.To ||
				got.Reason != tt.want.Reason || got.Message != tt.want.Message || got.Location != "" {
				t.Fatalf("signal = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBuildAddressIndexFirstAssetWins(t *testing.T) {
	lookup := BuildAddressIndex([]inventory.Asset{
		{Name: "first", Address: "127.0.0.1:80"},
		{Name: "second", Address: "127.0.0.1:80"},
		{Name: "third", Address: "127.0.0.1:443"},
		{Name: "no-address"},
	})
	tests := []struct {
		key, want string
		ok        bool
	}{
		{"127.0.0.1", "first", true},
		{"127.0.0.1:80", "first", true},
		{"127.0.0.1:443", "third", true},
		{"127.0.0.2", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := lookup(tt.key)
		if got != tt.want || ok != tt.ok {
			t.Errorf("lookup(%q) = %q, %v; want %q, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

// TestTwoAlertsOfOneNameOnOneAssetAreTwoChecks fires DiskFull on /var and
// on /home of one host and resolves the first: the host stays down while
// the second fires, then comes up.
func TestTwoAlertsOfOneNameOnOneAssetAreTwoChecks(t *testing.T) {
	start := time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)
	disk := func(fp string, firing bool) detect.Signal {
		return AlertSignal{Fingerprint: fp, Asset: "web-01", Matched: true, Firing: firing, Name: "DiskFull",
			StartsAt: start, EndsAt: start.Add(time.Hour)}.Signal()
	}
	e := NewEngine(nil, nil, EngineOptions{})
	e.Observe([]detect.Signal{disk("var", true), disk("home", true), disk("var", false)})
	if got := len(e.downAssets()["web-01"]); got != 1 {
		t.Fatalf("after resolving /var: %d alerts down on web-01, want /home still firing", got)
	}
	e.Observe([]detect.Signal{disk("home", false)})
	if down := e.downAssets(); len(down) != 0 {
		t.Fatalf("after resolving both: %v still down", down)
	}
}
