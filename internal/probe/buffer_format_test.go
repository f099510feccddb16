package probe

import (
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"os"
	"reflect"
	"testing"
)

// jsonSegment is a segment as probes wrote it before the binary form:
// each payload the seq, then the JSON of the key and the result.
func jsonSegment(t *testing.T, first uint64, recs []Record) []byte {
	t.Helper()
	var out []byte
	for i := range recs {
		body, err := json.Marshal(recordBody{Key: recs[i].Key, Result: recs[i].Result})
		if err != nil {
			t.Fatal(err)
		}
		payload := binary.LittleEndian.AppendUint64(nil, first+uint64(i))
		payload = append(payload, body...)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(payload)))
		out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(payload, castagnoli))
		out = append(out, payload...)
	}
	return out
}

// A probe upgraded with results still buffered in JSON sends them, then
// those it buffers after, in the binary form, in one order.
func TestABufferReadsTheJSONRecordsOfAnOlderProbe(t *testing.T) {
	dir := t.TempDir()
	old := results(0, 3)
	if err := os.WriteFile(segmentPath(dir, 1), jsonSegment(t, 1, old), 0o600); err != nil {
		t.Fatal(err)
	}
	b := openBuffer(t, dir, BufferOptions{Sync: noSync})
	fresh := results(3, 2)
	mustAppend(t, b, fresh)
	got := mustPeek(t, b, 0, 0)
	want := append(old, fresh...)
	for i := range want {
		want[i].Seq = uint64(i + 1)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read\n%+v\nwant\n%+v", got, want)
	}
	// The new records are in the binary form, shorter than JSON.
	data, err := os.ReadFile(segmentPath(dir, 1))
	if err != nil {
		t.Fatal(err)
	}
	tail := data[len(jsonSegment(t, 1, old)):]
	if len(tail) == 0 || tail[headerSize+seqSize] != binaryRecord {
		t.Fatalf("the records appended are not in the binary form: % x", tail[:min(len(tail), 24)])
	}
	if jsonLen := len(jsonSegment(t, 4, fresh)); len(tail) >= jsonLen {
		t.Errorf("binary records take %d bytes, JSON ones %d", len(tail), jsonLen)
	}
}
