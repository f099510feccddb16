package incident

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readAlertmanager(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "alertmanager", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseAlertmanagerFile(t testing.TB, name string) *Webhook {
	t.Helper()
	w, err := ParseAlertmanager(readAlertmanager(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return w
}

func TestParseAlertmanagerReadsRealPayloads(t *testing.T) {
	w := parseAlertmanagerFile(t, "firing_asset.json")
	if w.Version != "4" || w.Status != AlertFiring || w.Receiver != "vigie" ||
		w.GroupKey != `{}:{alertname="DiskAlmostFull"}` || w.ExternalURL != "http://alertmanager.example:9093" ||
		w.GroupLabels["alertname"] != "DiskAlmostFull" || w.CommonLabels["job"] != "node" ||
		w.CommonAnnotations["summary"] != "Disk almost full on web-01" || len(w.Alerts) != 1 {
		t.Fatalf("webhook = %+v", w)
	}
	a := w.Alerts[0]
	want := time.Date(2025, 3, 14, 9, 26, 53, 589e6, time.UTC)
	if a.Status != AlertFiring || !a.StartsAt.Equal(want) || !a.EndsAt.IsZero() ||
		a.Fingerprint != "b7f3a1c2d4e5f601" || a.Labels["asset"] != "web-01" ||
		a.Annotations["summary"] != "Disk almost full on web-01" || !strings.HasPrefix(a.GeneratorURL, "http://prometheus") {
		t.Fatalf("alert = %+v", a)
	}

	r := parseAlertmanagerFile(t, "resolved.json")
	if r.Status != AlertResolved || r.Alerts[0].Status != AlertResolved ||
		!r.Alerts[0].EndsAt.Equal(time.Date(2025, 3, 14, 10, 2, 23, 589e6, time.UTC)) {
		t.Fatalf("resolved = %+v", r.Alerts[0])
	}

	// Offsets are kept as instants, in UTC.
	i := parseAlertmanagerFile(t, "firing_instance.json")
	if got := i.Alerts[0].StartsAt; got != time.Date(2025, 3, 14, 10, 2, 10, 0, time.UTC) {
		t.Fatalf("startsAt = %v", got)
	}
	if len(i.Alerts) != 2 || i.Alerts[1].Fingerprint != "1122334455667788" {
		t.Fatalf("alerts = %+v", i.Alerts)
	}

	// Fields added by later Alertmanager releases are ignored.
	parseAlertmanagerFile(t, "unknown_asset.json")
}

func TestParseAlertmanagerRejectsBadPayloads(t *testing.T) {
	const alert = `{"status":"firing","labels":{"alertname":"A"},"startsAt":"2025-03-14T10:00:00Z"}`
	wrap := func(alerts string) string {
		return `{"version":"4","status":"firing","alerts":[` + alerts + `]}`
	}
	tests := []struct {
		name, body, field, message string
	}{
		{"version 3 file", string(readAlertmanager(t, "version3.json")), "version", `"3" not supported`},
		{"garbage file", string(readAlertmanager(t, "garbage.json")), "", "invalid JSON"},
		{"empty body", ``, "", "invalid JSON"},
		{"trailing data", wrap(alert) + `x`, "", "invalid JSON"},
		{"not an object", `[1,2]`, "", "want object, got array"},
		{"no version", `{"status":"firing","alerts":[` + alert + `]}`, "version", "missing"},
		{"numeric version", `{"version":4}`, "version", "want string, got number"},
		{"no alerts", `{"version":"4","status":"firing"}`, "alerts", "missing or empty"},
		{"empty alerts", wrap(``), "alerts", "missing or empty"},
		{"alerts not array", `{"version":"4","status":"firing","alerts":{}}`, "alerts", "want array, got object"},
		{"bad group status", `{"version":"4","status":"pending","alerts":[` + alert + `]}`, "status", `"pending" is neither`},
		{"no group status", `{"version":"4","alerts":[` + alert + `]}`, "status", "missing"},
		{"truncated not integer", `{"version":"4","truncatedAlerts":"2"}`, "truncatedAlerts", "want integer, got string"},
		{"truncated negative", `{"version":"4","truncatedAlerts":-1,"status":"firing","alerts":[` + alert + `]}`, "truncatedAlerts", "negative"},
		{"label not string", wrap(alert + `,{"status":"firing","labels":{"a":1}}`), "alerts[1].labels", "want string, got number"},
		{"labels not object", wrap(`{"labels":[]}`), "alerts[0].labels", "want object of strings, got array"},
		{"null alert", wrap(`null`), "alerts[0].status", "missing"},
		{"bad alert status", wrap(`{"status":"silenced","startsAt":"2025-03-14T10:00:00Z"}`), "alerts[0].status", "neither"},
		{"no start", wrap(`{"status":"firing"}`), "alerts[0].startsAt", "missing"},
		{"zero start", wrap(`{"status":"firing","startsAt":"0001-01-01T00:00:00Z"}`), "alerts[0].startsAt", "zero time"},
		{"bad start", wrap(`{"status":"firing","startsAt":"14/03/2025 10:00"}`), "alerts[0].startsAt", "not an RFC 3339 time"},
		{"numeric start", wrap(`{"status":"firing","startsAt":1741946400}`), "alerts[0].startsAt", "want string, got number"},
		{"bad end", wrap(`{"status":"firing","startsAt":"2025-03-14T10:00:00Z","endsAt":"soon"}`), "alerts[0].endsAt", "not an RFC 3339"},
		{"resolved without end", wrap(`{"status":"resolved","startsAt":"2025-03-14T10:00:00Z","endsAt":"0001-01-01T00:00:00Z"}`), "alerts[0].endsAt", "missing on a resolved alert"},
		{"resolved before start", wrap(`{"status":"resolved","startsAt":"2025-03-14T10:00:00Z","endsAt":"2025-03-14T09:00:00Z"}`), "alerts[0].endsAt", "before startsAt"},
		{"too large", strings.Repeat(" ", MaxAlertmanagerBody+1), "", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := ParseAlertmanager([]byte(tt.body))
			if err == nil {
				t.Fatalf("parsed %+v, want an error", w)
			}
			var pe *PayloadError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *PayloadError", err, err)
			}
			if pe.Field != tt.field || !strings.Contains(pe.Message, tt.message) {
				t.Fatalf("error = %q (field %q), want field %q and %q", err, pe.Field, tt.field, tt.message)
			}
			if tt.field != "" && !strings.Contains(err.Error(), tt.field+": ") {
				t.Fatalf("error %q does not name %s", err, tt.field)
			}
		})
	}
}

func TestParseAlertmanagerDerivesMissingFingerprints(t *testing.T) {
	body := func(labels string) []byte {
		return []byte(`{"version":"4","status":"firing","alerts":[{"status":"firing","startsAt":"2025-03-14T10:00:00Z","labels":` + labels + `}]}`)
	}
	fingerprint := func(labels string) string {
		w, err := ParseAlertmanager(body(labels))
		if err != nil {
			t.Fatal(err)
		}
		return w.Alerts[0].Fingerprint
	}
	a := fingerprint(`{"alertname":"A","instance":"127.0.0.1:9100"}`)
	if a == "" || a != fingerprint(`{"instance":"127.0.0.1:9100","alertname":"A"}`) {
		t.Fatalf("fingerprint %q is not stable across label order", a)
	}
	if a == fingerprint(`{"alertname":"A","instance":"127.0.0.2:9100"}`) {
		t.Fatal("different label sets share a fingerprint")
	}
	if fingerprint(`{"ab":"c"}`) == fingerprint(`{"a":"bc"}`) {
		t.Fatal("label boundaries are not part of the fingerprint")
	}
}

func FuzzParseAlertmanager(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "alertmanager", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		f.Add(readAlertmanager(f, filepath.Base(file)))
	}
	f.Add([]byte(`{"version":"4","status":"firing","alerts":[null,{"labels":{"a":1}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		w, err := ParseAlertmanager(body)
		if err != nil {
			var pe *PayloadError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *PayloadError", err)
			}
			return
		}
		if w.Version != AlertmanagerVersion || len(w.Alerts) == 0 {
			t.Fatalf("accepted %+v", w)
		}
		for _, a := range w.Alerts {
			if a.Fingerprint == "" || a.StartsAt.IsZero() || (a.Status != AlertFiring && a.Status != AlertResolved) {
				t.Fatalf("accepted alert %+v", a)
			}
			if a.Status == AlertResolved && a.EndsAt.Before(a.StartsAt) {
				t.Fatalf("accepted alert ending before it starts: %+v", a)
			}
		}
		// Mapping and deduplicating whatever parses must not panic either.
		d := memoryDedup{}
		for _, s := range (AlertMapper{}).Map(w) {
			d.Fresh(s)
			_ = s.Signal()
		}
	})
}
