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
