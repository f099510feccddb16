package probe

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// noSync is BufferOptions.Sync off, for tests that do not crash a machine.
var noSync = new(bool)

// openBuffer opens a buffer in dir and closes it at the end of the test.
func openBuffer(t testing.TB, dir string, opts BufferOptions) *Buffer {
	t.Helper()
	b, err := OpenBuffer(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// results is n records keyed from start on.
func results(start, n int) []Record {
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{
			Key: fmt.Sprintf("site-%05d/http", start+i),
			Result: check.Result{OK: i%2 == 0, Phase: check.PhaseDone, Reason: check.ReasonTimeout,
				Message: "no answer within 10s", Timings: check.Timings{Connect: 3 * time.Millisecond, Total: time.Second},
				Started: time.Date(2026, 1, 2, 3, 4, 5, start+i, time.UTC)},
		}
	}
	return recs
}

func mustAppend(t testing.TB, b *Buffer, recs []Record) {
	t.Helper()
	if err := b.Append(recs); err != nil {
		t.Fatal(err)
	}
}

func mustPeek(t testing.TB, b *Buffer, maxRecs, maxBytes int) []Record {
	t.Helper()
	recs, err := b.Peek(maxRecs, maxBytes)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func seqs(recs []Record) []uint64 {
	out := make([]uint64, len(recs))
	for i, r := range recs {
		out[i] = r.Seq
	}
	return out
}

// seqRange is first..last.
func seqRange(first, last uint64) []uint64 {
	var out []uint64
	for s := first; s <= last; s++ {
		out = append(out, s)
	}
	return out
}

// segmentFiles returns the first seqs named by the segment files of dir.
func segmentFiles(t testing.TB, dir string) []uint64 {
	t.Helper()
	firsts, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	return firsts
}

func TestBufferAppendPeekAckInOrder(t *testing.T) {
	b := openBuffer(t, t.TempDir(), BufferOptions{})
	first, second := results(0, 3), results(3, 2)
	mustAppend(t, b, first)
	mustAppend(t, b, second)
	if got := append(seqs(first), seqs(second)...); !slices.Equal(got, seqRange(1, 5)) {
		t.Fatalf("assigned seqs %v, want 1..5", got)
	}
	all := mustPeek(t, b, 0, 0)
	if !slices.Equal(seqs(all), seqRange(1, 5)) {
		t.Fatalf("peeked seqs %v, want 1..5", seqs(all))
	}
	for i, want := range append(first, second...) {
		got := all[i]
		if got.Key != want.Key || got.Result.Message != want.Result.Message || got.Result.OK != want.Result.OK ||
			got.Result.Timings != want.Result.Timings || !got.Result.Started.Equal(want.Result.Started) {
			t.Errorf("record %d read back as %+v, want %+v", i, got, want)
		}
	}
	if got := mustPeek(t, b, 2, 0); !slices.Equal(seqs(got), []uint64{1, 2}) {
		t.Errorf("Peek(2, 0) = %v, want [1 2]", seqs(got))
	}
	if got := mustPeek(t, b, 0, 1); !slices.Equal(seqs(got), []uint64{1}) {
		t.Errorf("Peek(0, 1 byte) = %v, want the first record alone", seqs(got))
	}
	if err := b.Ack(2); err != nil {
		t.Fatal(err)
	}
	if err := b.Ack(1); err != nil {
		t.Errorf("acknowledging less again: %v", err)
	}
	if got := mustPeek(t, b, 0, 0); !slices.Equal(seqs(got), []uint64{3, 4, 5}) {
		t.Errorf("after Ack(2) peeked %v, want [3 4 5]", seqs(got))
	}
	if b.Len() != 3 {
		t.Errorf("Len() = %d, want 3", b.Len())
	}
	if err := b.Ack(6); err == nil {
		t.Error("acknowledging a seq never assigned succeeded")
	}
	if err := b.Ack(5); err != nil {
		t.Fatal(err)
	}
	if got := mustPeek(t, b, 0, 0); len(got) != 0 || b.Len() != 0 {
		t.Errorf("after acknowledging everything: peeked %v, Len %d", seqs(got), b.Len())
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Append(results(0, 1)); !errors.Is(err, ErrBufferClosed) {
		t.Errorf("Append after Close: %v, want ErrBufferClosed", err)
	}
}

func TestBufferRestartKeepsUnacknowledgedAndContinuesSeq(t *testing.T) {
	dir := t.TempDir()
	b := openBuffer(t, dir, BufferOptions{})
	mustAppend(t, b, results(0, 10))
	if err := b.Ack(4); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	b = openBuffer(t, dir, BufferOptions{})
	if got := mustPeek(t, b, 0, 0); !slices.Equal(seqs(got), seqRange(5, 10)) || got[0].Key != "site-00004/http" {
		t.Fatalf("after a restart peeked %v, want 5..10 from site-00004", seqs(got))
	}
	more := results(10, 2)
	mustAppend(t, b, more)
	if !slices.Equal(seqs(more), []uint64{11, 12}) {
		t.Errorf("seqs after a restart %v, want [11 12]", seqs(more))
	}
	// Once everything is acknowledged no segment is left, and seqs still
	// continue after the acknowledged ones.
	if err := b.Ack(12); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if files := segmentFiles(t, dir); len(files) != 0 {
		t.Errorf("segments %v left after acknowledging everything", files)
	}
	b = openBuffer(t, dir, BufferOptions{})
	last := results(12, 1)
	mustAppend(t, b, last)
	if last[0].Seq != 13 || b.Len() != 1 {
		t.Errorf("after acknowledging all and a restart: seq %d, Len %d; want 13, 1", last[0].Seq, b.Len())
	}
}

func TestBufferRecoversATornTail(t *testing.T) {
	cases := []struct {
		name    string
		damage  func(data []byte) []byte
		keptLen int // of the 5 records written
	}{
		{"cut mid-record", func(d []byte) []byte { return d[:len(d)-7] }, 4},
		{"cut mid-header", func(d []byte) []byte { return d[:len(d)-lastRecordSize(d)+3] }, 4},
		{"flipped byte in the last record", func(d []byte) []byte { d[len(d)-5] ^= 0x40; return d }, 4},
		{"flipped length of the last record", func(d []byte) []byte { d[len(d)-lastRecordSize(d)] ^= 0x01; return d }, 4},
		{"garbage after the last record", func(d []byte) []byte { return append(d, 1, 2, 3, 4, 5, 6, 7, 8, 9) }, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			b := openBuffer(t, dir, BufferOptions{})
			mustAppend(t, b, results(0, 3))
			mustAppend(t, b, results(3, 2))
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			path := segmentPath(dir, 1)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.damage(data), 0o644); err != nil {
				t.Fatal(err)
			}

			b = openBuffer(t, dir, BufferOptions{})
			if got := mustPeek(t, b, 0, 0); !slices.Equal(seqs(got), seqRange(1, uint64(tc.keptLen))) {
				t.Fatalf("recovered %v, want 1..%d", seqs(got), tc.keptLen)
			}
			next := results(5, 1)
			mustAppend(t, b, next)
			if want := uint64(tc.keptLen + 1); next[0].Seq != want {
				t.Errorf("next seq %d, want %d", next[0].Seq, want)
			}
			if got := mustPeek(t, b, 0, 0); len(got) != tc.keptLen+1 || got[tc.keptLen].Key != "site-00005/http" {
				t.Errorf("after appending to the recovered segment: %v", seqs(got))
			}
		})
	}
}

// lastRecordSize returns the size of the last record of a sound segment.
func lastRecordSize(data []byte) int {
	off, last := 0, 0
	for off < len(data) {
		last = headerSize + int(uint32(data[off])|uint32(data[off+1])<<8|uint32(data[off+2])<<16|uint32(data[off+3])<<24)
		off += last
	}
	return last
}

func TestBufferRotatesSegmentsAndDeletesAcknowledgedOnes(t *testing.T) {
	dir := t.TempDir()
	b := openBuffer(t, dir, BufferOptions{SegmentBytes: 1024, Sync: noSync})
	for i := range 40 {
		mustAppend(t, b, results(i, 1))
	}
	files := segmentFiles(t, dir)
	if len(files) < 4 || files[0] != 1 {
		t.Fatalf("segments %v, want several from seq 1", files)
	}
	for _, first := range files {
		info, err := os.Stat(segmentPath(dir, first))
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() > 1024 {
			t.Errorf("segment %d is %d bytes, over 1024", first, info.Size())
		}
	}
	upTo := files[2] + 1 // within the third segment
	if err := b.Ack(upTo); err != nil {
		t.Fatal(err)
	}
	if got := segmentFiles(t, dir); !slices.Equal(got, files[2:]) {
		t.Errorf("segments after Ack(%d): %v, want %v", upTo, got, files[2:])
	}
	if got := mustPeek(t, b, 1, 0); len(got) != 1 || got[0].Seq != upTo+1 {
		t.Errorf("first record after Ack(%d): %v", upTo, seqs(got))
	}
	if err := b.Ack(40); err != nil {
		t.Fatal(err)
	}
	if got := segmentFiles(t, dir); len(got) != 0 {
		t.Errorf("segments %v left once all is acknowledged", got)
	}
	more := results(40, 1)
	mustAppend(t, b, more)
	if got := segmentFiles(t, dir); !slices.Equal(got, []uint64{41}) || more[0].Seq != 41 {
		t.Errorf("after appending seq %d: segments %v, want [41]", more[0].Seq, got)
	}
}

func TestBufferOverMaxBytesDropsTheOldestAndCountsThem(t *testing.T) {
	dir := t.TempDir()
	const maxBytes = 8 << 10
	b := openBuffer(t, dir, BufferOptions{MaxBytes: maxBytes, SegmentBytes: 1024, Sync: noSync})
	mustAppend(t, b, results(0, 5))
	if err := b.Ack(3); err != nil { // acknowledged records dropped are not counted
		t.Fatal(err)
	}
	const n = 200
	for i := 5; i < n; i++ {
		mustAppend(t, b, results(i, 1))
	}
	dropped := b.Dropped()
	if dropped == 0 {
		t.Fatal("nothing dropped past MaxBytes")
	}
	if got := uint64(b.Len()) + dropped + 3; got != n {
		t.Errorf("Len %d + Dropped %d + 3 acknowledged = %d, want %d", b.Len(), dropped, got, n)
	}
	got := mustPeek(t, b, 0, 0)
	if len(got) != b.Len() || got[0].Seq != dropped+4 || got[len(got)-1].Seq != n {
		t.Errorf("peeked %d records from %d to %d, want %d from %d to %d",
			len(got), got[0].Seq, got[len(got)-1].Seq, b.Len(), dropped+4, n)
	}
	var size int64
	for _, first := range segmentFiles(t, dir) {
		info, err := os.Stat(segmentPath(dir, first))
		if err != nil {
			t.Fatal(err)
		}
		size += info.Size()
	}
	if size > maxBytes {
		t.Errorf("%d bytes on disk, over MaxBytes %d", size, maxBytes)
	}
}

func TestBufferConcurrentAppendsKeepSeqsUniqueAndOrdered(t *testing.T) {
	b := openBuffer(t, t.TempDir(), BufferOptions{SegmentBytes: 16 << 10, Sync: noSync})
	const writers, batches, batch = 8, 40, 5
	got := make([][]uint64, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range batches {
				recs := results(w*1000+i*batch, batch)
				if err := b.Append(recs); err != nil {
					t.Error(err)
					return
				}
				got[w] = append(got[w], seqs(recs)...)
			}
		})
	}
	wg.Wait()
	var all []uint64
	for w, s := range got {
		if !slices.IsSorted(s) {
			t.Errorf("writer %d got seqs out of order: %v", w, s)
		}
		all = append(all, s...)
	}
	slices.Sort(all)
	if !slices.Equal(all, seqRange(1, writers*batches*batch)) {
		t.Fatalf("seqs are not exactly 1..%d once each", writers*batches*batch)
	}
	recs := mustPeek(t, b, 0, 0)
	if !slices.Equal(seqs(recs), all) {
		t.Fatalf("peeked %d records, not in seq order", len(recs))
	}
	// Each batch is stored whole, in the order its writer gave it.
	for i := 0; i < len(recs); i += batch {
		w, _ := strconv.Atoi(strings.TrimPrefix(strings.TrimSuffix(recs[i].Key, "/http"), "site-"))
		for j := range batch {
			if want := fmt.Sprintf("site-%05d/http", w+j); recs[i+j].Key != want {
				t.Fatalf("record %d is %s, want %s: batches interleaved", recs[i+j].Seq, recs[i+j].Key, want)
			}
		}
	}
}

func TestBufferOpenIgnoresStrayFilesAndRejectsABadAckFile(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"notes.txt": "x", "abc.seg": "x", ackFile + ".tmp": "7"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b := openBuffer(t, dir, BufferOptions{})
	recs := results(0, 1)
	mustAppend(t, b, recs)
	if recs[0].Seq != 1 {
		t.Errorf("first seq %d, want 1", recs[0].Seq)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ackFile), []byte("twelve"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenBuffer(dir, BufferOptions{}); err == nil {
		t.Error("opened a buffer whose ack file is unreadable")
	}
}
