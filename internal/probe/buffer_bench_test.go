package probe

import (
	"fmt"
	"testing"
)

// BenchmarkAppend measures appended records per second, each batch synced
// or not.
func BenchmarkAppend(b *testing.B) {
	for _, sync := range []bool{true, false} {
		for _, batch := range []int{1, 100} {
			b.Run(fmt.Sprintf("sync=%v/batch=%d", sync, batch), func(b *testing.B) {
				buf, err := OpenBuffer(b.TempDir(), BufferOptions{Sync: &sync})
				if err != nil {
					b.Fatal(err)
				}
				defer buf.Close()
				recs := results(0, batch)
				b.ResetTimer()
				n := 0
				for n < b.N {
					k := min(batch, b.N-n)
					if err := buf.Append(recs[:k]); err != nil {
						b.Fatal(err)
					}
					n += k
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

// BenchmarkPeek measures records read back per second, in pushes of
// 2,000 as the remote probe reads them.
func BenchmarkPeek(b *testing.B) {
	buf, err := OpenBuffer(b.TempDir(), BufferOptions{Sync: noSync})
	if err != nil {
		b.Fatal(err)
	}
	defer buf.Close()
	if err := buf.Append(results(0, 2000)); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		recs, err := buf.Peek(2000, 8<<20)
		if err != nil || len(recs) != 2000 {
			b.Fatalf("peeked %d records: %v", len(recs), err)
		}
		n += len(recs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
