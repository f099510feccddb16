package inventory_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// BenchmarkComponentCoverage1M computes the coverage of a few components
// over the stored 1,000,000-site host, one of them covering every site.
func BenchmarkComponentCoverage1M(b *testing.B) {
	if testing.Short() {
		b.Skip("storing the 1,000,000-site host takes a minute")
	}
	ctx := context.Background()
	s := inventory.NewService(storetest.Open(b, store.SQLite), nil)
	var buf bytes.Buffer
	if err := inventory.WriteYAML(&buf, simulate.Generate(simulate.Params{Sites: benchSites})); err != nil {
		b.Fatal(err)
	}
	buf.WriteString(`components:
  - {name: Sites, covers: {kind: site}}
  - {name: Web, covers: {kind: vm, label: role=web}}
  - {name: VPS, covers: {label: plan=vps}}
  - {name: Platform, covers: {kind: hypervisor}, assets: [mx1, mx2, ns1, ns2]}
`)
	doc, ps := inventory.Parse("host.yaml", buf.Bytes())
	if len(ps) > 0 {
		b.Fatal(ps[:1])
	}
	if _, err := s.Import(ctx, []*inventory.Document{doc}, inventory.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	var covered int
	b.ReportAllocs()
	for b.Loop() {
		cov, err := s.ComponentCoverage(ctx)
		if err != nil {
			b.Fatal(err)
		}
		covered = 0
		for _, names := range cov {
			covered += len(names)
		}
	}
	b.ReportMetric(float64(covered), "covered-assets")
}
