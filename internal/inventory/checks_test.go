package inventory_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const checksYAML = `checks:
  - asset: site1
    kind: http
    expect_status: 200-299
    body_contains: Welcome
    interval: 30s
    locations: [paris, montreal]
  - asset: hv1
    name: ssh
    kind: tcp
    banner: SSH-2.0
  - asset: site2
    name: cert
    kind: tls
    min_days: 21
check_defaults:
  vm:
    kind: none
`

func TestChecksAreDeclaredDefaultedAndImportedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		docs := []*inventory.Document{parse(t, "host.yaml", hostYAML), parse(t, "checks.yaml", checksYAML)}
		plan := mustImport(t, s, inventory.ImportOptions{}, docs...)
		if len(plan.AddChecks) != 3 || len(plan.PutCheckDefaults) != 1 {
			t.Fatalf("plan: %s", plan)
		}
		if again := mustImport(t, s, inventory.ImportOptions{}, docs...); !again.Empty() {
			t.Fatalf("re-import changed: %s", again)
		}
		effective, err := s.Checks(ctx, inventory.CheckFilter{Effective: true})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		byKey := map[string]check.Check{}
		for _, c := range effective {
			keys = append(keys, c.Key())
			byKey[c.Key()] = c
		}
		// hv1 has an address: its default tcp check plus the declared ssh
		// one; vm1 gets nothing (its kind's default is off); each site its
		// http check, site2 also its certificate check.
		want := "hv1/ssh hv1/tcp site1/http site2/cert site2/http"
		if got := strings.Join(keys, " "); got != want {
			t.Fatalf("effective checks %q, want %q", got, want)
		}
		if c := byKey["site1/http"]; c.URL != "https://www.site1.example/" || time.Duration(c.Interval) != 30*time.Second || c.Attempts != check.DefaultAttempts {
			t.Fatalf("site1/http = %+v", c)
		}
		if c := byKey["hv1/tcp"]; c.Address != "127.0.0.10:22" || time.Duration(c.Interval) != check.DefaultTCPInterval {
			t.Fatalf("hv1/tcp = %+v", c)
		}
		if c := byKey["site2/cert"]; c.URL != "https://www.site2.example/" || c.MinDays() != 21 {
			t.Fatalf("site2/cert = %+v", c)
		}
	})
}

func TestBadChecksAreReportedWithTheirLines(t *testing.T) {
	bad := `checks:
  - asset: nowhere
    kind: http
  - asset: site1
    kind: http
    banner: hello
  - asset: site1
    kind: tcp
    interval: soon
  - asset: site1
    kind: dns
    colour: red
`
	s := inventory.NewService(storetest.Open(t, store.SQLite), nil)
	_, err := s.ImportFiles(context.Background(), []inventory.File{
		{Name: "host.yaml", Data: []byte(hostYAML)}, {Name: "bad.yaml", Data: []byte(bad)}}, inventory.ImportOptions{})
	var problems inventory.Problems
	if !errors.As(err, &problems) {
		t.Fatalf("err = %v", err)
	}
	text := problems.Error()
	for _, want := range []string{
		`bad.yaml:2: asset: unknown asset "nowhere"`,
		`bad.yaml:6: banner:`,
		`bad.yaml:9: interval: want a duration such as 30s or 2m, got "soon"`,
		`bad.yaml:12: unknown field "colour"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q:\n%s", want, text)
		}
	}
}

func TestChecksRoundTripThroughYAML(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML), parse(t, "checks.yaml", checksYAML))
		inv, err := s.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := inventory.WriteYAML(&buf, inv); err != nil {
			t.Fatal(err)
		}
		fresh := inventory.NewService(storetest.Open(t, db.Engine), nil)
		mustImport(t, fresh, inventory.ImportOptions{}, parse(t, "export.yaml", buf.String()))
		again, err := fresh.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var buf2 bytes.Buffer
		if err := inventory.WriteYAML(&buf2, again); err != nil {
			t.Fatal(err)
		}
		if buf.String() != buf2.String() {
			t.Fatalf("round trip differs:\n%s\n---\n%s", buf.String(), buf2.String())
		}
	})
}

func TestSaveCheckThroughTheService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML))
		c := check.Check{Asset: "site1", Kind: check.HTTP, HTTPOptions: &check.HTTPOptions{BodyContains: "ok"}}
		if _, err := s.SaveCheck(ctx, c, inventory.Create); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveCheck(ctx, c, inventory.Create); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("create twice: %v", err)
		}
		var invalid *inventory.CheckInvalidError
		if _, err := s.SaveCheck(ctx, check.Check{Asset: "site1", Kind: check.HTTP, TCPOptions: &check.TCPOptions{Banner: "x"}}, inventory.Update); !errors.As(err, &invalid) {
			t.Fatalf("banner on http: %v", err)
		}
		if err := s.DeleteCheck(ctx, "site1", "http"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCheck(ctx, "site1", "http"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
		// Deleting the asset takes its checks with it.
		if _, err := s.SaveCheck(ctx, check.Check{Asset: "site2", Name: "ping", Kind: check.TCP, Address: "127.0.0.1:80"}, inventory.Create); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAsset(ctx, "site2"); err != nil {
			t.Fatal(err)
		}
		declared, err := s.Checks(ctx, inventory.CheckFilter{})
		if err != nil || len(declared) != 0 {
			t.Fatalf("checks after deleting their asset: %v %v", declared, err)
		}
	})
}

func TestRulesAreDeclaredValidatedAndOverrideBuiltins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := inventory.NewService(db, nil)
		rules := `rules:
  - name: hypervisor-performance-governor
    kind: hypervisor
    fact: cpu.governor
    op: in
    value: performance,schedutil
  - name: storage-disk
    labels: {role: storage}
    fact: disk.*.used_pct
    op: "<"
    value: "80"
`
		plan := mustImport(t, s, inventory.ImportOptions{}, parse(t, "host.yaml", hostYAML), parse(t, "rules.yaml", rules))
		if len(plan.PutRules) != 2 {
			t.Fatalf("plan: %s", plan)
		}
		got, err := s.ComplianceRules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]string{}
		for _, r := range got {
			byName[r.Name] = r.Op + " " + r.Value
		}
		if byName["hypervisor-performance-governor"] != "in performance,schedutil" || byName["storage-disk"] != "< 80" || byName["disk-space"] == "" {
			t.Fatalf("rules in force: %v", byName)
		}
		bad := "rules:\n  - name: x\n    kind: hypervisor\n    fact: cpu.governor\n    op: ~=\n    value: p\n  - name: y\n    fact: load.1\n    op: \">\"\n    value: high\n"
		_, err = s.ImportFiles(ctx, []inventory.File{{Name: "bad.yaml", Data: []byte(bad)}}, inventory.ImportOptions{})
		var problems inventory.Problems
		if !errors.As(err, &problems) {
			t.Fatalf("err = %v", err)
		}
		text := problems.Error()
		for _, want := range []string{"bad.yaml:5: op:", "bad.yaml:7:", "bad.yaml:10: value:"} {
			if !strings.Contains(text, want) {
				t.Errorf("problems lack %q:\n%s", want, text)
			}
		}
	})
}
