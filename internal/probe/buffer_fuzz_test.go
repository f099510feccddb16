package probe

import (
	"os"
	"testing"
)

// FuzzBufferRecovery writes arbitrary bytes as a segment and checks that
// opening the buffer neither panics nor keeps anything out of order.
func FuzzBufferRecovery(f *testing.F) {
	dir := f.TempDir()
	b, err := OpenBuffer(dir, BufferOptions{Sync: noSync})
	if err != nil {
		f.Fatal(err)
	}
	if err := b.Append(results(0, 3)); err != nil {
		f.Fatal(err)
	}
	if err := b.Close(); err != nil {
		f.Fatal(err)
	}
	sound, err := os.ReadFile(segmentPath(dir, 1))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sound)
	f.Add(sound[:len(sound)-1])
	f.Add(sound[:headerSize+3])
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})

	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(segmentPath(dir, 1), data, 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := OpenBuffer(dir, BufferOptions{Sync: noSync})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		recs, err := b.Peek(0, 0)
		if err != nil {
			t.Fatalf("peek after recovery: %v", err)
		}
		for i, r := range recs {
			if r.Seq != uint64(i+1) {
				t.Fatalf("record %d has seq %d", i, r.Seq)
			}
		}
		if b.Len() != len(recs) {
			t.Fatalf("Len %d, peeked %d", b.Len(), len(recs))
		}
		more := results(0, 1)
		if err := b.Append(more); err != nil {
			t.Fatal(err)
		}
		if more[0].Seq != uint64(len(recs)+1) {
			t.Fatalf("appended seq %d after %d recovered records", more[0].Seq, len(recs))
		}
	})
}
